"""place_cover: whole years, months and days, less the months and days taken away, count each day
of the window once and no other day."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from api.places import PlaceCover, place_cover
from api.window import Window, first_of_next_month


def _range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)]


def counted(cover: PlaceCover) -> dict[date, int]:
    out: Counter[date] = Counter(cover.days)
    for month in cover.months:
        out.update(_range(month, first_of_next_month(month)))
    for year in cover.years:
        out.update(_range(year, date(year.year + 1, 1, 1)))
    out.subtract(cover.less_days)
    for month in cover.less_months:
        out.subtract(_range(month, first_of_next_month(month)))
    return {day: n for day, n in out.items() if n}  # negatives stay: a day taken away twice shows


@given(
    st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    st.integers(0, 730),
    st.one_of(st.none(), st.dates(date(2023, 6, 1), date(2028, 6, 1))),
)
@example(date(2025, 12, 2), 364, date(2026, 12, 1))
@example(date(2025, 7, 1), 364, date(2026, 6, 30))
def test_the_cover_counts_each_day_of_the_window_once(since: date, length: int, today: date | None) -> None:
    window = Window(since=since, until=since + timedelta(days=length))
    cover = place_cover(window, today)
    assert counted(cover) == dict.fromkeys(window.days(), 1)
    for periods in (cover.years, cover.months, cover.less_months, cover.days, cover.less_days):
        assert len(set(periods)) == len(periods)
    months_only = place_cover(window, None)
    assert cover.cost(today) <= months_only.cost(today)


def test_a_month_less_a_day_is_read_as_the_month_less_the_day() -> None:
    cover = place_cover(Window(since=date(2026, 11, 2), until=date(2026, 12, 1)), date(2026, 12, 1))
    assert cover.months == [date(2026, 11, 1)]
    assert cover.less_days == [date(2026, 11, 1)]
    assert cover.days == [date(2026, 12, 1)]
    assert cover.years == cover.less_months == []


def test_the_last_365_days_in_december_are_this_year_and_last_december() -> None:
    today = date(2026, 12, 1)
    cover = place_cover(Window(since=date(2025, 12, 2), until=today), today)
    assert cover.years == [date(2026, 1, 1)]
    assert cover.months == [date(2025, 12, 1)]
    assert date(2025, 12, 1) in cover.less_days  # and the rest of this December, nothing yet
