"""The sink against a real PostgreSQL: fenced by ownership epochs, poison rows set aside."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from scan_analytics.settings import Settings
from stream_processors.daily import CountKey
from stream_processors.metrics import WorkerMetrics
from stream_processors.records import DAY_MS
from stream_processors.sink import Sink
from tests.integration.stream_processors.conftest import summary

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
            on_poison=lambda k, reason: aside.append((k, reason)),
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
