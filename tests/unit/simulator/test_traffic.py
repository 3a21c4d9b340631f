"""The planned traffic: deterministic, composed as configured, labelled consistently."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path

import maxminddb
import pytest

from scan_analytics.devgeo import build_country_mmdb, country_of
from schemas.validation import to_millis, validate_scan_event
from simulator import useragents
from simulator.addresses import UNKNOWN, RangeList, load_ranges, parse_range_list
from simulator.catalog import build_catalog
from simulator.traffic import DAY_MS, Kind, Malformed, MalformedKind, Scan, Shares, TrafficPlanner

from .conftest import NOW

NOW_MS = to_millis(NOW)
START_MS = NOW_MS - 3 * DAY_MS


SHIPPED = load_ranges()
AGENT_KINDS = (Kind.AI_AGENT, Kind.CRAWLER, Kind.AUTOMATION)
HUMAN_LABELS = ("human", "", "", "", "")
# A Googlebot list as Google publishes it, for when the project does not ship one yet.
GOOGLEBOT = parse_range_list(
    "googlebot",
    {
        "creationTime": "2026-11-01T00:00:00.000000",
        "prefixes": [{"ipv4Prefix": "66.249.64.0/27"}, {"ipv6Prefix": "2001:4860:4801:10::/64"}],
    },
)


def plan(
    events: int = 5_000,
    seed: int = 3,
    shares: Shares | None = None,
    ranges: Mapping[str, RangeList] | None = None,
) -> list[Scan | Malformed]:
    return TrafficPlanner(build_catalog(), seed, shares, ranges).plan(events, START_MS, NOW_MS, NOW_MS, 7)


def labels(scan: Scan) -> tuple[str, str, str, str, str]:
    return (scan.traffic_class, scan.category, scan.agent, scan.operator, scan.verification)


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
    for kind in (Kind.SCRAPER, *AGENT_KINDS, Kind.SPOOFED, Kind.MISSING_UA, Kind.TOO_LATE):
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
    by_name = {d.name: d for d in useragents.DECLARED}
    for scan in scans(plan()):
        if scan.kind in AGENT_KINDS:
            assert (scan.device_class, scan.is_bot) == ("bot", True)
            assert scan.verification in {"verified", "unverified"}
            assert (scan.traffic_class == "ai_agent") == (scan.kind is Kind.AI_AGENT)
        elif scan.kind is Kind.SPOOFED:
            claimed = by_name[scan.agent]
            assert claimed.ranges in SHIPPED and claimed.name in scan.record["user_agent"]
            assert (scan.device_class, scan.is_bot) == ("bot", True)
            assert labels(scan) == ("bot", "unknown_bot", claimed.name, claimed.operator, "spoofed")
        elif scan.kind is Kind.MISSING_UA:
            assert (scan.device_class, scan.is_bot) == ("other", True)
            assert labels(scan) == ("bot", "unknown_bot", "", "", "")
            assert not (scan.record["user_agent"] or "").strip()
        else:
            assert not scan.is_bot and scan.device_class in {"mobile", "tablet", "desktop", "other"}
            assert labels(scan) == HUMAN_LABELS


def test_declared_agents_are_labelled_from_their_table_entry() -> None:
    entries = {(d.user_agent, d.agent) for d in useragents.DECLARED}
    for scan in scans(plan()):
        if scan.kind not in AGENT_KINDS:
            continue
        declared = next(d for d in useragents.DECLARED if d.user_agent == scan.record["user_agent"])
        assert (scan.record["user_agent"], scan.agent) in entries
        assert (scan.traffic_class, scan.category) == (declared.traffic_class, declared.category)
        assert scan.operator == (declared.operator if declared.listed else "")


def test_declared_agents_cover_every_category() -> None:
    categories = {s.category for s in scans(plan(10_000)) if s.kind in AGENT_KINDS}
    assert categories == set(useragents.CATEGORIES)


def test_verified_agents_come_from_inside_their_operators_list() -> None:
    seen = Counter[str]()
    for scan in scans(plan(10_000)):
        if scan.kind not in AGENT_KINDS:
            continue
        declared = next(d for d in useragents.DECLARED if d.user_agent == scan.record["user_agent"])
        ranges = SHIPPED.get(declared.ranges or "") if declared.listed else None
        if ranges is None:
            assert scan.verification == "unverified"
            assert not any(scan.record["client_ip"] in r for r in SHIPPED.values())
        else:
            assert scan.verification == "verified"
            assert scan.record["client_ip"] in ranges
            seen[declared.ranges or ""] += 1
    assert seen and set(seen) <= set(SHIPPED)


def test_spoofed_claims_come_from_ordinary_addresses_outside_every_list() -> None:
    spoofed = [s for s in scans(plan(10_000)) if s.kind is Kind.SPOOFED]
    assert spoofed
    for scan in spoofed:
        ip = scan.record["client_ip"]
        assert not any(ip in r for r in SHIPPED.values())
        assert scan.country == (country_of(ip) or UNKNOWN)
    assert {s.agent for s in spoofed} <= {d.name for d in useragents.DECLARED if d.ranges in SHIPPED}


def test_agent_countries_are_what_the_development_database_answers(tmp_path: Path) -> None:
    database = build_country_mmdb(tmp_path / "dev-country.mmdb")
    with maxminddb.open_database(str(database)) as reader:
        for scan in scans(plan(10_000)):
            if scan.kind in (*AGENT_KINDS, Kind.SPOOFED):
                record = reader.get(scan.record["client_ip"])
                expected = record["country"]["iso_code"] if isinstance(record, dict) else UNKNOWN
                assert scan.country == expected, scan.record["client_ip"]


def test_without_range_lists_every_agent_is_unverified_and_none_spoofed() -> None:
    messages = plan(5_000, ranges={})
    assert len(messages) == 5_000
    kinds = Counter(s.kind for s in scans(messages))
    assert kinds[Kind.SPOOFED] == 0
    assert {s.verification for s in scans(messages) if s.kind in AGENT_KINDS} == {"unverified"}


def test_a_list_added_later_verifies_and_draws_spoofers_of_its_agent() -> None:
    ranges = {**SHIPPED, "googlebot": GOOGLEBOT}
    messages = scans(plan(10_000, shares=Shares(crawler=0.3, spoofed=0.1), ranges=ranges))
    googlebot = [s for s in messages if s.agent == "Googlebot"]
    assert {s.verification for s in googlebot} == {"verified", "spoofed"}
    for scan in googlebot:
        assert (scan.record["client_ip"] in GOOGLEBOT) == (scan.verification == "verified")
        assert scan.category == ("search_crawler" if scan.verification == "verified" else "unknown_bot")


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
    with pytest.raises(ValueError):
        Shares(spoofed=0.5, crawler=0.6)
