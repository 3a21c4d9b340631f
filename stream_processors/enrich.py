"""Pure enrichment: User-Agent classification and client-IP country lookup.

No Kafka, faust or database imports: agents, benchmarks and tests call these directly.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal

import maxminddb
import user_agents

from stream_processors.bots import AI_AGENTS, AUTOMATION_CLIENTS, CRAWLERS

DeviceClass = Literal["mobile", "tablet", "desktop", "bot", "other"]
TrafficClass = Literal["human", "ai_agent", "bot"]

# user-agents' regexes are slow on huge strings; everything that identifies a client
# sits in the first few hundred characters.
PARSE_LIMIT: Final = 512
CACHE_SIZE: Final = 65_536

# Tokens whose whole-word form is too broad: "Java/17" and "Java-http-client/17" only.
_OVERRIDES: Final[dict[str, str]] = {"Java": r"Java(?=/|-http-client)"}


def _token_regex(tokens: tuple[str, ...]) -> re.Pattern[str]:
    end = r"(?![\w-])"
    parts = [f"(?P<t{i}>{_OVERRIDES.get(t, re.escape(t) + end)})" for i, t in enumerate(tokens)]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + ")", re.IGNORECASE)


_AI = _token_regex(AI_AGENTS)
_CRAWLERS = _token_regex(CRAWLERS)
_AUTOMATION = _token_regex(AUTOMATION_CLIENTS)


@dataclass(frozen=True, slots=True)
class Classification:
    """What a User-Agent says about its client, and the classifier's verdict."""

    device_class: DeviceClass
    is_bot: bool
    traffic_class: TrafficClass
    agent_name: str | None = None
    bot_reason: str | None = None


MISSING: Final = Classification("other", True, "bot", None, "missing_user_agent")


def _match(pattern: re.Pattern[str], tokens: tuple[str, ...], ua: str) -> str | None:
    m = pattern.search(ua)
    if m is None or m.lastgroup is None:
        return None
    return tokens[int(m.lastgroup[1:])]


@lru_cache(maxsize=CACHE_SIZE)
def _classify(ua: str) -> Classification:
    head = ua[:PARSE_LIMIT]
    if name := _match(_AI, AI_AGENTS, head):
        return Classification("bot", True, "ai_agent", name, "ai_agent")
    if name := _match(_CRAWLERS, CRAWLERS, head):
        return Classification("bot", True, "bot", name, "declared_crawler")
    if name := _match(_AUTOMATION, AUTOMATION_CLIENTS, head):
        return Classification("bot", True, "bot", name, "automation_client")
    parsed = user_agents.parse(head)
    if parsed.is_bot:
        return Classification("bot", True, "bot", parsed.browser.family or None, "declared_crawler")
    device: DeviceClass
    if parsed.is_mobile:
        device = "mobile"
    elif parsed.is_tablet:
        device = "tablet"
    elif parsed.is_pc:
        device = "desktop"
    else:
        device = "other"
    return Classification(device, False, "human")


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
