"""Daily counts by the key of scan_daily_summary (records.AggKey), per partition, split by hour.

The rate stage hands over each emission with the offset of the internal record
it came from: a `scan` adds one to its key, a `rate` moves one from the human key
to the bot key. Counts are `versioned`, so a replay after a crash first forgets
what the uncommitted records had added, and counts them again.

One stored value per (day, key) holds the day's counts by UTC hour of event time, so
hourly counts cost no table write beyond the daily ones; the day's count is their sum.
Values stored before hours were kept are a plain count: its hours are unknown (`UNKNOWN_HOUR`),
it still counts for the day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from stream_processors import versioned
from stream_processors.records import DAY_MS, HOUR_MS, AggKey, agg_key, day_start_ms, human_key
from stream_processors.versioned import History, Session

CountKey = tuple[int, AggKey]  # (start of the UTC day or hour in epoch ms, dimensions)
Hours = dict[int, int]  # hour of the day (0-23, or UNKNOWN_HOUR) -> count
UNKNOWN_HOUR: Final = -1


class CountStore(Protocol):
    def load(self, key: CountKey) -> History | None: ...
    def save(self, key: CountKey, history: History) -> None: ...


def hours_of(stored: Any) -> Hours:
    """A stored value as counts by hour: {"13": 2, ...}, or a count of unknown hours (older values)."""
    if isinstance(stored, dict):
        return {int(h): int(n) for h, n in stored.items()}
    return {UNKNOWN_HOUR: int(stored)} if stored else {}


def stored(hours: Hours) -> dict[str, int]:
    return {str(h): n for h, n in hours.items()}


@dataclass(frozen=True, slots=True)
class Changed:
    """What a flush changed: absolute counts of days, and of the hours that changed."""

    days: list[tuple[CountKey, int]]
    hours: list[tuple[CountKey, int]]


class DailyCounts:
    """Counts of one partition of the internal topic in one session; each key written once per batch."""

    def __init__(self, session: Session, counts: CountStore, committed: Callable[[], int | None]) -> None:
        self.session = session
        self.counts = counts
        self.committed = committed
        self._counts: dict[CountKey, tuple[History, Hours, int]] = {}  # history, hours, offset
        self._dirty: dict[CountKey, set[int]] = {}  # key -> hours changed since the last flush

    def _count(self, key: CountKey) -> tuple[History, Hours, int]:
        got = self._counts.get(key)
        if got is None:
            history = self.counts.load(key) or []
            got = (history, hours_of(versioned.current(history, self.session, 0)), -1)
            self._counts[key] = got
        return got

    def _add(self, key: CountKey, hour: int, delta: int, offset: int) -> None:
        history, hours, _ = self._count(key)
        hours[hour] = hours.get(hour, 0) + delta
        self._counts[key] = (history, hours, offset)
        self._dirty.setdefault(key, set()).add(hour)

    def apply(self, record: dict[str, Any], kind: Literal["scan", "rate"], offset: int) -> None:
        """Apply one emission of the record delivered at offset."""
        at_ms = int(record["occurred_at"])
        day = day_start_ms(at_ms)
        hour = (at_ms - day) // HOUR_MS
        key = agg_key(record)
        if kind == "rate":
            self._add((day, human_key(key)), hour, -1, offset)
        self._add((day, key), hour, 1, offset)

    def value(self, key: CountKey) -> int:
        """The day's count of key."""
        return sum(self._count(key)[1].values())

    def flush(self) -> Changed:
        """Write changed counts to their store; return the changed days and hours."""
        days: list[tuple[CountKey, int]] = []
        hours: list[tuple[CountKey, int]] = []
        committed = self.committed()
        for key, changed in self._dirty.items():
            history, by_hour, offset = self._counts[key]
            history = versioned.record(history, self.session, offset, stored(by_hour), committed)
            self._counts[key] = (history, by_hour, offset)
            self.counts.save(key, history)
            day, dims = key
            days.append((key, sum(by_hour.values())))
            hours.extend(
                ((day + h * HOUR_MS, dims), by_hour[h]) for h in changed if 0 <= h < DAY_MS // HOUR_MS
            )
        self._dirty.clear()
        return Changed(days, hours)

    def forget(self, limit: int) -> None:
        """Drop cached clean counts when the cache holds more than limit."""
        if len(self._counts) > limit:
            for k in [k for k in self._counts if k not in self._dirty]:
                del self._counts[k]


def recovered(day_ms: int, dims: AggKey, value: Any) -> Changed:
    """A stored value as the day's count and its hours' counts, as a flush reports them."""
    by_hour = hours_of(value)
    return Changed(
        [((day_ms, dims), sum(by_hour.values()))],
        [((day_ms + h * HOUR_MS, dims), n) for h, n in by_hour.items() if h != UNKNOWN_HOUR],
    )
