"""Daily counts: reclassifications move one scan, crashes roll back to the committed offset."""

from __future__ import annotations

from typing import Any

from stream_processors.daily import DailyCounts
from stream_processors.records import DAY_MS, as_rate_bot
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
