"""The sink against a real PostgreSQL: fenced by ownership epochs, poison rows set aside."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg
import pytest

from scan_analytics.settings import Settings
from stream_processors.daily import CountKey
from stream_processors.metrics import WorkerMetrics
from stream_processors.records import DAY_MS, HOUR_MS, hour_of
from stream_processors.sink import HOUR, PLACE, Sink, rows_json
from tests.integration.stream_processors.conftest import hourly_summary, place_summary, summary

pytestmark = pytest.mark.integration

DAY = 20_500 * DAY_MS


def key(org: str, gtin: str = "04000000000011") -> CountKey:
    return (DAY, (org, "brand", gtin, "US", "mobile", False, "human", "", "", "", ""))


def rows(url: str) -> dict[str, int]:
    return {k[1]: v for k, v in summary(url).items()}


def test_a_sink_that_lost_its_partition_cannot_overwrite_the_new_owner(pipeline: Settings) -> None:
    async def scenario() -> None:
        old = Sink(pipeline.database_url, WorkerMetrics(), pipeline.worker_id)
        new = Sink(pipeline.database_url, WorkerMetrics(), pipeline.worker_id)
        old.claim(2)
        old.offer(2, [(key("org"), 5)])
        assert await old.flush() == 1
        old.offer(2, [(key("org"), 7)])  # counted before it lost partition 2, not yet written
        new.claim(2)  # the new owner takes partition 2 over and writes newer counts
        new.offer(2, [(key("org"), 9)])
        assert await new.flush() == 1
        assert await old.flush() == 0  # the stale write is refused by the epoch
        assert rows(pipeline.database_url) == {"org": 9}
        assert 2 not in old.epochs and not old.pending
        new.offer(2, [(key("org"), 10)])
        assert await new.flush() == 1
        assert rows(pipeline.database_url) == {"org": 10}
        await old.close()
        await new.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("bad", ["org\x00nul", "\x00"])
def test_a_row_postgresql_refuses_is_set_aside_and_the_others_are_written(
    pipeline: Settings, bad: str
) -> None:
    aside: list[tuple[Any, str]] = []
    metrics = WorkerMetrics()

    async def scenario() -> None:
        sink = Sink(
            pipeline.database_url,
            metrics,
            pipeline.worker_id,
            on_poison=lambda _grain, k, reason: aside.append((k, reason)),
        )
        sink.offer(0, [(key("good-1"), 3), (key(bad), 4), (key("good-2"), 5)])
        sink.offer(1, [(key("bad-gtin", gtin="1234"), 1)])  # refused by the table's CHECK
        assert await sink.flush() == 2
        assert not sink.pending
        sink.offer(0, [(key("good-1"), 6)])  # the pipeline carries on
        assert await sink.flush() == 1
        await sink.close()

    asyncio.run(scenario())
    assert rows(pipeline.database_url) == {"good-1": 6, "good-2": 5}
    assert sorted(k[1][0] for k, _ in aside) == sorted(["bad-gtin", bad])
    assert metrics.dead_letters.labels("sink_rejected")._value.get() == 2


def test_hours_are_written_beside_days_and_hours_past_the_retention_are_dropped(pipeline: Settings) -> None:
    now = int(time.time() * 1000)
    today = now - now % DAY_MS
    dims = ("org", "brand", "04000000000011", "US", "mobile", False, "human", "", "", "", "")
    old = today - 40 * DAY_MS + 5 * HOUR_MS  # outside a retention of 30 days

    async def scenario() -> None:
        with psycopg.connect(pipeline.database_url, autocommit=True) as conn:  # written before the cut
            conn.execute(HOUR.upsert, [[hour_of(old)], *[[v] for v in dims], [4]])
            conn.execute(HOUR.partials, (0, rows_json(HOUR, [((old, dims), 4)])))
        sink = Sink(pipeline.database_url, WorkerMetrics(), pipeline.worker_id, hourly_retention_days=30)
        sink.offer(0, [((today, dims), 5)])
        sink.offer(0, [((today + 3 * HOUR_MS, dims), 2), ((today + 7 * HOUR_MS, dims), 3)], HOUR)
        sink.offer(0, [((old + HOUR_MS, dims), 9)], HOUR)  # a replay of an hour past the retention
        assert await sink.flush() == 3
        await sink.close()

    asyncio.run(scenario())
    day = hour_of(today).date().isoformat()
    assert summary(pipeline.database_url) == {(day, *dims): 5}
    assert hourly_summary(pipeline.database_url) == {
        (hour_of(today + 3 * HOUR_MS).isoformat(), *dims): 2,
        (hour_of(today + 7 * HOUR_MS).isoformat(), *dims): 3,
    }
    with psycopg.connect(pipeline.database_url) as conn:
        left = conn.execute(
            "SELECT count(*) FROM scan_hourly_partials WHERE hour < now() - interval '30 days'"
        )
        assert left.fetchone() == (0,)


def test_places_are_summed_over_partitions_and_dimensions(pipeline: Settings) -> None:
    day = 20_000 * DAY_MS
    human = ("org", "brand", "04000000000011", "US", "mobile", False, "human", "", "", "", "")
    tablet = ("org", "brand", "04000000000011", "US", "tablet", False, "human", "", "", "", "")
    bot = ("org", "brand", "04000000000011", "US", "desktop", True, "bot", "high_rate", "", "", "")
    austin, unknown = ("US-TX", "Texas", "Austin"), ("", "", "")

    async def scenario() -> None:
        sink = Sink(pipeline.database_url, WorkerMetrics(), pipeline.worker_id)
        sink.offer(0, [((day, (*human, *austin)), 2), ((day, (*bot, *austin)), 1)], PLACE)
        sink.offer(1, [((day, (*tablet, *austin)), 3), ((day, (*human, *unknown)), 4)], PLACE)
        assert await sink.flush() == 4
        sink.offer(1, [((day, (*tablet, *austin)), 0)], PLACE)  # its scans moved elsewhere
        assert await sink.flush() == 1
        await sink.close()

    asyncio.run(scenario())
    when = hour_of(day).date().isoformat()
    assert place_summary(pipeline.database_url) == {
        ("place", when, *human[:4], False, *austin): 2,
        ("place", when, *human[:4], True, *austin): 1,
        ("place", when, *human[:4], False, *unknown): 4,
    }


def test_a_key_is_summed_over_partitions_and_leaves_the_summary_when_its_sum_is_zero(
    pipeline: Settings,
) -> None:
    async def scenario() -> dict[str, int]:
        sink = Sink(pipeline.database_url, WorkerMetrics(), pipeline.worker_id)
        seen = {}
        sink.offer(0, [(key("org"), 5), (key("other"), 2)])
        sink.offer(1, [(key("org"), 3)])
        await sink.flush()
        seen["both"] = rows(pipeline.database_url)["org"]
        sink.offer(0, [(key("org"), 0)])  # partition 0's scans moved to a bot key; partition 1's remain
        await sink.flush()
        seen["one"] = rows(pipeline.database_url)["org"]
        sink.offer(1, [(key("org"), 0)])
        await sink.flush()
        await sink.close()
        return seen

    assert asyncio.run(scenario()) == {"both": 8, "one": 3}
    assert rows(pipeline.database_url) == {"other": 2}
