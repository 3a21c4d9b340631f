"""The hourly path's split of a UTC range into whole UTC days and the hours on either side."""

from __future__ import annotations

from collections import Counter
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
    ("start", "end", "interior", "edges", "less"),
    [
        # a Chicago day in winter: 18 hours of one UTC day (its day less 6 hours), 6 of the next
        (
            "2026-03-07T06:00",
            "2026-03-08T06:00",
            ("2026-03-07", "2026-03-07"),
            [("2026-03-08T00:00", "2026-03-08T06:00")],
            [("2026-03-07T00:00", "2026-03-07T06:00")],
        ),
        # two Chicago days: one whole UTC day between 18 and 5 hours
        (
            "2026-03-07T06:00",
            "2026-03-09T05:00",
            ("2026-03-07", "2026-03-08"),
            [("2026-03-09T00:00", "2026-03-09T05:00")],
            [("2026-03-07T00:00", "2026-03-07T06:00")],
        ),
        # UTC days: all interior
        ("2026-04-01T00:00", "2026-04-03T00:00", ("2026-04-01", "2026-04-02"), [], []),
        # Tokyo: days begin at 15:00 UTC the day before; 9 hours before, a day less 9 hours after
        (
            "2026-04-09T15:00",
            "2026-04-11T15:00",
            ("2026-04-10", "2026-04-11"),
            [("2026-04-09T15:00", "2026-04-10T00:00")],
            [("2026-04-11T15:00", "2026-04-12T00:00")],
        ),
        # most of one UTC day: the day less an hour at either end
        (
            "2026-04-10T01:00",
            "2026-04-10T23:00",
            ("2026-04-10", "2026-04-10"),
            [],
            [("2026-04-10T00:00", "2026-04-10T01:00"), ("2026-04-10T23:00", "2026-04-11T00:00")],
        ),
        # a few hours: as they are
        ("2026-04-10T05:00", "2026-04-10T09:00", None, [("2026-04-10T05:00", "2026-04-10T09:00")], []),
    ],
)
def test_split_hours(
    start: str,
    end: str,
    interior: tuple[str, str] | None,
    edges: list[tuple[str, str]],
    less: list[tuple[str, str]],
) -> None:
    got = split_hours(utc(start), utc(end))
    want = (
        None if interior is None else Window(date.fromisoformat(interior[0]), date.fromisoformat(interior[1]))
    )
    assert got.interior == want
    assert [(a, b) for a, b in got.edges if a < b] == [(utc(a), utc(b)) for a, b in edges]
    assert [(a, b) for a, b in got.less if a < b] == [(utc(a), utc(b)) for a, b in less]


@given(
    st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    st.integers(1, 92),
    st.sampled_from(["America/Chicago", "Asia/Tokyo", "Europe/Berlin", "Pacific/Kiritimati", "UTC"]),
)
def test_every_hour_once(since: date, length: int, zone: str) -> None:
    """Days added, hours added and hours taken away: each hour of the range once, no other hour."""
    window = Window(since, since + timedelta(days=length - 1))
    start, end = zones.utc_range(window, ZoneInfo(zone))
    got = split_hours(start, end)
    net: Counter[datetime] = Counter()
    if got.interior is not None:
        first = datetime.combine(got.interior.since, datetime.min.time(), tzinfo=UTC)
        net.update(first + timedelta(hours=h) for h in range(24 * got.interior.length))
    for (a, b), sign in [*((e, 1) for e in got.edges), *((e, -1) for e in got.less)]:
        assert a <= b and b - a <= timedelta(hours=12)
        for h in range((b - a) // timedelta(hours=1)):
            net[a + timedelta(hours=h)] += sign
    assert {h: n for h, n in net.items() if n} == dict.fromkeys(
        (start + timedelta(hours=h) for h in range((end - start) // timedelta(hours=1))), 1
    )
