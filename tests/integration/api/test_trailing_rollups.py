"""The trailing layer of migration 0016 equals a GROUP BY of scan_daily_summary over its windows.

After any writes. Its windows end today (UTC, PostgreSQL's clock) once anything is written;
moved by hand to another day (as a day's first write moves them), they hold that day's windows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scan_analytics.settings import Settings
from stream_processors.sink import EMPTY, KEY_COLUMNS, UPSERT
from tests.integration.api.test_rollups import FLIP, TRAFFIC, key_of, write_concurrently
from tests.integration.conftest import migrated_database

pytestmark = pytest.mark.integration

GTINS = ["00000000000017", "00000000000024", "00000000000031"]
BOTS = "coalesce(sum(scans) FILTER (WHERE is_bot), 0)"


def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture(scope="module")
def url(base_settings: Settings, run_id: str) -> Iterator[str]:
    with migrated_database(base_settings, f"sa_trailing_{run_id}") as db_url:
        yield db_url


def windows(conn: psycopg.Connection) -> dict[int, date | None]:
    return dict(conn.execute("SELECT days, through FROM scan_trailing_windows").fetchall())


def differences(
    conn: psycopg.Connection,
) -> dict[int, tuple[set[tuple[object, ...]], set[tuple[object, ...]]]]:
    """Per window that differs from the daily table: (rows only in the layer, rows only expected)."""
    out = {}
    for days, through in windows(conn).items():
        actual = set(
            conn.execute(
                "SELECT organization_id, gtin, scans, bot_scans FROM scan_trailing_gtin_totals"
                " WHERE days = %s AND (scans <> 0 OR bot_scans <> 0)",
                (days,),
            )
        )
        wanted = (
            set(
                conn.execute(
                    f"SELECT organization_id, gtin, sum(scans), {BOTS} FROM scan_daily_summary"
                    " WHERE day > %s::date - %s AND day <= %s GROUP BY 1, 2"
                    f" HAVING sum(scans) <> 0 OR {BOTS} <> 0",
                    (through, days, through),
                )
            )
            if through is not None
            else set()
        )
        stale = conn.execute(
            "SELECT count(*) FROM scan_trailing_gtin_totals WHERE days = %s AND through IS DISTINCT FROM %s",
            (days, through),
        ).fetchone()
        if actual != wanted or stale != (0,):
            out[days] = (actual - wanted, wanted - actual)
    return out


def columns(rows: list[tuple[object, ...]]) -> list[list[object]]:
    return [list(c) for c in zip(*rows, strict=True)]


def existing(conn: psycopg.Connection, seed: int) -> list[tuple[object, ...]]:
    cols = ", ".join(KEY_COLUMNS)
    rows = conn.execute(f"SELECT {cols} FROM scan_daily_summary ORDER BY {cols}").fetchall()
    return random.Random(seed).sample(rows, len(rows) // 2 + 1) if rows else []


# days relative to today: the windows' first days, the days before and after them, and further out
offsets = st.sampled_from([-100, -91, -90, -89, -45, -31, -30, -29, -28, -8, -7, -6, -2, -1, 0, 1])
keys = st.tuples(
    offsets,
    st.sampled_from(["o1", "o2"]),
    st.sampled_from(["b1", "b2"]),  # a GTIN of two brands sums in the organization's ranking
    st.sampled_from(GTINS),
    st.sampled_from(["US", "DE"]),
    st.sampled_from(["mobile", "bot"]),
    st.sampled_from(TRAFFIC),
)
statements = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), st.dictionaries(keys, st.integers(0, 1000), min_size=1, max_size=12)),
        st.tuples(st.just("zero"), st.integers(0, 2**32)),
        st.tuples(st.just("delete"), st.integers(0, 2**32)),
        st.tuples(st.just("shift"), st.sampled_from([-60, -7, -3, 1, 29])),  # rows cross the windows' ends
        st.tuples(st.just("truncate"), st.none()),
        st.tuples(st.just("roll"), st.sampled_from([-95, -30, -29, -7, -3, -1, 0])),  # as a day's first write
    ),
    min_size=1,
    max_size=8,
)


def run(conn: psycopg.Connection, kind: str, arg: object, step: int) -> None:
    if kind == "upsert" and isinstance(arg, dict):
        rows = [(*key_of(today() + timedelta(days=k[0]), *k[1:6], bot=k[6]), n) for k, n in arg.items()]
        conn.execute(UPSERT, columns(rows))
    elif kind == "zero" and isinstance(arg, int) and (picked := existing(conn, arg)):
        conn.execute(UPSERT, columns([(*k, 0) for k in picked]))
    elif kind == "delete" and isinstance(arg, int) and (picked := existing(conn, arg)):
        conn.execute(UPSERT, columns([(*k, 0) for k in picked]))
        conn.execute(EMPTY, columns(picked))
    elif kind == "shift" and isinstance(arg, int):
        # a GTIN's rows move by `arg` days, onto a GTIN of this step's own (so no row lands on a
        # key that exists), and change between people and bots
        conn.execute(
            f"UPDATE scan_daily_summary SET day = day + %s, gtin = %s, {FLIP} WHERE gtin = %s",
            (arg, f"{step:014d}", GTINS[0]),
        )
    elif kind == "truncate":
        conn.execute("TRUNCATE scan_daily_summary")
    elif kind == "roll" and isinstance(arg, int):
        conn.execute("SELECT scan_trailing_roll(%s)", (today() + timedelta(days=arg),))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statements)
@example(  # rows that move both into a GTIN's new key (INSERT) and out of its old (UPDATE) in one statement
    [
        ("upsert", {(-100, "o1", "b1", GTINS[0], "US", "mobile", TRAFFIC[0]): 1}),
        ("roll", -30),
        ("shift", -7),
    ]
)
def test_random_writes_keep_the_trailing_layer_equal_to_its_window(
    url: str, steps: list[tuple[str, object]]
) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
        for step, (kind, arg) in enumerate(steps, start=1):
            run(conn, kind, arg, step)
            assert differences(conn) == {}, (step, kind)


@pytest.mark.parametrize("back", [1, 2, 7, 8, 15, 30, 31, 45, 90, 91, 120])
def test_the_window_moves_from_an_earlier_day_to_today(url: str, back: int) -> None:
    """From windows sharing days with today's (the days gained added, those lost taken away) or none."""
    rng = random.Random(back)
    rows = [
        (*key_of(today() - timedelta(days=ago), org, "b1", gtin, "US", "mobile", bot=rng.choice(TRAFFIC)), n)
        for ago in range(-1, 220)
        for org in ("o1", "o2")
        for gtin in rng.sample(GTINS, 2)
        if (n := rng.randrange(1, 50))
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
        conn.execute(UPSERT, columns(rows))
        conn.execute("SELECT scan_trailing_roll(%s)", (today() - timedelta(days=back),))
        assert set(windows(conn).values()) == {today() - timedelta(days=back)}
        assert differences(conn) == {}
        conn.execute("SELECT scan_trailing_roll()")
        assert set(windows(conn).values()) == {today()}
        assert differences(conn) == {}


def test_a_write_moves_the_window_to_today(url: str) -> None:
    key = key_of(today(), "o1", "b1", GTINS[1], "US", "mobile", bot=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
        assert set(windows(conn).values()) == {None}
        conn.execute(UPSERT, columns([(*key, 4)]))
        assert set(windows(conn).values()) == {today()}
        conn.execute("SELECT scan_trailing_roll(%s)", (today() - timedelta(days=2),))
        assert set(windows(conn).values()) == {today() - timedelta(days=2)}
        assert differences(conn) == {}  # today's scans are outside the window of two days ago
        conn.execute(UPSERT, columns([(*key, 9)]))
        assert set(windows(conn).values()) == {today()}
        rows = conn.execute(
            "SELECT organization_id, gtin, scans, bot_scans FROM scan_trailing_gtin_totals WHERE days = 31"
        )
        assert rows.fetchall() == [("o1", GTINS[1], 9, 0)]


def test_concurrent_writers_keep_the_trailing_layer_exact(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
    days = [today() - timedelta(days=back) for back in (0, 1, 29, 30, 31)]
    errors = write_concurrently(url, days, least=0)
    assert not errors, errors
    with psycopg.connect(url, autocommit=True) as conn:
        assert set(windows(conn).values()) == {today()}
        assert conn.execute("SELECT count(*) FROM scan_trailing_gtin_totals WHERE scans > 0").fetchone() != (
            0,
        )
        assert differences(conn) == {}


def test_the_rebuild_of_the_read_rollups_rebuilds_the_trailing_layer(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        before = conn.execute("SELECT * FROM scan_trailing_gtin_totals WHERE scans <> 0 ORDER BY 1, 2, 3, 4")
        rows = before.fetchall()
        assert rows
        conn.execute("SELECT scan_read_rollups_rebuild()")  # migration 0007: truncates, then inserts
        after = conn.execute("SELECT * FROM scan_trailing_gtin_totals WHERE scans <> 0 ORDER BY 1, 2, 3, 4")
        assert after.fetchall() == rows
        assert differences(conn) == {}


def test_the_reader_role_may_read_the_trailing_layer(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET ROLE scan_analytics_reader")
        conn.execute("SELECT count(*) FROM scan_trailing_gtin_totals")
        conn.execute("SELECT count(*) FROM scan_trailing_windows")
