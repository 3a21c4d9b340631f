from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api import zones
from api.window import Window

D = date.fromisoformat
CHICAGO = ZoneInfo("America/Chicago")
HOUR = 3600


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def epoch(text: str) -> int:
    return int(utc(text).timestamp())


@pytest.mark.parametrize(
    ("day", "zone", "start"),
    [
        ("2026-03-08", "America/Chicago", "2026-03-08T06:00"),  # CST, the day clocks go forward
        ("2026-03-09", "America/Chicago", "2026-03-09T05:00"),  # CDT
        ("2026-11-01", "America/Chicago", "2026-11-01T05:00"),  # CDT, the day clocks go back
        ("2026-11-02", "America/Chicago", "2026-11-02T06:00"),
        ("2026-04-17", "Asia/Tokyo", "2026-04-16T15:00"),
        ("2026-04-17", "Pacific/Kiritimati", "2026-04-16T10:00"),  # +14
        ("2026-04-17", "UTC", "2026-04-17T00:00"),
        ("2026-04-17", "Asia/Kolkata", "2026-04-16T18:30"),
        # a midnight the clocks skip (Sao Paulo, 2018): the day begins at the change, 01:00 -02
        ("2018-11-04", "America/Sao_Paulo", "2018-11-04T03:00"),
    ],
)
def test_a_local_day_begins_at_its_utc_instant(day: str, zone: str, start: str) -> None:
    assert zones.midnight(D(day), ZoneInfo(zone)) == utc(start)


@pytest.mark.parametrize(
    ("day", "hours"),
    [("2026-03-07", 24), ("2026-03-08", 23), ("2026-03-09", 24), ("2026-11-01", 25), ("2026-11-02", 24)],
)
def test_chicago_days_have_23_24_or_25_hours(day: str, hours: int) -> None:
    start, end = zones.utc_range(Window(D(day), D(day)), CHICAGO)
    assert end - start == timedelta(hours=hours)
    assert len(zones.local_hours(Window(D(day), D(day)), CHICAGO, {})) == hours


def test_the_utc_range_of_a_window_across_the_spring_change() -> None:
    window = Window(D("2026-03-07"), D("2026-03-09"))
    assert zones.utc_range(window, CHICAGO) == (utc("2026-03-07T06:00"), utc("2026-03-10T05:00"))
    assert zones.day_starts(window, CHICAGO) == [
        utc("2026-03-07T06:00"),
        utc("2026-03-08T06:00"),
        utc("2026-03-09T05:00"),
        utc("2026-03-10T05:00"),
    ]


def test_hours_of_the_spring_change_skip_two_oclock() -> None:
    hours = [h["hour"] for h in zones.local_hours(Window(D("2026-03-08"), D("2026-03-08")), CHICAGO, {})]
    assert hours[:4] == [
        "2026-03-08T00:00:00-06:00",
        "2026-03-08T01:00:00-06:00",
        "2026-03-08T03:00:00-05:00",
        "2026-03-08T04:00:00-05:00",
    ]
    assert hours[-1] == "2026-03-08T23:00:00-05:00"


def test_hours_of_the_autumn_change_repeat_one_oclock_with_two_offsets() -> None:
    hours = [h["hour"] for h in zones.local_hours(Window(D("2026-11-01"), D("2026-11-01")), CHICAGO, {})]
    assert hours[:4] == [
        "2026-11-01T00:00:00-05:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T01:00:00-06:00",
        "2026-11-01T02:00:00-06:00",
    ]
    assert len(set(hours)) == 25


def test_scans_per_utc_hour_fall_into_local_days_and_hours() -> None:
    window = Window(D("2026-03-07"), D("2026-03-08"))
    per_hour = {
        epoch("2026-03-07T05:00"): 100,  # 23:00 CST on the 6th: before the window
        epoch("2026-03-07T06:00"): 1,  # 00:00 on the 7th
        epoch("2026-03-08T05:00"): 2,  # 23:00 on the 7th
        epoch("2026-03-08T06:00"): 4,  # 00:00 on the 8th
        epoch("2026-03-08T08:00"): 8,  # 03:00 CDT on the 8th
        epoch("2026-03-09T04:00"): 16,  # 23:00 CDT on the 8th
        epoch("2026-03-09T05:00"): 200,  # 00:00 on the 9th: after the window
    }
    assert zones.local_days(window, CHICAGO, per_hour) == [
        {"date": "2026-03-07", "scans": 3},
        {"date": "2026-03-08", "scans": 28},
    ]
    hours = zones.local_hours(window, CHICAGO, per_hour)
    assert len(hours) == 24 + 23
    assert {h["hour"]: h["scans"] for h in hours if h["scans"]} == {
        "2026-03-07T00:00:00-06:00": 1,
        "2026-03-07T23:00:00-06:00": 2,
        "2026-03-08T00:00:00-06:00": 4,
        "2026-03-08T03:00:00-05:00": 8,
        "2026-03-08T23:00:00-05:00": 16,
    }


