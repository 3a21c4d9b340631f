"""The rollup triggers keep scan_monthly_summary and scan_daily_country_totals equal to the daily table."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scan_analytics.settings import Settings
from stream_processors.sink import UPSERT
from tests.integration.conftest import migrated_database

pytestmark = pytest.mark.integration

# The traffic part of a key (is_bot, traffic_class, category, agent, operator, verification):
# a person, a bot that declared nothing (as rows written before migration 0008), an AI
# assistant and a spoofed search crawler. No two share their last four columns, so
# flipping is_bot and traffic_class (the "rekey" steps) never maps two keys onto one.
TRAFFIC = (
    (False, "human", "", "", "", ""),
    (True, "bot", "", "", "", ""),
    (True, "ai_agent", "ai_assistant", "ChatGPT-User", "OpenAI", "unverified"),
    (True, "bot", "unknown_bot", "Googlebot", "Google", "spoofed"),
)
# Flip a row between people and bots (the check of 0008 ties traffic_class to is_bot).
FLIP = "is_bot = NOT is_bot, traffic_class = CASE WHEN is_bot THEN 'human' ELSE 'bot' END"


def key_of(*head: object, bot: bool | tuple[object, ...]) -> tuple[object, ...]:
    """Return a whole key of scan_daily_summary: `head` up to the device class, then the traffic part."""
    return (*head, *(bot if isinstance(bot, tuple) else TRAFFIC[1 if bot else 0]))


MONTHLY_EXPECTED = """
SELECT date_trunc('month', day)::date, organization_id, brand_id, gtin, country_code, device_class, is_bot,
       sum(scans)
FROM scan_daily_summary GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(scans) <> 0
"""
MONTHLY_ACTUAL = """
SELECT month, organization_id, brand_id, gtin, country_code, device_class, is_bot, scans
FROM scan_monthly_summary WHERE scans <> 0
"""
COUNTRY_EXPECTED = """
SELECT organization_id, day, brand_id, country_code, sum(scans), coalesce(sum(scans) FILTER (WHERE is_bot), 0)
FROM scan_daily_summary GROUP BY 1, 2, 3, 4 HAVING sum(scans) <> 0
"""
COUNTRY_ACTUAL = """
SELECT organization_id, day, brand_id, country_code, scans, bot_scans
FROM scan_daily_country_totals WHERE scans <> 0 OR bot_scans <> 0
"""


@pytest.fixture(scope="module")
def url(base_settings: Settings, run_id: str) -> Iterator[str]:
    with migrated_database(base_settings, f"sa_rollups_{run_id}") as db_url:
        yield db_url


def assert_consistent(conn: psycopg.Connection) -> None:
    assert set(conn.execute(MONTHLY_ACTUAL).fetchall()) == set(conn.execute(MONTHLY_EXPECTED).fetchall())
    assert set(conn.execute(COUNTRY_ACTUAL).fetchall()) == set(conn.execute(COUNTRY_EXPECTED).fetchall())


keys = st.tuples(
    st.dates(date(2026, 1, 28), date(2026, 3, 3)),
    st.sampled_from(["o1", "o2"]),
    st.sampled_from(["b1", "b2"]),
    st.sampled_from(["00000000000017", "00000000000024"]),
    st.sampled_from(["US", "unknown"]),
    st.sampled_from(["mobile", "bot"]),
    st.sampled_from(TRAFFIC),
).map(lambda k: key_of(*k[:6], bot=k[6]))
statements = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), st.dictionaries(keys, st.integers(0, 1000), max_size=12)),
        st.tuples(st.just("row"), st.dictionaries(keys, st.integers(0, 1000), max_size=3)),
        st.tuples(st.just("delete"), st.sampled_from(["o1", "o2"])),
        st.tuples(st.just("rekey"), st.sampled_from(["US", "unknown"])),
        st.tuples(st.just("truncate"), st.none()),
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statements)
def test_every_kind_of_write_keeps_the_rollups_exact(url: str, steps: list[tuple[str, object]]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
        for step, (kind, arg) in enumerate(steps, start=1):
            if kind == "upsert" and isinstance(arg, dict) and arg:
                rows = [(*k, n) for k, n in arg.items()]
                conn.execute(UPSERT, [list(c) for c in zip(*rows, strict=True)])
            elif kind == "row" and isinstance(arg, dict):
                with conn.transaction():
                    for k, n in arg.items():
                        conn.execute(UPSERT, [[v] for v in (*k, n)])
            elif kind == "delete":
                conn.execute(
                    "DELETE FROM scan_daily_summary WHERE organization_id = %s AND day < '2026-02-10'", (arg,)
                )
            elif kind == "rekey":  # updates that change counts, and that move rows to other keys and months
                conn.execute("UPDATE scan_daily_summary SET scans = scans + 1 WHERE brand_id = 'b1'")
                conn.execute(
                    f"UPDATE scan_daily_summary SET day = day + %s, {FLIP} "
                    "WHERE gtin = '00000000000017' AND day < '2026-03-05' AND country_code = %s",
                    (40 * step, arg),
                )
            elif kind == "truncate":
                conn.execute("TRUNCATE scan_daily_summary")
        assert_consistent(conn)


def write_concurrently(url: str, days: list[date], least: int) -> list[BaseException]:
    """Four writers, each owning its GTINs, upsert random counts (>= least) on `days`; return errors."""
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        rng = random.Random(worker)
        try:
            with psycopg.connect(url) as conn:
                for _ in range(15):
                    rows = {
                        key_of(
                            rng.choice(days),
                            "o1",
                            rng.choice(["b1", "b2"]),
                            f"{worker:02d}{rng.randrange(3):012d}",
                            rng.choice(["US", "DE"]),
                            "mobile",
                            bot=rng.choice(TRAFFIC) if rng.random() < 0.3 else False,
                        ): rng.randrange(least, 100)
                        for _ in range(rng.randrange(1, 30))
                    }
                    data = [(*k, n) for k, n in rows.items()]
                    with conn.transaction():
                        conn.execute(UPSERT, [list(c) for c in zip(*data, strict=True)])
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_concurrent_writers_neither_deadlock_nor_lose_counts(url: str) -> None:
    """Four writers, each owning its GTINs (as sink partitions do), all touching the same rollup rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE scan_daily_summary")
    errors = write_concurrently(url, [date(2026, 3, 30) + timedelta(days=i) for i in range(4)], least=1)
    assert not errors, errors
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM scan_daily_summary").fetchone() != (0,)
        assert_consistent(conn)


def test_rebuild_equals_the_triggers(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        before = (set(conn.execute(MONTHLY_ACTUAL).fetchall()), set(conn.execute(COUNTRY_ACTUAL).fetchall()))
        conn.execute("SELECT scan_rollups_rebuild()")
        after = (set(conn.execute(MONTHLY_ACTUAL).fetchall()), set(conn.execute(COUNTRY_ACTUAL).fetchall()))
        assert before == after
