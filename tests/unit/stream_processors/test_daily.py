"""Daily, hourly and place counts: rate reclassifications move one scan, crashes roll back."""

from __future__ import annotations

from typing import Any

import pytest

from stream_processors.daily import (
    PLACE_LIMIT,
    REGION_LIMIT,
    UNKNOWN_PLACE,
    Changed,
    DailyCounts,
    recovered,
    slot,
    stored,
    value_of,
)
from stream_processors.records import DAY_MS, HOUR_MS, as_rate_bot
from stream_processors.versioned import Session

DAY = 20_000 * DAY_MS


def record(event_id: str, is_bot: bool = False) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "occurred_at": DAY + 5_000,
        "organization_id": "o",
        "brand_id": "b",
        "gtin": "04000000000011",
        "country_code": None,
        "device_class": "mobile",
        "is_bot": is_bot,
    }


class Store(dict[Any, Any]):
    def load(self, key: Any) -> Any:
        return self.get(key)

    def save(self, key: Any, value: Any) -> None:
        self[key] = value


HUMAN = (DAY, ("o", "b", "04000000000011", "unknown", "mobile", False, "human", "", "", "", ""))
BOT = (DAY, ("o", "b", "04000000000011", "unknown", "mobile", True, "bot", "high_rate", "", "", ""))


def test_scans_add_and_a_rate_reclassification_moves_one() -> None:
    c = DailyCounts(Session(start=0), Store(), lambda: None)
    c.apply(record("a"), "scan", 0)
    c.apply(record("b"), "scan", 1)
    c.apply(as_rate_bot(record("a")), "rate", 2)
    assert dict(c.flush().days) == {HUMAN: 1, BOT: 1}


def test_a_crash_rolls_back_to_the_committed_offset() -> None:
    counts = Store()
    c = DailyCounts(Session(start=0, id="s1"), counts, lambda: None)
    for i in range(5):
        c.apply(record(f"e{i}"), "scan", i)
        c.flush()
    # committed offset 3: offsets 3 and 4 are delivered again to a new session
    c2 = DailyCounts(Session(start=3, id="s2"), counts, lambda: None)
    assert c2.value(HUMAN) == 3
    for i in range(3, 5):
        c2.apply(record(f"e{i}"), "scan", i)
    assert dict(c2.flush().days) == {HUMAN: 5}


def test_histories_stay_short_once_offsets_commit() -> None:
    counts = Store()
    c = DailyCounts(Session(start=0, id="s1"), counts, lambda: 1000)
    for i in range(50):
        c.apply(record(f"e{i}"), "scan", i)
        c.flush()
    assert len(counts[HUMAN]) <= 2


def test_hours_are_counted_in_the_days_value_and_reported_when_they_change() -> None:
    counts = Store()
    c = DailyCounts(Session(start=0, id="s1"), counts, lambda: None)
    late = {**record("e3"), "occurred_at": DAY + 13 * HOUR_MS + 59 * 60_000}
    for offset, r in enumerate([record("e1"), record("e2"), late]):
        c.apply(r, "scan", offset)
    c.apply(as_rate_bot(late), "rate", 3)
    changed = c.flush()
    one = DAY + 13 * HOUR_MS
    assert dict(changed.days) == {HUMAN: 2, BOT: 1}
    assert dict(changed.hours) == {(DAY, HUMAN[1]): 2, (one, HUMAN[1]): 0, (one, BOT[1]): 1}
    # one table value per day and key
    assert counts[HUMAN][-1][2] == {"h": {"0": 2, "13": 0}, "p": {"\x1f\x1f": 2}}
    c.apply(record("e4"), "scan", 4)
    changed = c.flush()
    assert changed.days == [(HUMAN, 3)] and changed.hours == [
        ((DAY, HUMAN[1]), 3)
    ]  # only the hour that moved


