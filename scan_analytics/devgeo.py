"""A small, synthetic GeoIP2-City-compatible database for development and tests.

Production reads a MaxMind GeoIP2/GeoLite2 (Country or City) or DB-IP Lite file.
Here, each listed country gets one IPv4 and one IPv6 network; inside each, a few
real cities (with their real ISO 3166-2 region) get a quarter of it, and the
rest of the network has a country-only record, as real databases have. The
records follow the GeoIP2-City layout (`country`, `subdivisions`, `city`,
`location`), so Country-only readers and City readers both work on the file.
The simulator draws client addresses from the same tables, so truth and lookup
agree.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from pathlib import Path
from typing import Any, Final, NamedTuple

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


class City(NamedTuple):
    """A real city with its real first-level subdivision, as GeoIP2-City records name them."""

    name: str
    subdivision: str  # ISO 3166-2 subdivision code without the country prefix
    subdivision_name: str
    time_zone: str
    latitude: float
    longitude: float


# Cities per country; the i-th city gets the i-th quarter of the country's networks
# (IPv4 /18, IPv6 /34), the last quarter stays country-only. At most three per country.
CITIES: Final[dict[str, tuple[City, ...]]] = {
    "US": (
        City("Austin", "TX", "Texas", "America/Chicago", 30.2672, -97.7431),
        City("Chicago", "IL", "Illinois", "America/Chicago", 41.8781, -87.6298),
        City("New York", "NY", "New York", "America/New_York", 40.7128, -74.0060),
    ),
    "CA": (
        City("Toronto", "ON", "Ontario", "America/Toronto", 43.6532, -79.3832),
        City("Montreal", "QC", "Quebec", "America/Toronto", 45.5019, -73.5674),
    ),
    "GB": (
        City("London", "ENG", "England", "Europe/London", 51.5072, -0.1276),
        City("Edinburgh", "SCT", "Scotland", "Europe/London", 55.9533, -3.1883),
    ),
    "DE": (
        City("Munich", "BY", "Bavaria", "Europe/Berlin", 48.1351, 11.5820),
        City("Berlin", "BE", "Berlin", "Europe/Berlin", 52.5200, 13.4050),
    ),
    "FR": (
        City("Paris", "IDF", "Île-de-France", "Europe/Paris", 48.8566, 2.3522),
        City("Lyon", "ARA", "Auvergne-Rhône-Alpes", "Europe/Paris", 45.7640, 4.8357),
    ),
    "NL": (City("Amsterdam", "NH", "North Holland", "Europe/Amsterdam", 52.3676, 4.9041),),
    "ES": (
        City("Madrid", "MD", "Madrid", "Europe/Madrid", 40.4168, -3.7038),
        City("Barcelona", "CT", "Catalonia", "Europe/Madrid", 41.3874, 2.1686),
    ),
    "JP": (
        City("Tokyo", "13", "Tokyo", "Asia/Tokyo", 35.6762, 139.6503),
        City("Osaka", "27", "Osaka", "Asia/Tokyo", 34.6937, 135.5023),
    ),
    "IN": (
        City("Mumbai", "MH", "Maharashtra", "Asia/Kolkata", 19.0760, 72.8777),
        City("Bengaluru", "KA", "Karnataka", "Asia/Kolkata", 12.9716, 77.5946),
    ),
    "BR": (
        City("São Paulo", "SP", "São Paulo", "America/Sao_Paulo", -23.5505, -46.6333),
        City("Rio de Janeiro", "RJ", "Rio de Janeiro", "America/Sao_Paulo", -22.9068, -43.1729),
    ),
    "MX": (City("Mexico City", "CMX", "Mexico City", "America/Mexico_City", 19.4326, -99.1332),),
    "AU": (
        City("Sydney", "NSW", "New South Wales", "Australia/Sydney", -33.8688, 151.2093),
        City("Melbourne", "VIC", "Victoria", "Australia/Melbourne", -37.8136, 144.9631),
    ),
}

# Public addresses deliberately absent from the database: lookups answer None.
UNLISTED_NETWORKS: Final[tuple[str, ...]] = ("45.0.0.0/16", "2c0f:f000::/32")

DATABASE_TYPE: Final = "GeoLite2-City"
# Files this module wrote say so in their description; the version in it changes with the
# tables, so an older development file is rebuilt rather than read with stale records.
OWNER: Final = "scan-analytics synthetic"
DESCRIPTION: Final = f"{OWNER} development database"
BUILD: Final = 2  # 1: country records only; 2: city records


class DevPlace(NamedTuple):
    """What the synthetic database gives an address: country, region (ISO 3166-2) and city."""

    country: str
    region_code: str | None = None
    region_name: str | None = None
    city: str | None = None


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def city_networks(iso: str) -> list[tuple[City, Network, Network]]:
    """The (city, IPv4 network, IPv6 network) of each city of a listed country."""
    _, v4, v6 = COUNTRY_NETWORKS[iso]
    fours: list[Network] = list(ipaddress.IPv4Network(v4).subnets(prefixlen_diff=2))
    sixes: list[Network] = list(ipaddress.IPv6Network(v6).subnets(prefixlen_diff=2))
    return [(city, fours[i], sixes[i]) for i, city in enumerate(CITIES.get(iso, ()))]


def _country_record(iso: str) -> dict[str, Any]:
    return {"country": {"iso_code": iso, "names": {"en": COUNTRY_NETWORKS[iso][0]}}}


def _city_record(iso: str, city: City) -> dict[str, Any]:
    from mmdb_writer import MmdbF64

    return _country_record(iso) | {
        "subdivisions": [{"iso_code": city.subdivision, "names": {"en": city.subdivision_name}}],
        "city": {"names": {"en": city.name}},
        "location": {
            "latitude": MmdbF64(city.latitude),
            "longitude": MmdbF64(city.longitude),
            "time_zone": city.time_zone,
        },
    }


def build_country_mmdb(path: Path) -> Path:
    """Write the synthetic database (GeoIP2-City layout; IPv6 tree, IPv4-compatible) to path."""
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type=DATABASE_TYPE,
        languages=["en"],
        description={"en": f"{DESCRIPTION}, build {BUILD}"},
    )
    for iso, (_, v4, v6) in COUNTRY_NETWORKS.items():
        rest = IPSet([v4, v6])
        for city, four, six in city_networks(iso):
            networks = IPSet([str(four), str(six)])
            writer.insert_network(networks, _city_record(iso, city))
            rest -= networks
        writer.insert_network(rest, _country_record(iso))
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: several processes (test workers) may build the same path at once.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        writer.to_db_file(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def _is_stale_dev_file(path: Path) -> bool:
    """True for a development database this module wrote with older tables; never for others."""
    import maxminddb

    try:
        with maxminddb.open_database(str(path)) as reader:
            description = reader.metadata().description.get("en", "")
    except (OSError, ValueError, maxminddb.InvalidDatabaseError):
        return False  # not ours to replace: the worker reports what is wrong with it
    return description.startswith(OWNER) and not description.endswith(f"build {BUILD}")


def ensure_country_mmdb(path: Path) -> Path:
    """Build the development database at path unless a current one (or any other file) is there."""
    if path.exists() and not _is_stale_dev_file(path):
        return path
    return build_country_mmdb(path)


def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def country_of(ip: str) -> str | None:
    """Return the country the synthetic table assigns to ip (the simulator's truth)."""
    addr = _address(ip)
    for iso, (_, v4, v6) in COUNTRY_NETWORKS.items():
        if addr in ipaddress.ip_network(v4 if addr.version == 4 else v6):
            return iso
    return None


def place_of(ip: str) -> DevPlace | None:
    """Return country, region and city the synthetic tables assign to ip, or None (unlisted)."""
    iso = country_of(ip)
    if iso is None:
        return None
    addr = _address(ip)
    for city, four, six in city_networks(iso):
        if addr in (four if addr.version == 4 else six):
            return DevPlace(iso, f"{iso}-{city.subdivision}", city.subdivision_name, city.name)
    return DevPlace(iso)
