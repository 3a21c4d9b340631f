"""Is a declared agent really its operator's? Its client IP against the operator's published ranges.

Snapshots are JSON files in the operators' own shape (`{"creationTime": ..., "prefixes":
[{"ipv4Prefix": ...}, {"ipv6Prefix": ...}]}`, as Google, OpenAI and Apple publish them),
one per list, in `stream_processors/agents/ranges/` with `SOURCES.json` saying where each
came from. Lookups are a bisect over sorted integer ranges.
"""

from __future__ import annotations

import bisect
import ipaddress
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from stream_processors.agents.catalog import BY_NAME
from stream_processors.enrich import Classification

RANGES_DIR: Final = Path(__file__).parent / "ranges"
Status = Literal["verified", "unverified", "spoofed"]


class RangeError(ValueError):
    """A range file that is not in the operators' shape."""


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer for one (agent, IP), and the snapshot it was checked against (None: no list)."""

    status: Status
    ranges: str | None = None
    created: str | None = None


def parse_ranges(doc: Any) -> tuple[str, list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    """Return (creationTime, networks) of a document in the operators' shape."""
    if not isinstance(doc, dict) or not isinstance(doc.get("prefixes"), list):
        raise RangeError("expected an object with a 'prefixes' list")
    created = doc.get("creationTime")
    if not isinstance(created, str):
        raise RangeError("expected a 'creationTime' string")
    networks = []
    for item in doc["prefixes"]:
        prefix = item.get("ipv4Prefix") or item.get("ipv6Prefix") if isinstance(item, dict) else None
        if not isinstance(prefix, str):
            raise RangeError(f"not a prefix entry: {item!r}")
        try:
            networks.append(ipaddress.ip_network(prefix, strict=False))
        except ValueError as e:
            raise RangeError(f"not a network: {prefix!r}") from e
    if not networks:
        raise RangeError("no prefixes")
    return created, networks


class RangeList:
    """Sorted, merged integer ranges of one list, per IP version."""

    def __init__(self, created: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> None:
        self.created = created
        self._starts: dict[int, list[int]] = {4: [], 6: []}
        self._ends: dict[int, list[int]] = {4: [], 6: []}
        for version in (4, 6):
            spans = sorted(
                (int(n.network_address), int(n.broadcast_address)) for n in networks if n.version == version
            )
            for start, end in spans:
                ends = self._ends[version]
                if ends and start <= ends[-1] + 1:
                    ends[-1] = max(ends[-1], end)
                else:
                    self._starts[version].append(start)
                    ends.append(end)

    def __contains__(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        value = int(address)
        i = bisect.bisect_right(self._starts[address.version], value) - 1
        return i >= 0 and value <= self._ends[address.version][i]


class Snapshot:
    """Every range list of a directory, by list name (file name without .json)."""

    def __init__(self, lists: dict[str, RangeList]) -> None:
        self.lists = lists

    @classmethod
    def load(cls, directory: Path = RANGES_DIR) -> Snapshot:
        lists = {}
        for path in sorted(directory.glob("*.json")):
            if path.name == "SOURCES.json":
                continue
            created, networks = parse_ranges(json.loads(path.read_text()))
            lists[path.stem] = RangeList(created, networks)
        return cls(lists)

    def oldest(self) -> datetime | None:
        """Return the oldest creationTime of the lists: the date to put on a metric."""
        dates = [_parse_time(r.created) for r in self.lists.values()]
        return min(dates) if dates else None


def _parse_time(text: str) -> datetime:
    """A creationTime as an aware datetime; operators publish it with and without a zone (UTC)."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@cache
def default_snapshot() -> Snapshot:
    """Return the snapshot shipped in the package, loaded once."""
    return Snapshot.load()


def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        addr = ipaddress.ip_address(ip.strip())
    except (ValueError, AttributeError):
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def verify(agent_name: str | None, ip: str, snapshot: Snapshot | None = None) -> Verification:
    """Check a declared agent's client IP against its operator's published ranges.

    verified: inside them; spoofed: the agent has published ranges and ip is a valid address
    outside them; unverified: no agent, an agent without a published list, or no usable ip.
    """
    agent = BY_NAME.get(agent_name) if agent_name else None
    if agent is None or agent.ranges is None:
        return Verification("unverified")
    snapshot = snapshot or default_snapshot()
    ranges = snapshot.lists.get(agent.ranges)
    address = _address(ip)
    if ranges is None or address is None:
        if ranges is None:
            return Verification("unverified")
        return Verification("unverified", agent.ranges, ranges.created)
    status: Status = "verified" if address in ranges else "spoofed"
    return Verification(status, agent.ranges, ranges.created)


def with_verification(cls: Classification, verification: Verification) -> Classification:
    """Return cls as the worker should publish it, carrying the verification status.

    A spoofed claim is a bot, whatever the User-Agent says.
    """
    if verification.status != "spoofed":
        return replace(cls, verification=verification.status)
    return replace(
        cls,
        is_bot=True,
        traffic_class="bot",
        device_class="bot",
        bot_reason="spoofed_agent",
        category="unknown_bot",
        verification="spoofed",
    )
