"""The ground truth: the set-based rate rule, deduplication, too-late scans, row totals."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.validation import gtin_check_digit, to_millis
from simulator.catalog import build_catalog
from simulator.traffic import DAY_MS, Kind, Malformed, MalformedKind, Scan, TrafficPlanner
from simulator.truth import HOURLY_ROW_KEY, PLACE_ROW_KEY, ROW_KEY, compute_truth, rate_bots

from .conftest import NOW

T0 = to_millis(NOW) - 3_600_000


def gtin(n: int) -> str:
    body = f"400{n:09d}"
    return body + str(gtin_check_digit(body))


def scan(
    i: int,
    offset_ms: int,
    product: int = 0,
    ip: str = "24.16.0.9",
    is_bot: bool = False,
    kind: Kind = Kind.HUMAN,
    resend: bool = False,
    labels: tuple[str, str, str, str, str] | None = None,
) -> Scan:
    record: dict[str, Any] = {
        "event_id": f"00000000-0000-4000-8000-{i:012d}",
        "occurred_at": T0 + offset_ms,
        "gtin": gtin(product),
        "organization_id": "org-a",
        "brand_id": "org-a-01",
        "digital_link": "https://id.example/01/x",
        "client_ip": ip,
    }
    traffic_class, category, agent, operator, verification = labels or (
        ("bot", "search_crawler", "bingbot", "Microsoft", "unverified")
        if is_bot
        else ("human", "", "", "", "")
    )
    return Scan(
        record,
        kind,
        "US",
        "bot" if is_bot else "desktop",
        is_bot,
        resend,
        traffic_class,
        category,
        agent,
        operator,
        verification,
    )


def rows_by_key(events: list[Scan]) -> dict[tuple[object, ...], int]:
    truth = compute_truth(events, seed=1)
    assert all(set(row) == {*ROW_KEY, "scans"} for row in truth.rows)
    return {tuple(row[k] for k in ROW_KEY[5:]): row["scans"] for row in truth.rows}


@pytest.mark.parametrize(
    ("count", "spacing_ms", "flagged"),
    [
        (30, 1_000, set()),  # 30 in a minute: at the threshold, not above
        (31, 1_000, {30}),  # the 31st within 60 s
        (31, 2_000, set()),  # spread over a minute: never 31 in (t-60 s, t]
        (31, 1_999, {30}),  # 31 within 59.98 s
        (32, 2_000, set()),  # the oldest of 31 is exactly 60 s back: outside (t-60 s, t]
        (40, 0, set(range(40))),  # ties: all at one instant count each other
    ],
)
def test_rate_rule_per_minute(count: int, spacing_ms: int, flagged: set[int]) -> None:
    # Same product: only the per-minute count matters.
    events = [scan(i, i * spacing_ms) for i in range(count)]
    marked = rate_bots(events, 30, 20)
    assert marked == {events[i].event_id for i in flagged}


def test_sixty_seconds_back_is_outside_the_window() -> None:
    events = [scan(i, 0) for i in range(30)] + [scan(30, 60_000)]
    assert rate_bots(events, 30, 20) == set()
    events = [scan(i, 1) for i in range(30)] + [scan(30, 60_000)]
    assert rate_bots(events, 30, 20) == {events[30].event_id}


def test_distinct_gtins_in_five_minutes() -> None:
    events = [scan(i, i * 10_000, product=i) for i in range(22)]  # one every 10 s: 6 per minute
    marked = rate_bots(events, 30, 20)
    assert marked == {events[20].event_id, events[21].event_id}


def test_distinct_gtins_counts_repeats_once() -> None:
    events = [scan(i, i * 5_000, product=i % 20) for i in range(50)]
    assert rate_bots(events, 30, 20) == set()


def test_declared_bots_are_not_marked_again_but_count() -> None:
    events = [scan(i, i * 100, is_bot=True, kind=Kind.CRAWLER) for i in range(40)] + [scan(40, 4_100)]
    assert rate_bots(events, 30, 20) == {events[40].event_id}


def test_addresses_are_separate() -> None:
    events = [scan(i, i * 100, ip=f"24.16.0.{i}") for i in range(40)]
    assert rate_bots(events, 30, 20) == set()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 400_000), st.integers(0, 30)), min_size=1, max_size=120),
    st.randoms(use_true_random=False),
)
def test_rate_rule_depends_on_the_set_not_the_order(
    events: list[tuple[int, int]], rng: random.Random
) -> None:
    scans = [scan(i, t, product=p) for i, (t, p) in enumerate(events)]
    shuffled = scans[:]
    rng.shuffle(shuffled)
    assert rate_bots(scans, 30, 20) == rate_bots(shuffled, 30, 20)


def test_truth_deduplicates_and_leaves_out_bad_and_too_late() -> None:
    original = scan(1, 0)
    late = scan(2, -10 * DAY_MS, kind=Kind.TOO_LATE)
    bad = Malformed(MalformedKind.GARBAGE, gtin(0), b"\xff")
    truth = compute_truth([original, scan(1, 0, resend=True), late, bad, scan(3, 1000, product=1)], seed=9)
    assert (truth.events_sent, truth.valid_distinct, truth.resends, truth.malformed, truth.too_late) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert sum(r["scans"] for r in truth.rows) == 2
    assert truth.rows[0] == {
        "day": (NOW - timedelta(hours=1)).date().isoformat(),
        "organization_id": "org-a",
        "brand_id": "org-a-01",
        "gtin": gtin(0).zfill(14),
        "country_code": "US",
        "device_class": "desktop",
        "is_bot": False,
        "traffic_class": "human",
        "category": "",
        "agent": "",
        "operator": "",
        "verification": "",
        "scans": 1,
    }


def test_a_person_the_rate_rule_flags_is_a_high_rate_bot_on_the_same_device() -> None:
    events = [scan(i, i * 1_000) for i in range(31)]
    assert rows_by_key(events) == {
        ("desktop", False, "human", "", "", "", ""): 30,
        ("desktop", True, "bot", "high_rate", "", "", ""): 1,
    }


def test_declared_agents_keep_their_labels_whatever_their_rate() -> None:
    gptbot = ("ai_agent", "ai_training_crawler", "GPTBot", "OpenAI", "verified")
    events = [
        scan(i, i * 100, ip="20.171.206.9", is_bot=True, kind=Kind.AI_AGENT, labels=gptbot) for i in range(60)
    ]
    assert rows_by_key(events) == {("bot", True, *gptbot): 60}


def test_a_spoofed_claim_is_an_unknown_bot_that_keeps_the_claimed_name() -> None:
    spoofed = ("bot", "unknown_bot", "ClaudeBot", "Anthropic", "spoofed")
    events = [scan(i, i * 60_000, is_bot=True, kind=Kind.SPOOFED, labels=spoofed) for i in range(3)]
    assert rows_by_key(events) == {
        ("bot", True, "bot", "unknown_bot", "ClaudeBot", "Anthropic", "spoofed"): 3
    }
    assert compute_truth(events, seed=1).to_json()["spoofed"] == 3


def test_agents_the_catalog_does_not_list_and_missing_user_agents() -> None:
    other = ("bot", "unknown_bot", "other", "", "unverified")
    missing = ("bot", "unknown_bot", "", "", "")
    events = [scan(1, 0, ip="45.0.0.7", is_bot=True, kind=Kind.CRAWLER, labels=other)]
    events.append(scan(2, 0, ip="45.0.0.8", is_bot=True, kind=Kind.MISSING_UA, labels=missing))
    keys = rows_by_key(events)
    assert ("bot", True, *other) in keys and ("bot", True, *missing) in keys


def test_truth_of_a_planned_stream_is_consistent() -> None:
    now_ms = to_millis(NOW)
    messages = TrafficPlanner(build_catalog(), 5).plan(8_000, now_ms - 3 * DAY_MS, now_ms, now_ms, 7)
    truth = compute_truth(messages, seed=5, generated_at=NOW)
    assert truth.events_sent == 8_000
    assert truth.valid_distinct + truth.resends + truth.malformed + truth.too_late == 8_000
    assert sum(r["scans"] for r in truth.rows) == truth.valid_distinct
    keys = [tuple(r[k] for k in ROW_KEY) for r in truth.rows]
    assert len(keys) == len(set(keys))
    assert all(list(r) == [*ROW_KEY, "scans"] for r in truth.rows)
    # Each day's hours add up to the day's rows, key for key.
    assert all(list(r) == [*HOURLY_ROW_KEY, "scans"] for r in truth.hourly_rows)
    days: Counter[tuple[object, ...]] = Counter()
    for r in truth.hourly_rows:
        assert r["hour"].endswith(":00:00+00:00")
        days[(r["hour"][:10], *(r[k] for k in ROW_KEY[1:]))] += r["scans"]
    assert days == {tuple(r[k] for k in ROW_KEY): r["scans"] for r in truth.rows}
    assert len({r["hour"] for r in truth.hourly_rows}) > 24
    # Each day's places add up to its rows by organization, brand, GTIN, country and is_bot.
    assert all(list(r) == [*PLACE_ROW_KEY, "scans"] for r in truth.place_rows)
    narrow: Counter[tuple[object, ...]] = Counter()
    for r in truth.rows:
        narrow[(*(r[k] for k in ROW_KEY[:5]), r["is_bot"])] += r["scans"]
    placed: Counter[tuple[object, ...]] = Counter()
    for r in truth.place_rows:
        placed[tuple(r[k] for k in PLACE_ROW_KEY[:6])] += r["scans"]
        assert not r["city"] or (r["region_code"] != "" and r["country_code"] != "unknown")
    assert placed == narrow
    cities = {r["city"] for r in truth.place_rows}
    assert {"", "Austin", "Chicago"} <= cities
    # Some scraper scans are flagged by the rate rule: desktop, is_bot, high_rate.
    assert any(r["device_class"] == "desktop" and r["category"] == "high_rate" for r in truth.rows)
    for r in truth.rows:
        agent_part = (r["category"], r["agent"], r["operator"], r["verification"])
        if r["traffic_class"] == "human":
            assert not r["is_bot"] and agent_part == ("", "", "", "")
        else:
            assert r["is_bot"]
        if r["category"] == "high_rate":
            assert (
                r["traffic_class"] == "bot" and r["device_class"] != "bot" and agent_part[1:] == ("", "", "")
            )
        if r["verification"] == "spoofed":
            assert (r["traffic_class"], r["category"], r["device_class"]) == ("bot", "unknown_bot", "bot")
        if r["traffic_class"] == "ai_agent":
            assert r["category"] in {"ai_assistant", "ai_search", "ai_training_crawler"}
        if r["agent"] == "other":
            assert r["operator"] == "" and r["verification"] == "unverified"
    by_category = truth.scans_by("category")
    assert set(by_category) >= {"ai_assistant", "search_crawler", "http_client", "unknown_bot", "high_rate"}
    assert sum(truth.scans_by("traffic_class").values()) == truth.valid_distinct
    as_json = truth.to_json()
    assert set(as_json) == {
        "generated_at",
        "seed",
        "events_sent",
        "valid_distinct",
        "resends",
        "malformed",
        "too_late",
        "by_traffic_class",
        "by_category",
        "by_agent",
        "by_verification",
        "spoofed",
        "rows",
        "hourly_rows",
        "place_rows",
    }
    assert as_json["spoofed"] == as_json["by_verification"]["spoofed"] > 0
    assert as_json["by_agent"]["other"] > 0
