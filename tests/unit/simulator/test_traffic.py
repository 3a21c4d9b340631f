"""The planned traffic: deterministic, composed as configured, labelled consistently."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from scan_analytics.devgeo import country_of
from schemas.validation import to_millis, validate_scan_event
from simulator.addresses import UNKNOWN
from simulator.catalog import build_catalog
from simulator.traffic import DAY_MS, Kind, Malformed, MalformedKind, Scan, Shares, TrafficPlanner

from .conftest import NOW

NOW_MS = to_millis(NOW)
START_MS = NOW_MS - 3 * DAY_MS


def plan(events: int = 5_000, seed: int = 3, shares: Shares | None = None) -> list[Scan | Malformed]:
    return TrafficPlanner(build_catalog(), seed, shares).plan(events, START_MS, NOW_MS, NOW_MS, 7)


def scans(messages: list[Scan | Malformed]) -> list[Scan]:
    return [m for m in messages if isinstance(m, Scan)]


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert plan(seed=3) == plan(seed=3)
    assert plan(seed=3) != plan(seed=4)


@pytest.mark.parametrize("events", [0, 1, 7, 100, 5_000])
def test_exactly_the_requested_number_of_messages(events: int) -> None:
    assert len(plan(events)) == events


def test_composition_follows_the_shares() -> None:
    messages = plan(10_000)
    kinds = Counter(m.kind for m in messages)
    assert kinds[Kind.HUMAN] > 7_000
    for kind in (Kind.SCRAPER, Kind.AI_AGENT, Kind.CRAWLER, Kind.AUTOMATION, Kind.MISSING_UA, Kind.TOO_LATE):
        assert kinds[kind] > 0, kind
    assert sum(1 for m in messages if isinstance(m, Malformed)) == 50
    assert sum(1 for m in scans(messages) if m.resend) == 200
    assert {m.kind for m in messages if isinstance(m, Malformed)} == set(MalformedKind)


def test_every_scan_is_valid_and_dated_as_labelled() -> None:
    late_limit = NOW_MS - 6 * DAY_MS
    for scan in scans(plan()):
        validate_scan_event(scan.record, now_ms=NOW_MS)
        if scan.kind is Kind.TOO_LATE:
            assert scan.occurred_ms < NOW_MS - 8 * DAY_MS
        else:
            assert late_limit <= scan.occurred_ms <= NOW_MS + 5 * 60_000


def test_countries_are_what_the_geoip_table_says() -> None:
    for scan in scans(plan()):
        assert scan.country == (country_of(scan.record["client_ip"]) or UNKNOWN)
    countries = {s.country for s in scans(plan())}
    assert UNKNOWN in countries and len(countries) > 8
    ips = [s.record["client_ip"] for s in scans(plan())]
    assert any(":" in ip for ip in ips) and any("." in ip for ip in ips)


def test_resends_repeat_the_whole_record_after_the_original() -> None:
    seen: dict[str, Scan] = {}
    for scan in scans(plan()):
        if scan.resend:
            assert seen[scan.event_id].record == scan.record
        else:
            assert scan.event_id not in seen
            seen[scan.event_id] = scan


def test_scrapers_send_in_occurred_at_order_from_one_address_each() -> None:
    by_ip: dict[str, list[Scan]] = defaultdict(list)
    for scan in scans(plan()):
        by_ip[scan.record["client_ip"]].append(scan)
    scrapers = [v for v in by_ip.values() if v[0].kind is Kind.SCRAPER]
    assert scrapers
    for events in scrapers:
        assert {e.kind for e in events} == {Kind.SCRAPER}
        times = [e.occurred_ms for e in events]
        assert times == sorted(times)
        assert not any(e.resend for e in events)


def test_people_stay_far_below_the_rate_thresholds() -> None:
    per_ip = Counter(s.record["client_ip"] for s in scans(plan()) if s.kind is Kind.HUMAN and not s.resend)
    assert max(per_ip.values()) <= 5


def test_labels_follow_the_kind() -> None:
    for scan in scans(plan()):
        if scan.kind in (Kind.AI_AGENT, Kind.CRAWLER, Kind.AUTOMATION):
            assert (scan.device_class, scan.is_bot) == ("bot", True)
        elif scan.kind is Kind.MISSING_UA:
            assert (scan.device_class, scan.is_bot) == ("other", True)
            assert not (scan.record["user_agent"] or "").strip()
        else:
            assert not scan.is_bot and scan.device_class in {"mobile", "tablet", "desktop", "other"}


def test_malformed_avro_records_are_invalid_for_the_named_reason() -> None:
    for message in plan(10_000):
        if isinstance(message, Malformed) and message.kind.is_avro:
            assert message.record is not None
            with pytest.raises(Exception) as info:
                validate_scan_event(message.record, now_ms=NOW_MS)
            assert getattr(info.value, "reason", None) == message.kind.value
        elif isinstance(message, Malformed) and message.record is None:
            assert message.payload[:1] != b"\x00"


def test_shares_that_do_not_fit_are_refused() -> None:
    with pytest.raises(ValueError):
        Shares(scraper=0.6, ai_agent=0.6)
    with pytest.raises(ValueError):
        Shares(late=1.5)
