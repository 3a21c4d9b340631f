"""Date windows: defaults, limits, and the split into daily and monthly ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_WINDOW_DAYS = 30  # `since` defaults to 30 days before `until`
MAX_WINDOW_DAYS = 731  # two years, inclusive of both ends
EARLIEST = date(1970, 1, 1)
LATEST = date(9998, 12, 31)


@dataclass(frozen=True)
class Window:
    """An inclusive range of UTC days."""

    since: date
    until: date

    def __post_init__(self) -> None:
        if self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}")

    @property
    def length(self) -> int:
        return (self.until - self.since).days + 1

    def days(self) -> list[date]:
        """Return every day of the window, in order."""
        return [self.since + timedelta(days=i) for i in range(self.length)]


@dataclass(frozen=True)
class Split:
    """A window as half-open ranges: daily head, whole months, daily tail (each may be empty)."""

    head: tuple[date, date]
    months: tuple[date, date]
    tail: tuple[date, date]


def first_of_next_month(day: date) -> date:
    """Return the first day of the month after `day`'s month."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def split(window: Window) -> Split:
    """Split `window` so that whole calendar months can be read from the monthly rollup."""
    end = window.until + timedelta(days=1)
    first_full = window.since if window.since.day == 1 else first_of_next_month(window.since)
    after_full = end.replace(day=1)
    if first_full >= after_full:
        return Split(head=(window.since, end), months=(end, end), tail=(end, end))
    return Split(head=(window.since, first_full), months=(first_full, after_full), tail=(after_full, end))
