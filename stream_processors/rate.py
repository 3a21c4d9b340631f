"""Behavioural bot detection by client IP, as a function of the set of events.

An event e from IP a at time t is a rate bot when, among a's distinct events,
more than `per_minute` have occurred_at in (t - 60 s, t], or more than
`gtins_5min` distinct GTINs occur in (t - 300 s, t] (e included in both).
The verdict depends on the set only, so it is reached whatever the arrival
order: an event arriving late can push already-seen later events over a
threshold, and those are reported as flipped.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

MINUTE_MS: Final = 60_000
FIVE_MINUTES_MS: Final = 300_000


class Seen(Protocol):
    """What the rule needs of an event."""

    @property
    def at_ms(self) -> int: ...
    @property
    def gtin(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RateRule:
    """Thresholds: more than per_minute scans a minute or gtins_5min distinct GTINs in 5 minutes."""

    per_minute: int = 30
    gtins_5min: int = 20

    def fires(self, at_ms: int, times: Sequence[int], events: Sequence[Seen]) -> bool:
        """Whether an event at at_ms is a rate bot, given its IP's events sorted by time.

        `times[i]` is `events[i].at_ms`; the events must cover (at_ms - 300 s, at_ms].
        """
        last = bisect_right(times, at_ms)
        if last - bisect_right(times, at_ms - MINUTE_MS) > self.per_minute:
            return True
        first = bisect_right(times, at_ms - FIVE_MINUTES_MS)
        if last - first <= self.gtins_5min:
            return False
        gtins: set[str] = set()
        for i in range(first, last):
            gtins.add(events[i].gtin)
            if len(gtins) > self.gtins_5min:
                return True
        return False


def affected_range(times: Sequence[int], at_ms: int) -> range:
    """Indices of the events whose verdict a new event at at_ms can change: [at_ms, at_ms + 300 s)."""
    return range(bisect_left(times, at_ms), bisect_left(times, at_ms + FIVE_MINUTES_MS))
