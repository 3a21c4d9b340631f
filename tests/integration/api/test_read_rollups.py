"""The read rollups of migrations 0007 and 0015 equal a GROUP BY over scan_daily_summary after any writes.

Also: the periods a window is read as cover it exactly once.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api.queries import Cover, Periods, cover, periods, slice_cover
from api.window import Window
from scan_analytics.settings import Settings
from stream_processors.sink import EMPTY, KEY_COLUMNS, UPSERT
from tests.integration.api.test_rollups import FLIP, TRAFFIC, key_of, write_concurrently
from tests.integration.conftest import migrated_database

pytestmark = pytest.mark.integration

WEEK = "date_trunc('week', day::timestamp)::date"
MONTH = "date_trunc('month', day::timestamp)::date"
YEAR = "date_trunc('year', day::timestamp)::date"
BOTS = "coalesce(sum(scans) FILTER (WHERE is_bot), 0)"
# rollup table -> (its key columns, the same key computed from scan_daily_summary)
ROLLUPS = {
    "scan_daily_gtin_totals": (
        "organization_id, day, brand_id, gtin",
        "organization_id, day, brand_id, gtin",
    ),
    "scan_weekly_gtin_totals": (
        "organization_id, week, brand_id, gtin",
        f"organization_id, {WEEK}, brand_id, gtin",
    ),
    "scan_monthly_gtin_totals": (
        "organization_id, month, brand_id, gtin",
        f"organization_id, {MONTH}, brand_id, gtin",
    ),
    "scan_weekly_country_totals": (
        "organization_id, week, brand_id, country_code",
        f"organization_id, {WEEK}, brand_id, country_code",
    ),
    "scan_monthly_country_totals": (
        "organization_id, month, brand_id, country_code",
        f"organization_id, {MONTH}, brand_id, country_code",
    ),
    "scan_daily_brand_totals": ("organization_id, day, brand_id", "organization_id, day, brand_id"),
    # migration 0015
    "scan_yearly_gtin_totals": (
        "organization_id, year, brand_id, gtin",
        f"organization_id, {YEAR}, brand_id, gtin",
    ),
    "scan_yearly_country_totals": (
        "organization_id, year, brand_id, country_code",
        f"organization_id, {YEAR}, brand_id, country_code",
    ),
    "scan_daily_totals": ("organization_id, day", "organization_id, day"),
}


@pytest.fixture(scope="module")
def url(base_settings: Settings, run_id: str) -> Iterator[str]:
    with migrated_database(base_settings, f"sa_read_rollups_{run_id}") as db_url:
        yield db_url


def differences(
    conn: psycopg.Connection,
) -> dict[str, tuple[set[tuple[object, ...]], set[tuple[object, ...]]]]:
    """Return, per rollup that differs from the daily table, (rows only in the rollup, rows only expected)."""
    out = {}
    for table, (key, computed) in ROLLUPS.items():
        actual = set(
            conn.execute(f"SELECT {key}, scans, bot_scans FROM {table} WHERE scans <> 0 OR bot_scans <> 0")
        )
        wanted = set(
            conn.execute(
                f"SELECT {computed}, sum(scans), {BOTS} FROM scan_daily_summary GROUP BY {computed}"
                f" HAVING sum(scans) <> 0 OR {BOTS} <> 0"
            )
        )
        if actual != wanted:
            out[table] = (actual - wanted, wanted - actual)
    return out


def columns(rows: list[tuple[object, ...]]) -> list[list[object]]:
    return [list(c) for c in zip(*rows, strict=True)]


keys = st.tuples(
    st.dates(date(2026, 2, 20), date(2026, 3, 10)),  # crosses a month and three week boundaries
    st.sampled_from(["o1", "o2"]),
    st.sampled_from(["b1", "b2"]),
    st.sampled_from(["00000000000017", "00000000000024", "00000000000031"]),
    st.sampled_from(["US", "DE", "unknown"]),
    st.sampled_from(["mobile", "desktop", "bot"]),
    st.sampled_from(TRAFFIC),
).map(lambda k: key_of(*k[:6], bot=k[6]))
statements = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), st.dictionaries(keys, st.integers(0, 1000), min_size=1, max_size=15)),
        st.tuples(st.just("zero"), st.integers(0, 2**32)),  # existing keys' counts fall to 0
        st.tuples(st.just("delete"), st.integers(0, 2**32)),  # the sink's removal of emptied keys
        st.tuples(st.just("rekey"), st.sampled_from(["US", "DE"])),
        st.tuples(st.just("truncate"), st.none()),
    ),
    min_size=1,
    max_size=8,
)


def existing(conn: psycopg.Connection, seed: int) -> list[tuple[object, ...]]:
    """Return a random half of the daily table's keys."""
    cols = ", ".join(KEY_COLUMNS)
    rows = conn.execute(f"SELECT {cols} FROM scan_daily_summary ORDER BY {cols}").fetchall()
    return random.Random(seed).sample(rows, len(rows) // 2 + (1 if rows else 0)) if rows else []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statements)
@example(  # a row moved onto the key of one moved before it
    [
        ("upsert", {key_of(date(2026, 2, 20), "o1", "b1", "00000000000017", "US", "mobile", bot=False): 0}),
        ("rekey", "US"),
    ]
    * 2
)
def test_random_writes_keep_the_read_rollups_equal_to_the_daily_table(
    url: str, steps: list[tuple[str, object]]
) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
        for step, (kind, arg) in enumerate(steps, start=1):
            if kind == "upsert" and isinstance(arg, dict):
                conn.execute(UPSERT, columns([(*k, n) for k, n in arg.items()]))
            elif kind == "zero" and isinstance(arg, int) and (picked := existing(conn, arg)):
                conn.execute(UPSERT, columns([(*k, 0) for k in picked]))
            elif kind == "delete" and isinstance(arg, int) and (picked := existing(conn, arg)):
                conn.execute(UPSERT, columns([(*k, 0) for k in picked]))
                conn.execute(EMPTY, columns(picked))
            elif kind == "rekey":  # rows that move to another week, month and bot flag
                # Only rows of the generated days move, each step by its own distance beyond them, so
                # no row lands on a key that exists (PostgreSQL checks the key row by row).
                conn.execute(
                    f"UPDATE scan_daily_summary SET day = day + %s, {FLIP}, scans = scans + 1"
                    " WHERE gtin = '00000000000017' AND country_code = %s AND day <= '2026-03-10'",
                    (40 * step, arg),
                )
            elif kind == "truncate":
                conn.execute("TRUNCATE scan_daily_summary")
        assert differences(conn) == {}


def test_counts_that_fall_to_zero_leave_nothing_behind(url: str) -> None:
    key = key_of(date(2026, 3, 2), "o1", "b1", "00000000000017", "US", "mobile", bot=TRAFFIC[2])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
        conn.execute(UPSERT, columns([(*key, 5)]))
        assert conn.execute("SELECT scans, bot_scans FROM scan_weekly_gtin_totals").fetchall() == [(5, 5)]
        conn.execute(UPSERT, columns([(*key, 0)]))
        for table in ROLLUPS:
            assert conn.execute(f"SELECT scans, bot_scans FROM {table}").fetchall() in ([], [(0, 0)]), table
        assert differences(conn) == {}


def test_concurrent_writers_keep_the_read_rollups_exact(url: str) -> None:
    """Four writers, each owning its GTINs (as sink partitions do), all touching the same rollup rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
    # the days cross a week and a month
    errors = write_concurrently(url, [date(2026, 3, 28) + timedelta(days=i) for i in range(6)], least=0)
    assert not errors, errors
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM scan_daily_gtin_totals WHERE scans > 0").fetchone() != (0,)
        assert differences(conn) == {}


def test_rebuild_equals_the_triggers(url: str) -> None:
    def snapshot(conn: psycopg.Connection) -> dict[str, set[tuple[object, ...]]]:
        return {
            table: set(
                conn.execute(
                    f"SELECT {key}, scans, bot_scans FROM {table} WHERE scans <> 0 OR bot_scans <> 0"
                )
            )
            for table, (key, _) in ROLLUPS.items()
        }

    with psycopg.connect(url, autocommit=True) as conn:
        before = snapshot(conn)
        assert any(before.values())
        conn.execute("SELECT scan_read_rollups_rebuild()")
        assert snapshot(conn) == before
        conn.execute("SELECT scan_yearly_rollups_rebuild()")  # migration 0015, from the months and days
        assert snapshot(conn) == before


def test_the_reader_role_may_read_the_read_rollups(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET ROLE scan_analytics_reader")
        for table in ROLLUPS:
            conn.execute(f"SELECT count(*) FROM {table}")


@given(st.dates(date(2024, 1, 1), date(2027, 12, 31)), st.integers(1, 731))
def test_periods_cover_a_window_exactly_once(since: date, length: int) -> None:
    window = Window(since, since + timedelta(days=length - 1))
    cover = periods(window)
    covered: list[date] = list(cover.days)
    for week in cover.weeks:
        assert week.weekday() == 0
        covered += [week + timedelta(days=i) for i in range(7)]
    for month in cover.months:
        assert month.day == 1
        end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        covered += [month + timedelta(days=i) for i in range((end - month).days)]
    for year in cover.years:
        assert (year.month, year.day) == (1, 1)
        covered += _range(year, date(year.year + 1, 1, 1))
    assert sorted(covered) == window.days()
    # a whole year is never read as its months
    assert not {m.year for m in cover.months if m.month == 1} & {
        m.year for m in cover.months if m.month == 12
    }
    # a whole week is never read as seven days: at most six days either side of the weeks
    days = set(cover.days)
    assert not [d for d in days if d.weekday() == 0 and all(d + timedelta(days=i) in days for i in range(7))]
    assert len(days) <= 24


def _days_of(p: Periods) -> Counter[date]:
    days: Counter[date] = Counter(p.days)
    for week in p.weeks:
        days.update(week + timedelta(days=i) for i in range(7))
    for month in p.months:
        end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        days.update(month + timedelta(days=i) for i in range((end - month).days))
    for year in p.years:
        days.update(_range(year, date(year.year + 1, 1, 1)))
    return days


def _range(a: date, b: date) -> list[date]:
    return [a + timedelta(days=i) for i in range((b - a).days)]


@given(
    st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    st.integers(1, 731),
    st.one_of(st.none(), st.dates(date(2023, 6, 1), date(2028, 6, 1))),
)
@example(date(2025, 12, 2), 365, date(2026, 12, 1))  # "the last 365 days" in December
@example(date(2025, 7, 1), 365, date(2026, 6, 30))
def test_covers_count_every_day_of_a_window_once_and_no_other(
    since: date, length: int, today: date | None
) -> None:
    """Periods added less periods taken away: each day of the window once, every other day never.

    Whatever day it is: `today` only weighs the options.
    """
    window = Window(since, since + timedelta(days=length - 1))
    rollups = cover(window, today)
    net = _days_of(rollups.plus)
    net.subtract(_days_of(rollups.less))
    assert {d: n for d, n in net.items() if n} == dict.fromkeys(window.days(), 1)
    assert all(n >= 0 for n in net.values())
    assert rollups.cost <= Cover(periods(window), Periods([], [], []), today).cost
    full = slice_cover(window)
    net = Counter(_range(*full.plus.head) + _range(*full.plus.tail))
    net.update(_days_of(Periods(days=[], weeks=[], months=_months(*full.plus.months))))
    net.subtract(_range(*full.less[0]) + _range(*full.less[1]))
    assert {d: n for d, n in net.items() if n} == dict.fromkeys(window.days(), 1)


def _months(first: date, end: date) -> list[date]:
    out = []
    while first < end:
        out.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return out


def test_the_last_365_days_in_december_read_this_year_and_last_december() -> None:
    today = date(2026, 12, 1)
    rollups = cover(Window(date(2025, 12, 2), today), today)
    assert rollups.plus.years == [date(2026, 1, 1)]
    assert rollups.plus.months == [date(2025, 12, 1)]
    assert rollups.plus.days == rollups.plus.weeks == []
    # taken away: the day before the window, and the rest of this December (nothing yet)
    assert date(2025, 12, 1) in rollups.less.days
    assert min(rollups.less.days + rollups.less.weeks, default=today) >= date(2025, 12, 1)
    assert not rollups.less.months


def test_a_window_in_the_past_is_not_read_as_years_it_would_take_away_from() -> None:
    window = Window(date(2025, 7, 1), date(2026, 6, 30))
    assert cover(window, date(2026, 12, 1)).plus.months == [date(2025, m, 1) for m in range(7, 13)] + [
        date(2026, m, 1) for m in range(1, 7)
    ]
