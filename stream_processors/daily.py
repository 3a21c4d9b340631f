"""Daily counts by the key of scan_daily_summary (records.AggKey), per partition, split by hour.

The rate stage hands over each emission with the offset of the internal record
it came from: a `scan` adds one to its key, a `rate` moves one from the human key
to the bot key. Counts are `versioned`, so a replay after a crash first forgets
what the uncommitted records had added, and counts them again.

One stored value per (day, key) holds the day's counts by UTC hour of event time and by
place of the client (region and city), so hourly and city counts cost no table write beyond
the daily ones; the day's count is the sum of its hours, and of its places. A value stored as
a plain count (before hours and places were kept) counts for its day, at an unknown hour
(`UNKNOWN_HOUR`, never written as an hour) and an unknown place.

Places are bounded per value: past `PLACE_LIMIT` cities, a scan from a new city counts under
its region with no city, and past `PLACE_LIMIT + REGION_LIMIT` entries under the unknown place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from stream_processors import versioned
from stream_processors.records import DAY_MS, HOUR_MS, AggKey, agg_key, day_start_ms, human_key
from stream_processors.versioned import History, Session

CountKey = tuple[int, AggKey]  # (start of the UTC day or hour in epoch ms, dimensions)
PlaceDims = tuple[str, str, str]  # region_code, region_name, city; "" where unknown
PlaceKey = tuple[int, tuple[Any, ...]]  # (start of the UTC day, AggKey + PlaceDims)
Hours = dict[int, int]  # hour of the day (0-23, or UNKNOWN_HOUR) -> count
Places = dict[PlaceDims, int]
UNKNOWN_HOUR: Final = -1
UNKNOWN_PLACE: Final[PlaceDims] = ("", "", "")
PLACE_LIMIT: Final = 200  # cities by name in one value (one key's day)
REGION_LIMIT: Final = 100  # then regions without a city
_SEP: Final = "\x1f"  # joins a place's parts in a stored value; names hold no control characters


class CountStore(Protocol):
    def load(self, key: CountKey) -> History | None: ...
    def save(self, key: CountKey, history: History) -> None: ...


@dataclass(slots=True)
class Value:
    """A key's day: its counts by hour and by place (both sum to the day's count)."""

    hours: Hours
    places: Places

    def total(self) -> int:
        return sum(self.hours.values())


def value_of(stored: Any) -> Value:
    """A stored value, or a plain count: {"h": {"13": 2}, "p": {"US-TX␟Texas␟Austin": 2}}.

    A place is its region code, region name and city joined by U+001F (shown as ␟).
    """
    if isinstance(stored, dict):
        hours = {int(h): int(n) for h, n in stored.get("h", {}).items()}
        places = {_place(p): int(n) for p, n in stored.get("p", {}).items()}
        return Value(hours, places)
    count = int(stored or 0)
    return Value({UNKNOWN_HOUR: count}, {UNKNOWN_PLACE: count}) if count else Value({}, {})


def _place(joined: str) -> PlaceDims:
    parts = joined.split(_SEP)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else UNKNOWN_PLACE


def stored(value: Value) -> dict[str, dict[str, int]]:
    return {
        "h": {str(h): n for h, n in value.hours.items()},
        "p": {_SEP.join(p): n for p, n in value.places.items()},
    }


def place_dims(record: dict[str, Any]) -> PlaceDims:
    """The place an enriched record counts under."""
    return (record.get("region_code") or "", record.get("region_name") or "", record.get("city") or "")


def slot(places: Places, place: PlaceDims) -> PlaceDims:
    """Where a scan from place counts in a value holding places (bounded: see the module)."""
    if place in places:
        return place
    cities = sum(1 for p in places if p[2])
    if place[2] and cities < PLACE_LIMIT:
        return place
    region = (place[0], place[1], "")
    if region in places or (region != UNKNOWN_PLACE and len(places) - cities < REGION_LIMIT):
        return region
    return UNKNOWN_PLACE


@dataclass(frozen=True, slots=True)
class Changed:
    """What a flush changed: absolute counts of days, and of the hours and places that changed."""

    days: list[tuple[CountKey, int]]
    hours: list[tuple[CountKey, int]]
    places: list[tuple[PlaceKey, int]]


class DailyCounts:
    """Counts of one partition of the internal topic in one session; each key written once per batch."""

    def __init__(self, session: Session, counts: CountStore, committed: Callable[[], int | None]) -> None:
        self.session = session
        self.counts = counts
        self.committed = committed
        self._counts: dict[CountKey, tuple[History, Value, int]] = {}  # history, value, offset
        # key -> the hours and places changed since the last flush
        self._dirty: dict[CountKey, tuple[set[int], set[PlaceDims]]] = {}

    def _count(self, key: CountKey) -> tuple[History, Value, int]:
        got = self._counts.get(key)
        if got is None:
            history = self.counts.load(key) or []
            got = (history, value_of(versioned.current(history, self.session, 0)), -1)
            self._counts[key] = got
        return got

    def _add(self, key: CountKey, hour: int, place: PlaceDims, delta: int, offset: int) -> None:
        history, value, _ = self._count(key)
        value.hours[hour] = value.hours.get(hour, 0) + delta
        where = slot(value.places, place)
        value.places[where] = value.places.get(where, 0) + delta
        self._counts[key] = (history, value, offset)
        hours, places = self._dirty.setdefault(key, (set(), set()))
        hours.add(hour)
        places.add(where)

    def apply(self, record: dict[str, Any], kind: Literal["scan", "rate"], offset: int) -> None:
        """Apply one emission of the record delivered at offset."""
        at_ms = int(record["occurred_at"])
        day = day_start_ms(at_ms)
        hour = (at_ms - day) // HOUR_MS
        key = agg_key(record)
        place = place_dims(record)
        if kind == "rate":
            self._add((day, human_key(key)), hour, place, -1, offset)
        self._add((day, key), hour, place, 1, offset)

    def value(self, key: CountKey) -> int:
        """The day's count of key."""
        return self._count(key)[1].total()

    def flush(self) -> Changed:
        """Write changed counts to their store; return the changed days, hours and places."""
        out = Changed([], [], [])
        committed = self.committed()
        for key, (hours, places) in self._dirty.items():
            history, value, offset = self._counts[key]
            history = versioned.record(history, self.session, offset, stored(value), committed)
            self._counts[key] = (history, value, offset)
            self.counts.save(key, history)
            _report(out, key, value, hours, places)
        self._dirty.clear()
        return out

    def forget(self, limit: int) -> None:
        """Drop cached clean counts when the cache holds more than limit."""
        if len(self._counts) > limit:
            for k in [k for k in self._counts if k not in self._dirty]:
                del self._counts[k]


def _report(
    out: Changed, key: CountKey, value: Value, hours: Iterable[int], places: Iterable[PlaceDims]
) -> None:
    day, dims = key
    out.days.append((key, value.total()))
    out.hours.extend(((day + h * HOUR_MS, dims), value.hours[h]) for h in hours if 0 <= h < DAY_MS // HOUR_MS)
    out.places.extend(((day, (*dims, *p)), value.places[p]) for p in places)


def recovered(day_ms: int, dims: AggKey, stored_value: Any) -> Changed:
    """A stored value as the day's count and its hours' and places' counts, as a flush reports them."""
    value = value_of(stored_value)
    out = Changed([], [], [])
    _report(out, (day_ms, dims), value, value.hours, value.places)
    return out
