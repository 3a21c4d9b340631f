"""Each input partition read in offset order, from where it was committed, with no record skipped.

Faust can hand an agent a partition's records out of order around a rebalance: records
fetched or buffered before it arrive after the consumer was sought back to the committed
offset, and its fetcher then drops the records below the stale one as already read (its
read offset moved past them). A record skipped that way is never counted, and the commit
moves past it. Both topics the worker reads are written without transactions, so their
offsets have no holes: any jump is a skip.

`Order` keeps, per partition, the next offset the worker must process. A record at that
offset is processed; one below it was processed already (a redelivery); one above it
means records were skipped: the worker seeks back and holds the records until the
missing ones arrive.
"""

from __future__ import annotations

from collections.abc import Hashable
from enum import Enum
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)  # a topic partition


class Verdict(Enum):
    NEXT = "next"  # the expected record: process it
    SEEN = "seen"  # processed already in this ownership: drop it
    AHEAD = "ahead"  # records before it were skipped: do not process or acknowledge it


class Rewind(Enum):
    SEEK = "seek"  # read the partition again from its expected offset
    WAIT = "wait"  # a seek was asked for: wait for the expected record
    GIVE_UP = "give_up"  # the expected record did not come: it is gone from the topic


class Order(Generic[K]):
    """The next offset to process per partition, for the partitions this worker owns."""

    def __init__(self, retry: float = 5.0, patience: float = 60.0) -> None:
        self.retry = retry  # seconds after a seek before seeking again if the record has not come
        self.patience = patience  # seconds after the first seek before giving up on the record
        self._next: dict[K, int] = {}
        self._first: dict[K, int] = {}
        self._owner: dict[K, int] = {}  # tp -> serial of its current ownership
        self._serial = 0
        # tp -> (offset sought, first seek, last seek, lowest offset seen since)
        self._rewinding: dict[K, tuple[int, float, float, int]] = {}

    def start(self, tp: K, offset: int) -> None:
        """Own tp from offset (its committed offset: where reading resumes)."""
        self._next[tp] = self._first[tp] = offset
        self._serial += 1
        self._owner[tp] = self._serial
        self._rewinding.pop(tp, None)

    def owns(self, tp: K) -> bool:
        return tp in self._next

    def forget(self, tp: K) -> None:
        self._next.pop(tp, None)
        self._first.pop(tp, None)
        self._owner.pop(tp, None)
        self._rewinding.pop(tp, None)

    def expected(self, tp: K) -> int:
        return self._next[tp]

    def ownership(self, tp: K) -> int | None:
        """A number for the current ownership of tp (a new one each `start`); None: not owned."""
        return self._owner.get(tp)

    def first(self, tp: K) -> int:
        """The offset this ownership of tp began reading at: where its state's session starts.

        Not `expected`: records admitted already may not have reached the state yet.
        """
        return self._first[tp]

    def check(self, tp: K, offset: int) -> Verdict:
        """Judge the record of tp at offset; NEXT advances the expected offset."""
        expected = self._next[tp]
        if offset == expected:
            self._next[tp] = offset + 1
            self._rewinding.pop(tp, None)
            return Verdict.NEXT
        return Verdict.SEEN if offset < expected else Verdict.AHEAD

    def rewind(self, tp: K, offset: int, now: float) -> Rewind:
        """What to do about the record of tp at offset, AHEAD of the expected one, at time now.

        The first time, seek back. If the expected record has not come `patience` seconds
        after the first seek (retention deleted it while the partition was not read, and the
        consumer went on from the earliest record it still has), give up on it: `give_up`.
        """
        expected = self._next[tp]
        asked = self._rewinding.get(tp)
        if asked is None or asked[0] != expected:
            self._rewinding[tp] = (expected, now, now, offset)
            return Rewind.SEEK
        sought, first, last, lowest = asked
        self._rewinding[tp] = (sought, first, last, min(lowest, offset))
        return Rewind.GIVE_UP if now - first > self.patience else Rewind.WAIT

    def give_up(self, tp: K) -> int:
        """Go on from the lowest offset seen since the seek (to be read again); return it."""
        _sought, _first, _last, lowest = self._rewinding.pop(tp)
        self._next[tp] = lowest
        return lowest

    def overdue(self, now: float) -> list[tuple[K, int]]:
        """Partitions sought back more than `retry` seconds ago whose record has not come.

        Records fetched before a seek can still arrive after it and move faust's read offset
        past the sought one again, so a seek may bring nothing: the caller seeks again.
        """
        out = []
        for tp, (offset, first, last, lowest) in self._rewinding.items():
            if now - last > self.retry:
                out.append((tp, offset))
                self._rewinding[tp] = (offset, first, now, lowest)
        return out
