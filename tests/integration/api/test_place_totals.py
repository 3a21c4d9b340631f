"""The place rollups of migration 0014 equal a GROUP BY over scan_daily_place_summary after any writes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scan_analytics.settings import Settings
from tests.integration.conftest import migrated_database

pytestmark = pytest.mark.integration

COLUMNS = "day, organization_id, brand_id, gtin, country_code, is_bot, region_code, region_name, city"
UPSERT = (
    f"INSERT INTO scan_daily_place_summary ({COLUMNS}, scans) VALUES"
    " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (organization_id, day, brand_id, gtin, country_code, is_bot, region_code, region_name,"
    " city) DO UPDATE SET scans = EXCLUDED.scans"
)
PLACE = "country_code, region_code, region_name, city"
MONTH = "date_trunc('month', day)::date"
# rollup -> (its key columns, the same key computed from scan_daily_place_summary)
ROLLUPS = {
    "scan_daily_place_totals": (f"organization_id, day, {PLACE}", f"organization_id, day, {PLACE}"),
    "scan_monthly_place_totals": (f"organization_id, month, {PLACE}", f"organization_id, {MONTH}, {PLACE}"),
    "scan_daily_brand_place_totals": (
        f"organization_id, brand_id, day, {PLACE}",
        f"organization_id, brand_id, day, {PLACE}",
    ),
    "scan_monthly_brand_place_totals": (
        f"organization_id, brand_id, month, {PLACE}",
        f"organization_id, brand_id, {MONTH}, {PLACE}",
    ),
    "scan_monthly_gtin_place_totals": (
        f"organization_id, gtin, month, brand_id, {PLACE}",
        f"organization_id, gtin, {MONTH}, brand_id, {PLACE}",
    ),
}
START = date(2026, 3, 29)  # the days cross the end of March


@pytest.fixture(scope="module")
def url(base_settings: Settings, run_id: str) -> Iterator[str]:
    with migrated_database(base_settings, f"sa_place_totals_{run_id}") as db_url:
        yield db_url


def differences(
    conn: psycopg.Connection,
) -> dict[str, tuple[set[tuple[object, ...]], set[tuple[object, ...]]]]:
    """Return, per rollup that differs, (rows only in it, rows only expected); zeros are skipped."""
    out = {}
    for table, (key, computed) in ROLLUPS.items():
        actual = set(conn.execute(f"SELECT {key}, scans FROM {table} WHERE scans <> 0"))
        wanted = set(
            conn.execute(
                f"SELECT {computed}, sum(scans) FROM scan_daily_place_summary GROUP BY {computed}"
                " HAVING sum(scans) <> 0"
            )
        )
        if actual != wanted:
            out[table] = (actual - wanted, wanted - actual)
    return out


places = st.sampled_from(
    [("US-TX", "Texas", "Austin"), ("US-TX", "Texas", ""), ("", "", ""), ("US-CA", "California", "Austin")]
)
keys = st.tuples(
    st.integers(0, 5).map(lambda d: START + timedelta(days=d)),
    st.sampled_from(["o1", "o2"]),
    st.sampled_from(["b1", "b2"]),
    st.sampled_from(["00000000000017", "00000000000024"]),
    st.sampled_from(["US", "unknown"]),
    st.booleans(),
    places,
).map(lambda k: (*k[:6], *k[6]))
steps = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), st.dictionaries(keys, st.integers(0, 1000), min_size=1, max_size=12)),
        st.tuples(st.just("delete"), st.integers(0, 6)),  # the sink's empty counts, or a correction
        st.tuples(st.just("move"), st.integers(0, 2**32)),  # to other days, brands and bot flags
        st.tuples(st.just("truncate"), st.none()),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_random_writes_keep_the_place_rollups_exact(url: str, plan: list[tuple[str, object]]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_place_summary")
        for step, (kind, arg) in enumerate(plan, start=1):
            if kind == "upsert" and isinstance(arg, dict):
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(UPSERT, [(*k, n) for k, n in arg.items()])
            elif kind == "delete" and isinstance(arg, int):
                conn.execute(
                    "DELETE FROM scan_daily_place_summary WHERE day < %s OR scans = 0",
                    (START + timedelta(days=arg),),
                )
            elif kind == "move" and isinstance(arg, int):
                # each step moves by its own distance beyond the generated days, so no row lands on a
                # key that exists (PostgreSQL checks the key row by row)
                conn.execute(
                    "UPDATE scan_daily_place_summary SET day = day + %s, scans = scans + 1,"
                    " is_bot = NOT is_bot, brand_id = brand_id || 'x'"
                    " WHERE gtin = %s AND day < %s",
                    (
                        40 * step,
                        random.Random(arg).choice(["00000000000017", "00000000000024"]),
                        START + timedelta(days=6),
                    ),
                )
            elif kind == "truncate":
                conn.execute("TRUNCATE scan_daily_place_summary")
        assert differences(conn) == {}


def test_rebuild_equals_the_triggers_and_the_reader_may_read(url: str) -> None:
    rows = [
        (START + timedelta(days=d), org, f"b{d % 2}", "00000000000017", "US", d % 3 == 0, *place, d + 1)
        for d in range(8)
        for org in ("o1", "o2")
        for place in (("US-TX", "Texas", "Austin"), ("", "", ""))
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_place_summary")
        with conn.cursor() as cur:
            cur.executemany(UPSERT, rows)
        before = {t: set(conn.execute(f"SELECT * FROM {t}")) for t in ROLLUPS}
        assert all(before.values())
        conn.execute("SELECT scan_place_totals_rebuild()")
        assert {t: set(conn.execute(f"SELECT * FROM {t}")) for t in ROLLUPS} == before
        assert differences(conn) == {}
        conn.execute("SET ROLE scan_analytics_reader")
        for table in ROLLUPS:
            conn.execute(f"SELECT count(*) FROM {table}")
