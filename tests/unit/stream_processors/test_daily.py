"""Stage C: each emission applied once, reclassifications move one scan, crashes roll back."""

from __future__ import annotations

from typing import Any

from stream_processors.daily import DailyCounts, Origin
from stream_processors.records import DAY_MS
from stream_processors.versioned import Session

DAY = 20_000 * DAY_MS


def record(event_id: str, is_bot: bool = False) -> dict[str, Any]:
    return {"event_id": event_id, "occurred_at": DAY + 5_000, "organization_id": "o", "brand_id": "b",
            "gtin": "04000000000011", "country_code": None, "device_class": "mobile", "is_bot": is_bot}


class Store(dict[Any, Any]):
    def load(self, key: Any) -> Any:
        return self.get(key)

    def save(self, key: Any, value: Any) -> None:
        self[key] = value


HUMAN = (DAY, ("o", "b", "04000000000011", "unknown", "mobile", False))
BOT = (DAY, ("o", "b", "04000000000011", "unknown", "mobile", True))


def test_replayed_emissions_are_applied_once_and_rate_moves_one() -> None:
    counts, fences = Store(), Store()
    c = DailyCounts(Session(start=0), counts, fences, lambda: None)
    assert c.apply(record("a"), "scan", Origin(0, 10, 0), 0)
    assert c.apply(record("b"), "scan", Origin(0, 11, 0), 1)
    assert not c.apply(record("a"), "scan", Origin(0, 10, 0), 2)  # stage B replayed offset 10
    assert c.apply(record("a", is_bot=True), "rate", Origin(0, 12, 1), 3)
    assert dict(c.flush()) == {HUMAN: 1, BOT: 1}


def test_a_crash_rolls_back_to_the_committed_offset() -> None:
    counts, fences = Store(), Store()
    c = DailyCounts(Session(start=0, id="s1"), counts, fences, lambda: None)
    for i in range(5):
        c.apply(record(f"e{i}"), "scan", Origin(1, 100 + i, 0), i)
        c.flush()
    # committed offset 3: offsets 3 and 4 are delivered again to a new session
    c2 = DailyCounts(Session(start=3, id="s2"), counts, fences, lambda: None)
    assert c2.value(HUMAN) == 3
    for i in range(3, 5):
        assert c2.apply(record(f"e{i}"), "scan", Origin(1, 100 + i, 0), i)
    assert dict(c2.flush()) == {HUMAN: 5}
