"""The rate rule is a function of the set of events: every arrival order reaches the same verdicts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stream_processors.enrich import Classification
from stream_processors.ip_stage import IpStage
from stream_processors.rate import RateRule
from stream_processors.versioned import Session

HUMAN = Classification("mobile", False, "human")


@dataclass(frozen=True)
class E:
    at_ms: int
    gtin: str


def by_time(events: list[E]) -> tuple[list[int], list[E]]:
    """Sort events by time; return (times, events)."""
    ordered = sorted(events, key=lambda e: e.at_ms)
    return [e.at_ms for e in ordered], ordered


def test_fires_on_count_and_on_distinct_gtins() -> None:
    rule = RateRule(per_minute=3, gtins_5min=2)
    times, events = by_time([E(t * 1000, "a") for t in (0, 10, 20, 30)])
    assert not rule.fires(20_000, times, events)
    assert rule.fires(30_000, times, events)  # 4 in (t - 60 s, t]
    times, events = by_time([E(0, "a"), E(100_000, "b"), E(200_000, "c")])
    assert rule.fires(200_000, times, events)  # 3 distinct GTINs in 5 minutes
    assert not rule.fires(100_000, times, events)
    times, events = by_time([E(0, "a"), E(300_000, "b"), E(301_000, "c")])
    assert not rule.fires(301_000, times, events)  # 0 is outside (t - 300 s, t]


class Dicts:
    def __init__(self) -> None:
        self.buckets: dict[Any, Any] = {}

    def load(self, key: Any) -> Any:
        return self.buckets.get(key)

    def save(self, key: Any, entries: Any) -> None:
        self.buckets[key] = entries


class Records:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def load(self, event_id: str, at_ms: int) -> Any:
        return self.data.get(event_id)

    def save(self, event_id: str, at_ms: int, record: Any) -> None:
        self.data[event_id] = record


def scan(i: int, at_ms: int, gtin: str = "g", declared_bot: bool = False) -> dict[str, Any]:
    return {
        "event_id": f"e{i}",
        "occurred_at": at_ms,
        "gtin": gtin,
        "is_bot": declared_bot,
        "traffic_class": "bot" if declared_bot else "human",
        "bot_reason": None,
        "organization_id": "o",
        "brand_id": "b",
        "country_code": "US",
        "device_class": "mobile",
    }


def verdicts(
    events: list[dict[str, Any]],
    rule: RateRule,
    cap: int = 1000,
    stores: tuple[Dicts, Records] | None = None,
    session: Session | None = None,
    first_offset: int = 0,
) -> dict[str, bool]:
    """Run the stage over events in the given order; final is_bot per event_id (last emission wins)."""
    buckets, records = stores or (Dicts(), Records())
    stage = IpStage(rule, session or Session(start=0), buckets, records, cap)
    final: dict[str, bool] = {}
    for offset, e in enumerate(events, start=first_offset):
        for em in stage.process("k", e, offset):
            final[em.record["event_id"]] = em.record["is_bot"]
        for key, value in stage.dirty(None):
            buckets.save(key, value)
    return final


def truth(events: list[dict[str, Any]], rule: RateRule, cap: int = 1000) -> dict[str, bool]:
    per_bucket: dict[int, int] = {}
    for e in events:
        b = e["occurred_at"] // 300_000
        per_bucket[b] = per_bucket.get(b, 0) + 1
    out = {}
    for e in events:
        t = e["occurred_at"]
        minute = sum(1 for x in events if t - 60_000 < x["occurred_at"] <= t)
        gtins = {x["gtin"] for x in events if t - 300_000 < x["occurred_at"] <= t}
        fires = minute > rule.per_minute or len(gtins) > rule.gtins_5min
        b = t // 300_000
        flooded = max(per_bucket.get(b, 0), per_bucket.get(b - 1, 0)) > cap
        out[e["event_id"]] = e["is_bot"] or fires or flooded
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 900), st.integers(0, 6), st.booleans()), min_size=1, max_size=60),
    st.randoms(use_true_random=False),
    st.sampled_from([1000, 6, 10]),
)
def test_any_arrival_order_gives_the_set_verdict(
    raw: list[tuple[int, int, bool]], rnd: random.Random, cap: int
) -> None:
    rule = RateRule(per_minute=4, gtins_5min=3)
    events = [scan(i, s * 1000, f"g{g}", bot) for i, (s, g, bot) in enumerate(raw)]
    shuffled = events[:]
    rnd.shuffle(shuffled)
    assert verdicts(shuffled, rule, cap) == truth(events, rule, cap)


def test_resend_is_not_emitted_twice_below_and_beyond_the_cap() -> None:
    stage = IpStage(RateRule(), Session(start=0), Dicts(), Records(), cap=3)
    for i in range(5):
        assert len(stage.process("k", scan(i, 1000 + i), i)) >= 1
    for i in range(5):
        assert stage.process("k", scan(i, 1000 + i), 10 + i) == []


def test_a_flood_keeps_the_bucket_bounded() -> None:
    buckets, records = Dicts(), Records()
    stage = IpStage(RateRule(), Session(start=0), buckets, records, cap=64)
    for i in range(5000):
        stage.process("k", scan(i, 1000 + i), i)
    for key, value in stage.dirty(None):
        buckets.save(key, value)
    assert max(len(v[0]) for v in buckets.buckets.values()) == 64
    assert max(len(v[1]) for v in buckets.buckets.values()) == 1


def test_a_crash_forgets_uncommitted_entries_and_the_replay_decides_the_same() -> None:
    rule = RateRule(per_minute=4, gtins_5min=3)
    events = [scan(i, i * 7_000, f"g{i % 5}") for i in range(40)]
    stores = (Dicts(), Records())
    first = verdicts(events[:30], rule, cap=8, stores=stores, session=Session(start=0, id="s1"))
    # committed offset 20: the second session replays from there
    second = verdicts(
        events[20:], rule, cap=8, stores=stores, session=Session(start=20, id="s2"), first_offset=20
    )
    assert {**first, **second} == truth(events, rule, cap=8)
