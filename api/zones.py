"""The caller's days and hours in a time zone, as ranges of UTC hours of the hourly counts (pure).

Counts are kept per UTC hour (scan_hourly_summary), so a local day is exactly a run of them
only when it begins on a UTC hour: its midnight's offset is a whole number of hours. A local
hour likewise. Zones with offsets such as +05:30 or +05:45 cannot be answered exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from api.window import Window

UTC_ZONE = ZoneInfo("UTC")
HOUR_SECONDS = 3600
_DAY = timedelta(days=1)
# files of a system's zone folder that are not IANA names (the server's own zone, a template)
_NOT_ZONES = frozenset({"localtime", "posixrules"})


@cache
def zone_names() -> frozenset[str]:
    """Return every IANA time zone name this process knows."""
    return frozenset(available_timezones()) - _NOT_ZONES


@cache
def _folded_names() -> dict[str, str]:
    return {name.casefold(): name for name in zone_names()}


def zone_named(name: str) -> ZoneInfo | None:
    """Return the zone called `name` (exactly, as IANA spells it), or None."""
    return ZoneInfo(name) if name in zone_names() else None


def spelled_like(name: str) -> str | None:
    """Return the zone name that `name` is a miscapitalised spelling of, if any."""
    return _folded_names().get(name.strip().casefold())


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """Return the UTC instant at which `day` begins in `zone`.

    A midnight skipped by a clock change begins the day at the change (the offset before it).
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_starts(window: Window, zone: ZoneInfo) -> list[datetime]:
    """Return the UTC instants at which each day of `window` begins in `zone`, then the window's end."""
    first = window.since.toordinal()
    return [midnight(date.fromordinal(n), zone) for n in range(first, first + window.length + 1)]


def utc_range(window: Window, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the half-open UTC range [first local midnight, local midnight after the last day)."""
    return midnight(window.since, zone), midnight(window.until + _DAY, zone)


@lru_cache(maxsize=4096)  # a window's every midnight is looked at; the same windows come back all day
def is_utc_days(window: Window, zone: ZoneInfo) -> bool:
    """Whether every day of `window` in `zone` is the UTC day of the same date (offset 0 at each midnight)."""
    first = window.since.toordinal()
    return all(
        start == datetime.combine(date.fromordinal(first + i), time(0), tzinfo=UTC)
        for i, start in enumerate(day_starts(window, zone))
    )


def is_whole_hour(instant: datetime) -> bool:
    return int(instant.timestamp()) % HOUR_SECONDS == 0


def uneven_midnight(window: Window, zone: ZoneInfo) -> datetime | None:
    """Return the first local midnight of `window` (days and end) that is not on a UTC hour, else None."""
    for start in day_starts(window, zone):
        if not is_whole_hour(start):
            return start.astimezone(zone)
    return None


def uneven_hour(start: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    """Return the first UTC hour in [start, end) whose local time is not a whole hour, else None."""
    return _uneven_hour(int(start.timestamp()), int(end.timestamp()), zone)


# The hours of a range in a zone, kept for the ranges asked most: a window's hours are the same
# for every request of it (the dashboard's windows, all day long), and working them out is most
# of what an hourly answer costs in Python (a local time and its ISO text for each of up to
# 2,208 hours: about 2 ms for 92 days). 32 ranges of 92 days are about 6 MB.
@lru_cache(maxsize=256)
def _uneven_hour(start: int, end: int, zone: ZoneInfo) -> datetime | None:
    for hour in range(start, end, HOUR_SECONDS):
        local = datetime.fromtimestamp(hour, zone)
        if local.minute or local.second:
            return local
    return None


@lru_cache(maxsize=32)
def _hour_labels(start: int, end: int, zone: ZoneInfo) -> tuple[str, ...]:
    """The local time in `zone` of each UTC hour in [start, end), in ISO 8601 with its offset."""
    return tuple(datetime.fromtimestamp(hour, zone).isoformat() for hour in range(start, end, HOUR_SECONDS))


@lru_cache(maxsize=256)
def _day_start_seconds(window: Window, zone: ZoneInfo) -> tuple[int, ...]:
    return tuple(int(s.timestamp()) for s in day_starts(window, zone))


def earliest_day(utc_today: date, retention_days: int, zone: ZoneInfo) -> date:
    """Return the first day in `zone` whose hours are all kept: the last `retention_days` UTC days.

    The kept days are `utc_today` and the `retention_days - 1` before it, so a day is answered
    whether the retention is cut at a UTC midnight or at the current hour.
    """
    kept_from = datetime.combine(utc_today - timedelta(days=retention_days - 1), time(0), tzinfo=UTC)
    day = kept_from.astimezone(zone).date()
    return day if midnight(day, zone) >= kept_from else day + _DAY


def local_days(window: Window, zone: ZoneInfo, per_hour: Mapping[int, int]) -> list[dict[str, object]]:
    """Return by_day, the scans of each local day of `window`, from scans per UTC hour (epoch seconds)."""
    starts, days = _day_start_seconds(window, zone), window.length
    counts = [0] * days
    for hour, scans in per_hour.items():
        i = bisect_right(starts, hour) - 1
        if 0 <= i < days:
            counts[i] += scans
    first = window.since.toordinal()
    return [{"date": date.fromordinal(first + i).isoformat(), "scans": n} for i, n in enumerate(counts)]


def local_hours(window: Window, zone: ZoneInfo, per_hour: Mapping[int, int]) -> list[dict[str, object]]:
    """Return by_hour, every hour of `window` in `zone` (ISO 8601 with its offset), zero-filled."""
    start, end = (int(t.timestamp()) for t in utc_range(window, zone))
    return [
        {"hour": label, "scans": per_hour.get(hour, 0)}
        for hour, label in zip(range(start, end, HOUR_SECONDS), _hour_labels(start, end, zone), strict=True)
    ]


def offset_text(instant: datetime) -> str:
    """Return the UTC offset of an aware datetime as +HH:MM."""
    text = instant.strftime("%z")
    return f"{text[:3]}:{text[3:5]}"


def whole_hour_neighbours(instant: datetime) -> tuple[str, str]:
    """Return the zones of the whole-hour offsets on either side of `instant`'s, with their offsets."""
    offset = instant.utcoffset() or timedelta(0)
    below = int(offset.total_seconds() // HOUR_SECONDS)
    return _whole_hour_zone(below), _whole_hour_zone(below + 1)


def _whole_hour_zone(hours: int) -> str:
    if hours == 0:
        return "UTC"
    # IANA's Etc/GMT names carry the opposite sign: Etc/GMT-5 is UTC+05:00
    return f"Etc/GMT{-hours:+d} (UTC{hours:+03d}:00)"
