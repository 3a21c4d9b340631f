"""Daily (or hourly) counts by the key of scan_daily_summary (records.AggKey), per partition.

The rate stage hands over each emission with the offset of the internal record
it came from: a `scan` adds one to its key, a `rate` moves one from the human key
to the bot key. Counts are `versioned`, so a replay after a crash first forgets
what the uncommitted records had added, and counts them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

from stream_processors import versioned
from stream_processors.records import AggKey, agg_key, day_start_ms, human_key
from stream_processors.versioned import History, Session

CountKey = tuple[int, AggKey]  # (start of the UTC day or hour in epoch ms, dimensions)


class CountStore(Protocol):
    def load(self, key: CountKey) -> History | None: ...
    def save(self, key: CountKey, history: History) -> None: ...


class DailyCounts:
    """Counts of one partition of the internal topic in one session; each key written once per batch.

    Keys start at the UTC day of the scan's event time, or at its UTC hour with
    `start_of=hour_start_ms`.
    """

    def __init__(
        self,
        session: Session,
        counts: CountStore,
        committed: Callable[[], int | None],
        start_of: Callable[[int], int] = day_start_ms,
    ) -> None:
        self.session = session
        self.counts = counts
        self.committed = committed
        self.start_of = start_of
        self._counts: dict[CountKey, tuple[History, int, int]] = {}  # history, value, offset
        self._dirty: set[CountKey] = set()

    def _count(self, key: CountKey) -> tuple[History, int, int]:
        got = self._counts.get(key)
        if got is None:
            history = self.counts.load(key) or []
            got = (history, int(versioned.current(history, self.session, 0)), -1)
            self._counts[key] = got
        return got

    def _add(self, key: CountKey, delta: int, offset: int) -> None:
        history, value, _ = self._count(key)
        self._counts[key] = (history, value + delta, offset)
        self._dirty.add(key)

    def apply(self, record: dict[str, Any], kind: Literal["scan", "rate"], offset: int) -> None:
        """Apply one emission of the record delivered at offset."""
        start = self.start_of(int(record["occurred_at"]))
        key = agg_key(record)
        if kind == "rate":
            self._add((start, human_key(key)), -1, offset)
        self._add((start, key), 1, offset)

    def value(self, key: CountKey) -> int:
        return self._count(key)[1]

    def flush(self) -> list[tuple[CountKey, int]]:
        """Write changed counts to their store; return the changed (key, count)."""
        changed: list[tuple[CountKey, int]] = []
        committed = self.committed()
        for key in self._dirty:
            history, value, offset = self._counts[key]
            history = versioned.record(history, self.session, offset, value, committed)
            self._counts[key] = (history, value, offset)
            self.counts.save(key, history)
            changed.append((key, value))
        self._dirty.clear()
        return changed

    def forget(self, limit: int) -> None:
        """Drop cached clean counts when the cache holds more than limit."""
        if len(self._counts) > limit:
            for k in [k for k in self._counts if k not in self._dirty]:
                del self._counts[k]
