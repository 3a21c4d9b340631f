"""Pure enrichment: User-Agent classification and client-IP country, region and city lookup.

No Kafka, faust or database imports: agents, benchmarks and tests call these directly.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple

import maxminddb

from stream_processors.agents.detect import detect
from stream_processors.devices import device_class

DeviceClass = Literal["mobile", "tablet", "desktop", "bot", "other"]
TrafficClass = Literal["human", "ai_agent", "bot"]

# Everything that identifies a client sits in the first few hundred characters, and the
# regexes' cost grows with length.
PARSE_LIMIT: Final = 512
CACHE_SIZE: Final = 65_536

_REASONS: Final = {"http_client": "automation_client", "headless_browser": "automation_client"}


@dataclass(frozen=True, slots=True)
class Classification:
    """What a User-Agent says about its client, and the classifier's verdict.

    `category` is None for people (see docs/agents.md for the taxonomy); `operator` is the
    organisation that runs a declared agent, when known.
    """

    device_class: DeviceClass
    is_bot: bool
    traffic_class: TrafficClass
    agent_name: str | None = None
    bot_reason: str | None = None
    category: str | None = None
    operator: str | None = None
    verification: str | None = None  # of a declared agent against its operator's ranges (agents.verify)


MISSING: Final = Classification("other", True, "bot", None, "missing_user_agent", "unknown_bot")


@lru_cache(maxsize=CACHE_SIZE)
def _classify(ua: str) -> Classification:
    head = ua[:PARSE_LIMIT]
    agent = detect(head)
    if agent is not None:
        if agent.traffic_class == "ai_agent":
            return Classification(
                "bot", True, "ai_agent", agent.name, "ai_agent", agent.category, agent.operator
            )
        reason = _REASONS.get(agent.category, "declared_crawler")
        return Classification("bot", True, "bot", agent.name, reason, agent.category, agent.operator)
    return Classification(device_class(head), False, "human")


def classify_user_agent(user_agent: str | None) -> Classification:
    """Classify a User-Agent header; None, empty and garbage are answered, never raised on."""
    if user_agent is None or not isinstance(user_agent, str) or not user_agent.strip():
        return MISSING
    return _classify(user_agent)


def _lookup_address(ip: str) -> str | None:
    """Return the address to look up, or None for invalid and non-public addresses."""
    try:
        addr = ipaddress.ip_address(ip.strip())
    except (ValueError, AttributeError):
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if not addr.is_global or addr.is_multicast:
        return None
    return str(addr)


# Bounds on what a GeoIP database may put in a record. Its values are not trusted: a
# tampered or broken file must not push control characters or megabytes of text into the
# enriched topic. The longest English city and region names in GeoNames are well under
# 100 characters; a longer value is not a name and counts as missing.
NAME_LIMIT: Final = 128
_SUBDIVISION = re.compile(r"[A-Z0-9]{1,3}")  # ISO 3166-2: the part after "CC-"
_COUNTRY = re.compile(r"[A-Z]{2}")


class Place(NamedTuple):
    """Where a client IP is: ISO 3166-1 country, ISO 3166-2 region ("US-TX") and English names.

    A Country database gives the country alone; a City database may still lack any part.
    """

    country: str | None
    region_code: str | None = None
    region_name: str | None = None
    city: str | None = None


NOWHERE: Final = Place(None)


def _name(value: object) -> str | None:
    """Return a database name made safe: printable, spaces collapsed, bounded; else None."""
    if not isinstance(value, str):
        return None
    if not value.isprintable():  # control, format, private-use, unassigned; spaces but " "
        value = "".join(
            " " if c.isspace() else c for c in value if c.isspace() or unicodedata.category(c)[0] != "C"
        )
    value = " ".join(value.split())
    return value if 0 < len(value) <= NAME_LIMIT else None


def _english(node: object) -> str | None:
    names = node.get("names") if isinstance(node, dict) else None
    return _name(names.get("en")) if isinstance(names, dict) else None


def _code(node: object, pattern: re.Pattern[str]) -> str | None:
    code = node.get("iso_code") if isinstance(node, dict) else None
    return code if isinstance(code, str) and pattern.fullmatch(code) else None


def _country_of(record: dict[str, Any]) -> str | None:
    return _code(record.get("country") or record.get("registered_country"), _COUNTRY)


class GeoResolver:
    """Country, region and city of a client IP from a GeoIP2/GeoLite2 or DB-IP Lite database.

    Reads Country and City databases alike with maxminddb's memory-mapped C reader; both
    lookups are cached (LRU, `cache_size` addresses each).
    """

    def __init__(self, mmdb_path: Path | str, cache_size: int = CACHE_SIZE) -> None:
        self._reader = maxminddb.open_database(str(mmdb_path), maxminddb.MODE_MMAP_EXT)
        self.country = lru_cache(maxsize=cache_size)(self._country)  # type: ignore[method-assign]
        self.place = lru_cache(maxsize=cache_size)(self._place)  # type: ignore[method-assign]

    def _record(self, ip: str) -> dict[str, Any] | None:
        address = _lookup_address(ip)
        if address is None:
            return None
        try:
            record = self._reader.get(address)
        except ValueError:
            return None
        return record if isinstance(record, dict) else None

    def _country(self, ip: str) -> str | None:
        record = self._record(ip)
        return None if record is None else _country_of(record)

    def _place(self, ip: str) -> Place | None:
        record = self._record(ip)
        if record is None:
            return None
        country = _country_of(record)
        subdivisions = record.get("subdivisions")
        region = subdivisions[0] if isinstance(subdivisions, list) and subdivisions else None
        subdivision = _code(region, _SUBDIVISION)
        place = Place(
            country,
            f"{country}-{subdivision}" if country and subdivision else None,
            _english(region),
            _english(record.get("city")),
        )
        return None if place == NOWHERE else place

    def country(self, ip: str) -> str | None:
        """Return the ISO 3166-1 alpha-2 code of ip, or None (private, reserved, unknown, invalid)."""
        return self._country(ip)

    def place(self, ip: str) -> Place | None:
        """Return country, region and city of ip (each None when unknown), or None when none is."""
        return self._place(ip)

    def close(self) -> None:
        self._reader.close()
