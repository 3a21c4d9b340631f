"""The hourly path's split of a UTC range into whole UTC days and the hours on either side."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api import zones
from api.queries import split_hours
from api.window import Window


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "interior", "edges"),
    [
        # a Chicago day in winter: no whole UTC day, one run of hours
        ("2026-03-07T06:00", "2026-03-08T06:00", None, [("2026-03-07T06:00", "2026-03-08T06:00")]),
        # two Chicago days: one whole UTC day between 18 and 5 hours
        (
            "2026-03-07T06:00",
            "2026-03-09T05:00",
            ("2026-03-08", "2026-03-08"),
            [("2026-03-07T06:00", "2026-03-08T00:00"), ("2026-03-09T00:00", "2026-03-09T05:00")],
        ),
        # UTC days: all interior
        ("2026-04-01T00:00", "2026-04-03T00:00", ("2026-04-01", "2026-04-02"), []),
        # Tokyo: days begin at 15:00 UTC the day before
        (
            "2026-04-09T15:00",
            "2026-04-11T15:00",
            ("2026-04-10", "2026-04-10"),
            [("2026-04-09T15:00", "2026-04-10T00:00"), ("2026-04-11T00:00", "2026-04-11T15:00")],
        ),
        # a range inside one UTC day
        ("2026-04-10T01:00", "2026-04-10T23:00", None, [("2026-04-10T01:00", "2026-04-10T23:00")]),
    ],
)
def test_split_hours(
    start: str, end: str, interior: tuple[str, str] | None, edges: list[tuple[str, str]]
) -> None:
    got = split_hours(utc(start), utc(end))
    want = (
        None if interior is None else Window(date.fromisoformat(interior[0]), date.fromisoformat(interior[1]))
    )
    assert got.interior == want
    assert [(a, b) for a, b in got.edges if a < b] == [(utc(a), utc(b)) for a, b in edges]


@given(
    st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    st.integers(1, 92),
    st.sampled_from(["America/Chicago", "Asia/Tokyo", "Europe/Berlin", "Pacific/Kiritimati", "UTC"]),
)
def test_every_hour_once(since: date, length: int, zone: str) -> None:
    """The interior's days and the edges' hours cover the caller's days exactly once."""
    window = Window(since, since + timedelta(days=length - 1))
    start, end = zones.utc_range(window, ZoneInfo(zone))
    got = split_hours(start, end)
    hours: list[datetime] = []
    if got.interior is not None:
        first = datetime.combine(got.interior.since, datetime.min.time(), tzinfo=UTC)
        hours += [first + timedelta(hours=h) for h in range(24 * got.interior.length)]
    for a, b in got.edges:
        assert a <= b and b - a < timedelta(days=1 if got.interior else 2)
        hours += [a + timedelta(hours=h) for h in range(int((b - a) / timedelta(hours=1)))]
    assert sorted(hours) == [
        start + timedelta(hours=h) for h in range(int((end - start) / timedelta(hours=1)))
    ]
