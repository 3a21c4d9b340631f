"""A small, synthetic GeoIP2-compatible Country database for development and tests.

Production reads a MaxMind GeoIP2/GeoLite2 Country or DB-IP Lite Country file.
Here, each listed country gets one IPv4 and one IPv6 network; the simulator
draws client addresses from the same table, so truth and lookup agree.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Final

# ISO 3166-1 alpha-2 -> (name, IPv4 network, IPv6 network). Synthetic allocations.
COUNTRY_NETWORKS: Final[dict[str, tuple[str, str, str]]] = {
    "US": ("United States", "24.16.0.0/16", "2600:1::/32"),
    "CA": ("Canada", "24.200.0.0/16", "2607:f000::/32"),
    "GB": ("United Kingdom", "51.140.0.0/16", "2a00:1000::/32"),
    "DE": ("Germany", "46.80.0.0/16", "2a01:100::/32"),
    "FR": ("France", "90.0.0.0/16", "2a01:e00::/32"),
    "NL": ("Netherlands", "77.160.0.0/16", "2a02:a400::/32"),
    "ES": ("Spain", "88.0.0.0/16", "2a0c:5a00::/32"),
    "JP": ("Japan", "126.0.0.0/16", "2400:4000::/32"),
    "IN": ("India", "117.192.0.0/16", "2401:4900::/32"),
    "BR": ("Brazil", "177.0.0.0/16", "2804:100::/32"),
    "MX": ("Mexico", "187.128.0.0/16", "2806:100::/32"),
    "AU": ("Australia", "1.120.0.0/16", "2001:8000::/32"),
}

# Public addresses deliberately absent from the database: lookups answer None.
UNLISTED_NETWORKS: Final[tuple[str, ...]] = ("45.0.0.0/16", "2c0f:f000::/32")

DATABASE_TYPE: Final = "GeoLite2-Country"


def build_country_mmdb(path: Path) -> Path:
    """Write the synthetic Country database (IPv6 tree, IPv4-compatible) to path."""
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type=DATABASE_TYPE,
        languages=["en"],
        description={"en": "scan-analytics synthetic development country database"},
    )
    for iso, (name, v4, v6) in COUNTRY_NETWORKS.items():
        record = {"country": {"iso_code": iso, "names": {"en": name}}}
        writer.insert_network(IPSet([v4, v6]), record)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    writer.to_db_file(str(tmp))
    tmp.replace(path)
    return path


def ensure_country_mmdb(path: Path) -> Path:
    """Build the development database at path unless a file is already there."""
    return path if path.exists() else build_country_mmdb(path)


def country_of(ip: str) -> str | None:
    """Return the country the synthetic table assigns to ip (the simulator's truth)."""
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    for iso, (_, v4, v6) in COUNTRY_NETWORKS.items():
        if addr in ipaddress.ip_network(v4 if addr.version == 4 else v6):
            return iso
    return None