def test_a_count_stored_before_hours_counts_for_its_day_not_for_an_hour() -> None:
    counts = Store({HUMAN: [["old", 0, 7]]})
    c = DailyCounts(Session(start=5, id="s1"), counts, lambda: None)
    assert c.value(HUMAN) == 7
    c.apply(record("e1"), "scan", 5)
    changed = c.flush()
    assert changed.days == [(HUMAN, 8)] and changed.hours == [((DAY, HUMAN[1]), 1)]
    unknown = ((DAY, (*HUMAN[1], *UNKNOWN_PLACE)), 8)
    assert recovered(DAY, HUMAN[1], counts[HUMAN][-1][2]) == Changed(
        [(HUMAN, 8)], [((DAY, HUMAN[1]), 1)], [unknown]
    )
    assert recovered(DAY, HUMAN[1], 7) == Changed([(HUMAN, 7)], [], [((DAY, (*HUMAN[1], *UNKNOWN_PLACE)), 7)])


AUSTIN = ("US-TX", "Texas", "Austin")
DALLAS = ("US-TX", "Texas", "Dallas")


def placed(event_id: str, place: tuple[str, str, str]) -> dict[str, Any]:
    return {**record(event_id), "region_code": place[0], "region_name": place[1], "city": place[2]}


def test_places_are_counted_in_the_days_value_and_moved_by_a_reclassification() -> None:
    counts = Store()
    c = DailyCounts(Session(start=0, id="s1"), counts, lambda: None)
    c.apply(placed("e1", AUSTIN), "scan", 0)
    c.apply(placed("e2", AUSTIN), "scan", 1)
    c.apply(placed("e3", DALLAS), "scan", 2)
    c.apply(record("e4"), "scan", 3)  # no place known
    c.apply(as_rate_bot(placed("e2", AUSTIN)), "rate", 4)
    changed = c.flush()
    assert dict(changed.days) == {HUMAN: 3, BOT: 1}
    assert dict(changed.places) == {
        (DAY, (*HUMAN[1], *AUSTIN)): 1,
        (DAY, (*HUMAN[1], *DALLAS)): 1,
        (DAY, (*HUMAN[1], *UNKNOWN_PLACE)): 1,
        (DAY, (*BOT[1], *AUSTIN)): 1,
    }
    assert value_of(counts[HUMAN][-1][2]).places == {AUSTIN: 1, DALLAS: 1, UNKNOWN_PLACE: 1}
    c.apply(placed("e5", DALLAS), "scan", 5)
    assert c.flush().places == [((DAY, (*HUMAN[1], *DALLAS)), 2)]  # only the place that moved


@pytest.mark.parametrize(
    "place", [AUSTIN, ("US-TX", "Texas", ""), UNKNOWN_PLACE, ("", "Texas", "Austin"), ("", "", "São Paulo")]
)
def test_a_stored_value_reads_back(place: tuple[str, str, str]) -> None:
    value = value_of({"h": {"3": 2}, "p": {}})
    value.places[place] = 2
    assert value_of(stored(value)) == value


def test_places_per_value_are_bounded() -> None:
    places: dict[tuple[str, str, str], int] = {}
    for i in range(PLACE_LIMIT + 10):
        where = slot(places, ("US-TX", "Texas", f"Town {i}"))
        places[where] = places.get(where, 0) + 1
    assert sum(1 for p in places if p[2]) == PLACE_LIMIT
    assert places[("US-TX", "Texas", "")] == 10  # past the limit, a new city counts under its region
    assert slot(places, ("US-TX", "Texas", "Town 3")) == ("US-TX", "Texas", "Town 3")  # known cities stay
    for i in range(REGION_LIMIT + 5):
        where = slot(places, (f"US-{i}", f"Region {i}", f"City {i}"))
        places[where] = places.get(where, 0) + 1
    assert len(places) == PLACE_LIMIT + REGION_LIMIT + 1  # the cities, the regions and the unknown place
    assert places[UNKNOWN_PLACE] == 6
    assert sum(places.values()) == PLACE_LIMIT + 10 + REGION_LIMIT + 5
