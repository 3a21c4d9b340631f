"""place_cover: whole months and days, less the days taken away, count each day of the window once."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from api.places import place_cover
from api.window import Window, first_of_next_month


def counted(cover_months: list[date], days: list[date], less: list[date]) -> Counter[date]:
    out: Counter[date] = Counter(days)
    for month in cover_months:
        day = month
        while day < first_of_next_month(month):
            out[day] += 1
            day += timedelta(days=1)
    out.subtract(less)
    return +out


@given(st.dates(date(2024, 1, 1), date(2027, 12, 31)), st.integers(0, 730))
def test_the_cover_counts_each_day_of_the_window_once(since: date, length: int) -> None:
    window = Window(since=since, until=since + timedelta(days=length))
    cover = place_cover(window)
    assert counted(cover.months, cover.days, cover.less_days) == Counter(window.days())
    assert len(set(cover.months)) == len(cover.months)


def test_a_month_less_a_day_is_read_as_the_month_less_the_day() -> None:
    cover = place_cover(Window(since=date(2026, 11, 2), until=date(2026, 12, 1)))
    assert cover.months == [date(2026, 11, 1)]
    assert cover.less_days == [date(2026, 11, 1)]
    assert cover.days == [date(2026, 12, 1)]
