"""Client addresses by country, drawn from the development GeoIP table; and agents' published ranges.

Drawing is pure; `load_ranges` reads the operators' IP-range lists the project ships
(stream_processors/agents/ranges/*.json) so that verified agents come from inside them and
spoofed claims from outside.
"""

from __future__ import annotations

import ipaddress
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

from scan_analytics.devgeo import COUNTRY_NETWORKS, UNLISTED_NETWORKS, country_of

UNKNOWN: Final = "unknown"
COUNTRY_WEIGHTS: Final[dict[str, float]] = {
    "US": 25,
    "DE": 10,
    "GB": 10,
    "FR": 8,
    "JP": 8,
    "IN": 8,
    "BR": 6,
    "CA": 5,
    "NL": 4,
    "ES": 4,
    "MX": 4,
    "AU": 4,
}
PRIVATE_NETWORKS: Final = ("10.0.0.0/8", "192.168.0.0/16", "fd00::/8")
LANGUAGES: Final[dict[str, str]] = {
    "US": "en-US,en;q=0.9",
    "CA": "en-CA,en;q=0.9,fr-CA;q=0.8",
    "GB": "en-GB,en;q=0.9",
    "DE": "de-DE,de;q=0.9",
    "FR": "fr-FR,fr;q=0.9",
    "NL": "nl-NL,nl;q=0.9,en;q=0.8",
    "ES": "es-ES,es;q=0.9",
    "JP": "ja-JP,ja;q=0.9",
    "IN": "en-IN,hi;q=0.9",
    "BR": "pt-BR,pt;q=0.9",
    "MX": "es-MX,es;q=0.9",
    "AU": "en-AU,en;q=0.9",
}


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
RANGES_PACKAGE: Final = "stream_processors.agents"  # its ranges/ directory holds the lists


def _random_address(rng: random.Random, network: str | Network) -> str:
    net = ipaddress.ip_network(network) if isinstance(network, str) else network
    if net.num_addresses <= 2:  # a /32, /31 (or IPv6 /128, /127): every address is a host
        return str(net.network_address + rng.randrange(net.num_addresses))
    # Skip the network and broadcast addresses.
    offset = rng.randrange(1, net.num_addresses - 1)
    return str(net.network_address + offset)


def geo_country(ip: str) -> str:
    """Return the country the development GeoIP database gives ip, or "unknown" (no record)."""
    return country_of(ip) or UNKNOWN


@dataclass(frozen=True, slots=True)
class RangeList:
    """One operator's published IP ranges (a file of stream_processors/agents/ranges/)."""

    name: str
    networks: tuple[Network, ...]

    def __contains__(self, ip: object) -> bool:
        if not isinstance(ip, str):
            return False
        address = ipaddress.ip_address(ip)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address.version == n.version and address in n for n in self.networks)

    def draw(self, rng: random.Random) -> str:
        """Return an address inside the list (a prefix chosen uniformly, then an address in it)."""
        return _random_address(rng, rng.choice(self.networks))


def parse_range_list(name: str, doc: object) -> RangeList:
    """Read a list in the operators' shape: {"creationTime": ..., "prefixes": [{"ipv4Prefix": ...}]}."""
    prefixes = doc.get("prefixes") if isinstance(doc, dict) else None
    if not isinstance(prefixes, list):
        raise ValueError(f"range list {name}: expected an object with a 'prefixes' list")
    networks: list[Network] = []
    for item in prefixes:
        prefix = (item.get("ipv4Prefix") or item.get("ipv6Prefix")) if isinstance(item, dict) else None
        if not isinstance(prefix, str):
            raise ValueError(f"range list {name}: not a prefix entry: {item!r}")
        networks.append(ipaddress.ip_network(prefix, strict=False))
    if not networks:
        raise ValueError(f"range list {name}: no prefixes")
    return RangeList(name, tuple(networks))


def load_ranges(directory: Traversable | None = None) -> dict[str, RangeList]:
    """Return every shipped range list by name (file name without .json), SOURCES.json aside.

    Which lists exist is read at call time: a list added later changes the plan.
    """
    directory = directory or resources.files(RANGES_PACKAGE).joinpath("ranges")
    if not directory.is_dir():
        return {}
    lists = {}
    for entry in sorted(directory.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json") or entry.name == "SOURCES.json":
            continue
        name = entry.name.removesuffix(".json")
        lists[name] = parse_range_list(name, json.loads(entry.read_text(encoding="utf-8")))
    return lists


class AddressBook:
    """Draw distinct client addresses with the country the GeoIP table gives them."""

    def __init__(self, rng: random.Random, unknown_share: float = 0.05, ipv6_share: float = 0.3) -> None:
        self._rng = rng
        self._unknown_share = unknown_share
        self._ipv6_share = ipv6_share
        self._used: set[str] = set()
        self._countries = list(COUNTRY_WEIGHTS)
        self._weights = list(COUNTRY_WEIGHTS.values())

    def forget(self) -> None:
        """Forget the addresses drawn so far (they may be drawn again)."""
        self._used.clear()

    def draw(self, avoid: Iterable[RangeList] = ()) -> tuple[str, str]:
        """Return an unused (address, country code or "unknown"), outside every list in avoid."""
        avoid = tuple(avoid)
        while True:
            address, country = self._draw()
            if address not in self._used and not any(address in ranges for ranges in avoid):
                self._used.add(address)
                return address, country

    def _draw(self) -> tuple[str, str]:
        rng = self._rng
        if rng.random() < self._unknown_share:
            pool = UNLISTED_NETWORKS + PRIVATE_NETWORKS
            return _random_address(rng, rng.choice(pool)), UNKNOWN
        country = rng.choices(self._countries, self._weights)[0]
        _, v4, v6 = COUNTRY_NETWORKS[country]
        return _random_address(rng, v6 if rng.random() < self._ipv6_share else v4), country


def accept_language(country: str) -> str:
    """Return a plausible Accept-Language header for a country."""
    return LANGUAGES.get(country, "en;q=0.8")
