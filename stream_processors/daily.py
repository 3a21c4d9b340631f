"""Stage C: per-day counts by (organization, brand, GTIN, country, device class, bot flag).

Input records come from stage B, each tagged with its origin (B partition,
B offset, index of the emission). Stage B emits the same records again when it
replays after a crash; a per-origin-partition high-water mark (a fence)
applies each emission once. A `scan` emission adds one to its key, a `rate`
emission moves one from the human key to the bot key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from stream_processors import versioned
from stream_processors.records import AggKey, agg_key, day_start_ms
from stream_processors.versioned import History, Session

CountKey = tuple[int, AggKey]  # (UTC day start in epoch ms, dimensions)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an emission of stage B came from."""

    partition: int
    offset: int
    index: int


class CountStore(Protocol):
    def load(self, key: CountKey) -> History | None: ...
    def save(self, key: CountKey, history: History) -> None: ...


class FenceStore(Protocol):
    def load(self, origin_partition: int) -> History | None: ...
    def save(self, origin_partition: int, history: History) -> None: ...


class DailyCounts:
    """Stage C for one partition of the enriched topic in one session."""

    def __init__(self, session: Session, counts: CountStore, fences: FenceStore,
                 committed: Callable[[], int | None]) -> None:
        self.session = session
        self.counts = counts
        self.fences = fences
        self.committed = committed
        self._counts: dict[CountKey, tuple[History, int, int]] = {}  # history, value, offset
        self._fences: dict[int, tuple[History, list[int] | None, int]] = {}
        self._dirty_counts: set[CountKey] = set()
        self._dirty_fences: set[int] = set()

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
        self._dirty_counts.add(key)

    def apply(self, record: dict[str, Any], kind: Literal["scan", "rate"], origin: Origin,
              offset: int) -> bool:
        """Apply one emission delivered at offset; False when it was applied before."""
        fence = self._fences.get(origin.partition)
        if fence is None:
            history = self.fences.load(origin.partition) or []
            fence = (history, versioned.current(history, self.session), -1)
        mark = [origin.offset, origin.index]
        if fence[1] is not None and mark <= fence[1]:
            return False
        self._fences[origin.partition] = (fence[0], mark, offset)
        self._dirty_fences.add(origin.partition)
        day = day_start_ms(int(record["occurred_at"]))
        key = agg_key(record)
        if kind == "rate":
            self._add((day, (*key[:5], False)), -1, offset)
        self._add((day, key), 1, offset)
        return True

    def value(self, key: CountKey) -> int:
        return self._count(key)[1]

    def flush(self) -> list[tuple[CountKey, int]]:
        """Write changed counts and fences to their stores; return the changed (key, count)."""
        changed: list[tuple[CountKey, int]] = []
        committed = self.committed()
        for p in self._dirty_fences:
            history, mark, offset = self._fences[p]
            history = versioned.record(history, self.session, offset, mark, committed)
            self._fences[p] = (history, mark, offset)
            self.fences.save(p, history)
        self._dirty_fences.clear()
        for key in self._dirty_counts:
            history, value, offset = self._counts[key]
            history = versioned.record(history, self.session, offset, value, committed)
            self._counts[key] = (history, value, offset)
            self.counts.save(key, history)
            changed.append((key, value))
        self._dirty_counts.clear()
        return changed