@pytest.mark.parametrize(
    ("zone", "since", "until", "utc_days"),
    [
        ("UTC", "2026-01-01", "2026-12-31", True),
        ("Etc/UTC", "2026-01-01", "2026-12-31", True),
        ("Africa/Abidjan", "2024-01-01", "2025-12-31", True),  # always +00:00
        ("Europe/London", "2026-01-01", "2026-03-28", True),  # GMT until the 29th
        ("Europe/London", "2026-01-01", "2026-03-29", False),  # the 30th begins at 23:00 UTC
        ("Europe/London", "2026-10-25", "2026-12-31", False),  # the 25th begins at 23:00 UTC (BST)
        ("Europe/London", "2026-10-26", "2026-12-31", True),  # GMT from 01:00 UTC on the 25th
        ("America/Chicago", "2026-01-01", "2026-01-01", False),
        ("Asia/Kolkata", "2026-01-01", "2026-01-01", False),
    ],
)
def test_a_zone_whose_days_are_utc_days(zone: str, since: str, until: str, utc_days: bool) -> None:
    assert zones.is_utc_days(Window(D(since), D(until)), ZoneInfo(zone)) is utc_days


@pytest.mark.parametrize(
    ("zone", "since", "until", "uneven"),
    [
        ("Asia/Kolkata", "2026-04-01", "2026-04-30", "2026-04-01T00:00:00+05:30"),
        ("Asia/Kathmandu", "2026-04-01", "2026-04-30", "2026-04-01T00:00:00+05:45"),
        ("America/St_Johns", "2026-07-01", "2026-07-01", "2026-07-01T00:00:00-02:30"),
        ("America/Chicago", "2026-03-01", "2026-11-30", None),
        ("Asia/Tokyo", "2026-01-01", "2026-12-31", None),
        ("UTC", "2026-01-01", "2026-12-31", None),
        # Lord Howe Island: +11:00 in its summer, +10:30 from 2026-04-05 02:00
        ("Australia/Lord_Howe", "2026-01-01", "2026-04-04", None),
        ("Australia/Lord_Howe", "2026-01-01", "2026-04-05", "2026-04-06T00:00:00+10:30"),  # the end
        ("Australia/Lord_Howe", "2026-06-01", "2026-06-01", "2026-06-01T00:00:00+10:30"),
    ],
)
def test_uneven_midnights_are_found_only_where_the_window_meets_them(
    zone: str, since: str, until: str, uneven: str | None
) -> None:
    found = zones.uneven_midnight(Window(D(since), D(until)), ZoneInfo(zone))
    assert (found.isoformat() if found else None) == uneven


def test_an_uneven_hour_inside_a_day() -> None:
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    # 2026-04-05 at 02:00 +11:00 the clocks go back to 01:30 +10:30: the next hours are at :30
    assert zones.uneven_hour(utc("2026-04-04T13:00"), utc("2026-04-04T15:00"), lord_howe) is None
    found = zones.uneven_hour(utc("2026-04-04T13:00"), utc("2026-04-04T16:00"), lord_howe)
    assert found is not None and found.isoformat() == "2026-04-05T01:30:00+10:30"
    assert zones.uneven_hour(utc("2026-03-01T00:00"), utc("2026-12-01T00:00"), CHICAGO) is None


@pytest.mark.parametrize(
    ("zone", "earliest"),
    [
        ("UTC", "2026-01-16"),  # 2026-04-17 and the 91 days before it
        ("America/Chicago", "2026-01-16"),  # begins 06:00 UTC on the 16th
        ("Asia/Tokyo", "2026-01-17"),  # the 16th in Tokyo begins 15:00 UTC on the 15th
        ("Pacific/Kiritimati", "2026-01-17"),
        ("Pacific/Pago_Pago", "2026-01-16"),  # -11:00
    ],
)
def test_the_earliest_day_of_the_hourly_retention(zone: str, earliest: str) -> None:
    assert zones.earliest_day(D("2026-04-17"), 92, ZoneInfo(zone)) == D(earliest)


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("UTC", True),
        ("America/Chicago", True),
        ("Etc/GMT-5", True),
        ("utc", False),
        ("America", False),  # a folder
        ("Mars/Olympus_Mons", False),
        ("../../etc/passwd", False),
        ("/etc/localtime", False),
        ("localtime", False),  # the server's own zone, not an IANA name
        ("zone.tab", False),
        ("", False),
    ],
)
def test_zone_names(name: str, known: bool) -> None:
    assert (zones.zone_named(name) is not None) is known


