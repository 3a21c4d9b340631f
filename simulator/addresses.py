"""Client addresses by country, drawn from the development GeoIP table; pure."""

from __future__ import annotations

import ipaddress
import random
from typing import Final

from scan_analytics.devgeo import COUNTRY_NETWORKS, UNLISTED_NETWORKS

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


def _random_address(rng: random.Random, network: str) -> str:
    net = ipaddress.ip_network(network)
    # Skip the network and broadcast addresses.
    offset = rng.randrange(1, net.num_addresses - 1)
    return str(net.network_address + offset)


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

    def draw(self) -> tuple[str, str]:
        """Return an unused (address, country code or "unknown")."""
        while True:
            address, country = self._draw()
            if address not in self._used:
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
