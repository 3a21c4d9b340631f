"""The rate rule is a function of the set of events: every arrival order reaches the same verdicts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stream_processors.enrich import MISSING, Classification
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


def verdicts(events: list[dict[str, Any]], rule: RateRule) -> dict[str, bool]:
    """Run the stage over events in the given order; final is_bot per event_id (last emission wins)."""
    stage = IpStage(rule, Session(start=0), Dicts(), Records(),
                    lambda e: (MISSING if e["user_agent"] is None else HUMAN, "US"))
    final: dict[str, bool] = {}
    for offset, e in enumerate(events):
        for em in stage.process(e, offset):
            final[em.record["event_id"]] = em.record["is_bot"]
        stage.dirty()
    return final


def truth(events: list[dict[str, Any]], rule: RateRule) -> dict[str, bool]:
    out = {}
    for e in events:
        t = e["occurred_at"]
        minute = sum(1 for x in events if t - 60_000 < x["occurred_at"] <= t)
        gtins = {x["gtin"] for x in events if t - 300_000 < x["occurred_at"] <= t}
        fires = minute > rule.per_minute or len(gtins) > rule.gtins_5min
        out[e["event_id"]] = e["user_agent"] is None or fires
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 900), st.integers(0, 6), st.booleans()), min_size=1, max_size=60),
       st.randoms(use_true_random=False))
def test_any_arrival_order_gives_the_set_verdict(raw: list[tuple[int, int, bool]],
                                                 rnd: random.Random) -> None:
    rule = RateRule(per_minute=4, gtins_5min=3)
    events = [{"event_id": f"e{i}", "occurred_at": s * 1000, "gtin": f"g{g}", "client_ip": "24.16.0.1",
               "user_agent": None if missing else "ua", "organization_id": "o", "brand_id": "b"}
              for i, (s, g, missing) in enumerate(raw)]
    shuffled = events[:]
    rnd.shuffle(shuffled)
    assert verdicts(shuffled, rule) == truth(events, rule)


def test_resend_is_not_emitted_twice() -> None:
    e = {"event_id": "x", "occurred_at": 1000, "gtin": "g", "client_ip": "24.16.0.1", "user_agent": "ua",
         "organization_id": "o", "brand_id": "b"}
    stage = IpStage(RateRule(), Session(start=0), Dicts(), Records(), lambda e: (HUMAN, "US"))
    assert len(stage.process(e, 0)) == 1
    assert stage.process(dict(e), 1) == []
