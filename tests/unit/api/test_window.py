from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.window import Window, first_of_next_month, split

D = date.fromisoformat


@pytest.mark.parametrize(
    ("since", "until", "head", "months", "tail"),
    [
        # inside one month: all daily
        (
            "2026-03-05",
            "2026-03-20",
            ("2026-03-05", "2026-03-21"),
            ("2026-03-21", "2026-03-21"),
            ("2026-03-21", "2026-03-21"),
        ),
        # exactly one whole month
        (
            "2026-02-01",
            "2026-02-28",
            ("2026-02-01", "2026-02-01"),
            ("2026-02-01", "2026-03-01"),
            ("2026-03-01", "2026-03-01"),
        ),
        # crossing one boundary without a whole month
        (
            "2026-03-18",
            "2026-04-17",
            ("2026-03-18", "2026-04-18"),
            ("2026-04-18", "2026-04-18"),
            ("2026-04-18", "2026-04-18"),
        ),
        # a year: head, eleven whole months, tail
        (
            "2025-04-17",
            "2026-04-17",
            ("2025-04-17", "2025-05-01"),
            ("2025-05-01", "2026-04-01"),
            ("2026-04-01", "2026-04-18"),
        ),
        # ends on the last day of December
        (
            "2025-11-15",
            "2025-12-31",
            ("2025-11-15", "2025-12-01"),
            ("2025-12-01", "2026-01-01"),
            ("2026-01-01", "2026-01-01"),
        ),
        # one day
        (
            "2026-01-01",
            "2026-01-01",
            ("2026-01-01", "2026-01-02"),
            ("2026-01-02", "2026-01-02"),
            ("2026-01-02", "2026-01-02"),
        ),
    ],
)
def test_split_table(
    since: str, until: str, head: tuple[str, str], months: tuple[str, str], tail: tuple[str, str]
) -> None:
    parts = split(Window(D(since), D(until)))
    assert parts.head == (D(head[0]), D(head[1]))
    assert parts.months == (D(months[0]), D(months[1]))
    assert parts.tail == (D(tail[0]), D(tail[1]))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-01-31", "2026-02-01"),
        ("2026-12-01", "2027-01-01"),
        ("2024-02-29", "2024-03-01"),
    ],
)
def test_first_of_next_month(day: str, expected: str) -> None:
    assert first_of_next_month(D(day)) == D(expected)


def test_window_refuses_reversed_dates() -> None:
    with pytest.raises(ValueError, match="after"):
        Window(D("2026-02-02"), D("2026-02-01"))


@given(st.dates(min_value=date(1999, 1, 1), max_value=date(2031, 1, 1)), st.integers(0, 800))
def test_split_covers_each_day_once(since: date, length: int) -> None:
    window = Window(since, since + timedelta(days=length))
    parts = split(window)
    covered: list[date] = []
    for start, end in (parts.head, parts.tail):
        assert start <= end
        covered += [start + timedelta(days=i) for i in range((end - start).days)]
    m_start, m_end = parts.months
    assert m_start <= m_end
    if m_start < m_end:
        assert m_start.day == 1 and m_end.day == 1
        covered += [m_start + timedelta(days=i) for i in range((m_end - m_start).days)]
    assert sorted(covered) == window.days()
    assert window.length == len(window.days()) == length + 1