def test_a_misspelling_is_pointed_at_its_zone() -> None:
    assert zones.spelled_like("america/chicago") == "America/Chicago"
    assert zones.spelled_like("nowhere") is None


@pytest.mark.parametrize(
    ("zone", "neighbours"),
    [
        ("Asia/Kolkata", ("Etc/GMT-5 (UTC+05:00)", "Etc/GMT-6 (UTC+06:00)")),
        ("Asia/Kathmandu", ("Etc/GMT-5 (UTC+05:00)", "Etc/GMT-6 (UTC+06:00)")),
        ("Pacific/Marquesas", ("Etc/GMT+10 (UTC-10:00)", "Etc/GMT+9 (UTC-09:00)")),
    ],
)
def test_whole_hour_neighbours(zone: str, neighbours: tuple[str, str]) -> None:
    instant = datetime(2026, 4, 17, tzinfo=ZoneInfo(zone))
    assert zones.whole_hour_neighbours(instant) == neighbours


@given(
    st.sampled_from(["America/Chicago", "Europe/Berlin", "Australia/Sydney", "UTC", "Asia/Tokyo"]),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=60),
    st.dictionaries(st.integers(min_value=-48, max_value=24 * 70), st.integers(min_value=1, max_value=9)),
)
def test_days_and_hours_sum_to_the_scans_of_the_range(
    name: str, since: date, length: int, offsets: dict[int, int]
) -> None:
    zone, window = ZoneInfo(name), Window(since, since + timedelta(days=length))
    start, end = (int(t.timestamp()) for t in zones.utc_range(window, zone))
    per_hour = {start + HOUR * k: n for k, n in offsets.items()}
    inside = sum(n for hour, n in per_hour.items() if start <= hour < end)
    days = zones.local_days(window, zone, per_hour)
    hours = zones.local_hours(window, zone, per_hour)
    assert [d["date"] for d in days] == [d.isoformat() for d in window.days()]
    assert sum(int(str(d["scans"])) for d in days) == inside
    assert sum(int(str(h["scans"])) for h in hours) == inside
    assert len(hours) == (end - start) // HOUR
    # every hour is labelled with its own day
    labels = [datetime.fromisoformat(str(h["hour"])) for h in hours]
    assert {d.date() for d in labels} == set(window.days())


@given(
    st.sampled_from(
        ["America/Chicago", "Europe/London", "Australia/Lord_Howe", "Africa/Casablanca", "Asia/Tokyo", "UTC"]
    ),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=92),
)
def test_hours_and_days_kept_for_a_range_are_those_worked_out_afresh(
    name: str, since: date, length: int
) -> None:
    """The hours of a range are kept (lru_cache) for the next request of it: the same, each time."""
    zone, window = ZoneInfo(name), Window(since, since + timedelta(days=length))
    start, end = (int(t.timestamp()) for t in zones.utc_range(window, zone))
    per_hour = {hour: 1 for hour in range(start, end, 7 * HOUR)}
    labels = [datetime.fromtimestamp(hour, zone).isoformat() for hour in range(start, end, HOUR)]
    starts = [int(s.timestamp()) for s in zones.day_starts(window, zone)]
    by_day = [sum(1 for h in per_hour if a <= h < b) for a, b in pairwise(starts)]
    uneven = next(
        (h for h in (datetime.fromtimestamp(t, zone) for t in range(start, end, HOUR)) if h.minute), None
    )
    for _ in range(2):  # worked out, then kept
        assert [h["hour"] for h in zones.local_hours(window, zone, per_hour)] == labels
        assert [d["scans"] for d in zones.local_days(window, zone, per_hour)] == by_day
        assert zones.uneven_hour(*zones.utc_range(window, zone), zone) == uneven


def test_two_zones_over_the_same_utc_hours_keep_their_own_labels() -> None:
    # Casablanca's clocks go back an hour for Ramadan and forward after it; Etc/GMT-1 stays at
    # +01:00: the same UTC range for these days, not the same local hours
    window = Window(D("2026-02-01"), D("2026-03-31"))
    casablanca, fixed = ZoneInfo("Africa/Casablanca"), ZoneInfo("Etc/GMT-1")
    assert zones.utc_range(window, casablanca) == zones.utc_range(window, fixed)
    for zone in (casablanca, fixed, casablanca):
        offsets = {str(h["hour"])[-6:] for h in zones.local_hours(window, zone, {})}
        assert offsets == ({"+01:00", "+00:00"} if zone is casablanca else {"+01:00"})
