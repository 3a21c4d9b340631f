"""Daily and hourly counts: reclassifications move one scan, crashes roll back to the committed offset."""

from __future__ import annotations

import json
from typing import Any

from stream_processors.daily import DailyCounts
from stream_processors.records import DAY_MS, HOUR_MS, as_rate_bot, hour_start_ms
from stream_processors.stores import Counts, HourlyCounts, stored_key
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
    assert dict(c.flush()) == {HUMAN: 1, BOT: 1}


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
    assert dict(c2.flush()) == {HUMAN: 5}


def test_histories_stay_short_once_offsets_commit() -> None:
    counts = Store()
    c = DailyCounts(Session(start=0, id="s1"), counts, lambda: 1000)
    for i in range(50):
        c.apply(record(f"e{i}"), "scan", i)
        c.flush()
    assert len(counts[HUMAN]) <= 2


def test_hourly_counts_key_by_the_hour_of_event_time() -> None:
    c = DailyCounts(Session(start=0), Store(), lambda: None, start_of=hour_start_ms)
    late = {**record("e3"), "occurred_at": DAY + 13 * HOUR_MS + 59 * 60_000}
    for offset, r in enumerate([record("e1"), record("e2"), late]):
        c.apply(r, "scan", offset)
    c.apply(as_rate_bot(late), "rate", 3)
    assert dict(c.flush()) == {
        (DAY, HUMAN[1]): 2,
        (DAY + 13 * HOUR_MS, HUMAN[1]): 0,
        (DAY + 13 * HOUR_MS, BOT[1]): 1,
    }


class Table(dict[Any, Any]):
    """A windowed faust table's surface as WindowedStore uses it: one dict per window start."""

    def relative_to(self, at_s: float) -> _Values:
        window = self.setdefault(int(at_s // 86_400), {})
        return _Values(window)


class _Values:
    def __init__(self, window: dict[Any, Any]) -> None:
        self.window = window

    def __getitem__(self, key: Any) -> Any:
        value = self.window.get(key)
        return type("Windowed", (), {"value": lambda _self: value})()

    def __setitem__(self, key: Any, value: Any) -> None:
        self.window[key] = value


def test_hours_are_stored_in_their_days_window_beside_the_day() -> None:
    table = Table()
    day, hour = Counts(table, 2), HourlyCounts(table, 2)
    day.save(HUMAN, [["s", 0, 5]])
    hour.save((DAY + 13 * HOUR_MS, HUMAN[1]), [["s", 0, 2]])
    assert set(table) == {DAY // DAY_MS}
    stored = {k: json.loads(v) for k, v in table[DAY // DAY_MS].items()}
    assert stored == {(2, *HUMAN[1]): [["s", 0, 5]], (2, *HUMAN[1], 13): [["s", 0, 2]]}
    assert hour.load((DAY + 13 * HOUR_MS, HUMAN[1])) == [["s", 0, 2]]
    assert hour.load((DAY + 14 * HOUR_MS, HUMAN[1])) is None
    assert stored_key([*HUMAN[1], 13]) == (HUMAN[1], 13)
    assert stored_key(list(HUMAN[1])) == (HUMAN[1], None)
    assert stored_key([*HUMAN[1], 24]) is None
