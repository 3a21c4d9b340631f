"""The agent rollups of migrations 0009 and 0015 equal a GROUP BY over scan_daily_summary after any writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings

from scan_analytics.settings import Settings
from stream_processors.sink import EMPTY, UPSERT
from tests.integration.api.test_read_rollups import MONTH, WEEK, YEAR, columns, existing, statements
from tests.integration.api.test_rollups import FLIP, TRAFFIC, key_of, write_concurrently
from tests.integration.conftest import migrated_database

pytestmark = pytest.mark.integration

AGENT = "traffic_class, category, agent, operator, verification"
AUTOMATED, AI = "is_bot", "traffic_class = 'ai_agent'"
# rollup table -> (its period column, the period computed from scan_daily_summary, the rest of
# the key, which rows of scan_daily_summary it sums)
ROLLUPS = {
    "scan_daily_agent_totals": ("day", "day", AGENT, AUTOMATED),
    "scan_weekly_agent_totals": ("week", WEEK, AGENT, AUTOMATED),
    "scan_monthly_agent_totals": ("month", MONTH, AGENT, AUTOMATED),
    "scan_daily_gtin_agent_totals": ("day", "day", "gtin", AI),
    "scan_weekly_gtin_agent_totals": ("week", WEEK, "gtin", AI),
    "scan_monthly_gtin_agent_totals": ("month", MONTH, "gtin", AI),
    "scan_yearly_agent_totals": ("year", YEAR, AGENT, AUTOMATED),  # migration 0015
    "scan_yearly_gtin_agent_totals": ("year", YEAR, "gtin", AI),
}


@pytest.fixture(scope="module")
def url(base_settings: Settings, run_id: str) -> Iterator[str]:
    with migrated_database(base_settings, f"sa_agent_rollups_{run_id}") as db_url:
        yield db_url


Rows = set[tuple[object, ...]]


def count_column(table: str) -> str:
    return "agent_scans" if "gtin" in table else "scans"


def snapshot(conn: psycopg.Connection) -> dict[str, Rows]:
    out = {}
    for table, (period, _, rest, _) in ROLLUPS.items():
        n = count_column(table)
        key = f"organization_id, {period}, brand_id, {rest}"
        out[table] = set(conn.execute(f"SELECT {key}, {n} FROM {table} WHERE {n} <> 0"))
    return out


def differences(conn: psycopg.Connection) -> dict[str, tuple[Rows, Rows]]:
    """Return, per rollup that differs from the daily table, (rows only in the rollup, rows only expected)."""
    out = {}
    actual = snapshot(conn)
    for table, (_, period, rest, rows) in ROLLUPS.items():
        computed = f"organization_id, {period}, brand_id, {rest}"
        wanted = set(
            conn.execute(
                f"SELECT {computed}, sum(scans) FROM scan_daily_summary WHERE {rows}"
                f" GROUP BY {computed} HAVING sum(scans) <> 0"
            )
        )
        if actual[table] != wanted:
            out[table] = (actual[table] - wanted, wanted - actual[table])
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statements)
def test_random_writes_keep_the_agent_rollups_equal_to_the_daily_table(
    url: str, steps: list[tuple[str, object]]
) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
        for kind, arg in steps:
            if kind == "upsert" and isinstance(arg, dict):
                conn.execute(UPSERT, columns([(*k, n) for k, n in arg.items()]))
            elif kind == "zero" and isinstance(arg, int) and (picked := existing(conn, arg)):
                conn.execute(UPSERT, columns([(*k, 0) for k in picked]))
            elif kind == "delete" and isinstance(arg, int) and (picked := existing(conn, arg)):
                conn.execute(UPSERT, columns([(*k, 0) for k in picked]))
                conn.execute(EMPTY, columns(picked))
            elif kind == "rekey":  # rows that move to another week and month, people becoming bots
                conn.execute(
                    f"UPDATE scan_daily_summary SET day = day + 9, {FLIP}, scans = scans + 1"
                    " WHERE gtin = '00000000000017' AND country_code = %s",
                    (arg,),
                )
            elif kind == "truncate":
                conn.execute("TRUNCATE scan_daily_summary")
        assert differences(conn) == {}


def test_people_are_not_in_the_agent_rollups(url: str) -> None:
    person = key_of(date(2026, 3, 2), "o1", "b1", "00000000000017", "US", "mobile", bot=TRAFFIC[0])
    assistant = key_of(date(2026, 3, 2), "o1", "b1", "00000000000017", "US", "desktop", bot=TRAFFIC[2])
    spoofed = key_of(date(2026, 3, 3), "o1", "b1", "00000000000017", "US", "bot", bot=TRAFFIC[3])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
        conn.execute(UPSERT, columns([(*person, 100), (*assistant, 7), (*spoofed, 3)]))
        march = ("o1", date(2026, 3, 1), "b1")
        assert snapshot(conn)["scan_monthly_agent_totals"] == {
            (*march, "ai_agent", "ai_assistant", "ChatGPT-User", "OpenAI", "unverified", 7),
            (*march, "bot", "unknown_bot", "Googlebot", "Google", "spoofed", 3),
        }
        assert snapshot(conn)["scan_weekly_gtin_agent_totals"] == {
            ("o1", date(2026, 3, 2), "b1", "00000000000017", 7)
        }
        conn.execute(UPSERT, columns([(*assistant, 0)]))
        for table in ROLLUPS:
            n = count_column(table)
            assert conn.execute(f"SELECT sum({n}) FILTER (WHERE {n} < 0) FROM {table}").fetchone() == (None,)
        assert differences(conn) == {}


def test_concurrent_writers_keep_the_agent_rollups_exact(url: str) -> None:
    """Four writers, each owning its GTINs (as sink partitions do), all touching the same rollup rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
    errors = write_concurrently(url, [date(2026, 3, 28) + timedelta(days=i) for i in range(6)], least=0)
    assert not errors, errors
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM scan_daily_agent_totals WHERE scans > 0").fetchone() != (0,)
        assert differences(conn) == {}


def test_rebuild_equals_the_triggers(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        before = snapshot(conn)
        assert any(before.values())
        conn.execute("SELECT scan_agent_rollups_rebuild()")
        assert snapshot(conn) == before


def test_the_reader_role_may_read_the_agent_rollups(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET ROLE scan_analytics_reader")
        for table in ROLLUPS:
            conn.execute(f"SELECT count(*) FROM {table}")
