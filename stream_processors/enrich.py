"""Pure enrichment: User-Agent classification and client-IP country lookup.

No Kafka, faust or database imports: agents, benchmarks and tests call these directly.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal

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


class GeoResolver:
    """Country of a client IP from a GeoIP2/GeoLite2 Country database (memory-mapped C reader)."""

    def __init__(self, mmdb_path: Path | str, cache_size: int = CACHE_SIZE) -> None:
        self._reader = maxminddb.open_database(str(mmdb_path), maxminddb.MODE_MMAP_EXT)
        self.country = lru_cache(maxsize=cache_size)(self._country)  # type: ignore[method-assign]

    def _country(self, ip: str) -> str | None:
        address = _lookup_address(ip)
        if address is None:
            return None
        try:
            record = self._reader.get(address)
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None
        country = record.get("country") or record.get("registered_country")
        if not isinstance(country, dict):
            return None
        code = country.get("iso_code")
        return code if isinstance(code, str) and len(code) == 2 else None

    def country(self, ip: str) -> str | None:
        """Return the ISO 3166-1 alpha-2 code of ip, or None (private, reserved, unknown, invalid)."""
        return self._country(ip)

    def close(self) -> None:
        self._reader.close()
