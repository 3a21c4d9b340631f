"""The hourly totals of migration 0012 equal a GROUP BY over scan_hourly_summary after any writes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scan_analytics.settings import Settings
from tests.integration.api.test_rollups import TRAFFIC
from tests.integration.conftest import migrated_database

pytestmark = pytest.mark.integration

COLUMNS = (
    "hour, organization_id, brand_id, gtin, country_code, device_class, is_bot, traffic_class,"
    " category, agent, operator, verification"
)
UPSERT = (
    f"INSERT INTO scan_hourly_summary ({COLUMNS}, scans) VALUES"
    " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    f" ON CONFLICT (organization_id, hour, brand_id, gtin, country_code, device_class, is_bot,"
    " traffic_class, category, agent, operator, verification) DO UPDATE SET scans = EXCLUDED.scans"
)
BOTS = "coalesce(sum(scans) FILTER (WHERE is_bot), 0)"
# totals table -> (its key columns, the same key computed from scan_hourly_summary)
TOTALS = {
    "scan_hourly_totals": "organization_id, hour",
    "scan_hourly_brand_totals": "organization_id, brand_id, hour",
}
START = datetime(2026, 3, 8, 4, tzinfo=UTC)


@pytest.fixture(scope="module")
def url(base_settings: Settings, run_id: str) -> Iterator[str]:
    with migrated_database(base_settings, f"sa_hourly_totals_{run_id}") as db_url:
        yield db_url


def differences(
    conn: psycopg.Connection,
) -> dict[str, tuple[set[tuple[object, ...]], set[tuple[object, ...]]]]:
    """Return, per totals table that differs, (rows only in it, rows only expected); zeros must be gone."""
    out = {}
    for table, key in TOTALS.items():
        actual = set(conn.execute(f"SELECT {key}, scans, bot_scans FROM {table}"))
        wanted = set(
            conn.execute(
                f"SELECT {key}, sum(scans), {BOTS} FROM scan_hourly_summary GROUP BY {key}"
                " HAVING sum(scans) <> 0"
            )
        )
        if actual != wanted:
            out[table] = (actual - wanted, wanted - actual)
    return out


keys = st.tuples(
    st.integers(0, 30).map(lambda h: START + timedelta(hours=h)),  # across a UTC midnight
    st.sampled_from(["o1", "o2"]),
    st.sampled_from(["b1", "b2"]),
    st.sampled_from(["00000000000017", "00000000000024"]),
    st.sampled_from(["US", "unknown"]),
    st.sampled_from(["mobile", "bot"]),
    st.sampled_from(TRAFFIC),
).map(lambda k: (*k[:6], *k[6]))
steps = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), st.dictionaries(keys, st.integers(0, 1000), min_size=1, max_size=12)),
        st.tuples(st.just("retire"), st.integers(0, 30)),  # the sink's retention: hours before a bound
        st.tuples(st.just("move"), st.integers(0, 2**32)),  # to other hours, between people and bots
        st.tuples(st.just("truncate"), st.none()),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_random_writes_keep_the_hourly_totals_exact(url: str, plan: list[tuple[str, object]]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_hourly_summary")
        for step, (kind, arg) in enumerate(plan, start=1):
            if kind == "upsert" and isinstance(arg, dict):
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(UPSERT, [(*k, n) for k, n in arg.items()])
            elif kind == "retire" and isinstance(arg, int):
                conn.execute(
                    "DELETE FROM scan_hourly_summary WHERE hour < %s", (START + timedelta(hours=arg),)
                )
            elif kind == "move" and isinstance(arg, int):
                # rows of the generated hours move, each step by its own distance beyond them, so no
                # row lands on a key that exists (PostgreSQL checks the key row by row)
                conn.execute(
                    "UPDATE scan_hourly_summary SET hour = hour + %s, scans = scans + 1,"
                    " is_bot = NOT is_bot, traffic_class = CASE WHEN is_bot THEN 'human' ELSE 'bot' END"
                    " WHERE gtin = %s AND hour < %s",
                    (
                        timedelta(days=40 * step),
                        random.Random(arg).choice(["00000000000017", "00000000000024"]),
                        START + timedelta(hours=31),
                    ),
                )
            elif kind == "truncate":
                conn.execute("TRUNCATE scan_hourly_summary")
        assert differences(conn) == {}


def test_retired_hours_leave_no_totals_behind(url: str) -> None:
    row = (START, "o1", "b1", "00000000000017", "US", "mobile", *TRAFFIC[2], 5)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_hourly_summary")
        conn.execute(UPSERT, row)
        assert conn.execute("SELECT scans, bot_scans FROM scan_hourly_brand_totals").fetchall() == [(5, 5)]
        conn.execute("DELETE FROM scan_hourly_summary WHERE hour < %s", (START + timedelta(hours=1),))
        for table in TOTALS:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_rebuild_equals_the_triggers_and_the_reader_may_read(url: str) -> None:
    rows = [
        (START + timedelta(hours=h), org, "b1", "00000000000017", "US", "mobile", *TRAFFIC[h % 4], h + 1)
        for h in range(30)
        for org in ("o1", "o2")
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_hourly_summary")
        with conn.cursor() as cur:
            cur.executemany(UPSERT, rows)
        before = {t: set(conn.execute(f"SELECT * FROM {t}")) for t in TOTALS}
        assert all(before.values())
        conn.execute("SELECT scan_hourly_totals_rebuild()")
        assert {t: set(conn.execute(f"SELECT * FROM {t}")) for t in TOTALS} == before
        assert differences(conn) == {}
        conn.execute("SET ROLE scan_analytics_reader")
        for table in TOTALS:
            conn.execute(f"SELECT count(*) FROM {table}")
