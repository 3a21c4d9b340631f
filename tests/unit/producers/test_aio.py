"""The asyncio publisher against an in-memory producer."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from confluent_kafka.schema_registry._sync.mock_schema_registry_client import MockSchemaRegistryClient

from producers.aio import AsyncScanPublisher
from producers.errors import DeliveryError, InvalidScanEvent, PublishError, QueueFullError
from producers.publisher import Overflow, PublisherConfig
from scan_analytics.settings import REPO_ROOT
from schemas import SCAN_EVENT_FILE

from .fakes import FakeProducer
from .test_publisher import record


def make(producer: FakeProducer, **config: Any) -> AsyncScanPublisher:
    return AsyncScanPublisher(
        PublisherConfig(
            "unused:9092",
            "mock://aio",
            topic="scans.raw.aio",
            schema_path=REPO_ROOT / "schemas" / "avro" / SCAN_EVENT_FILE,
            **config,
        ),
        producer=producer,  # type: ignore[arg-type]
        registry=MockSchemaRegistryClient({"url": "mock://aio"}),
        poll_interval=0.01,
    )


async def test_publish_awaits_the_delivery_report() -> None:
    producer = FakeProducer()
    async with make(producer) as publisher:
        ids = [str(uuid.uuid4()) for _ in range(50)]
        reports = await asyncio.gather(*(publisher.publish(record(event_id=i)) for i in ids))
    assert [r.event_id for r in reports] == ids and all(r.ok for r in reports)
    assert publisher.stats.delivered == 50 and len(producer.delivered) == 50


async def test_invalid_scans_raise_before_queueing() -> None:
    producer = FakeProducer()
    async with make(producer) as publisher:
        with pytest.raises(InvalidScanEvent, match="gtin"):
            await publisher.publish(record(gtin="123"))
    assert producer.delivered == [] and publisher.stats.rejected == 1


async def test_a_refused_delivery_raises() -> None:
    async with make(FakeProducer(fail=True)) as publisher:
        with pytest.raises(DeliveryError):
            await publisher.publish(record())


async def test_a_full_queue_raises_without_blocking_the_loop() -> None:
    async with make(FakeProducer(capacity=1, deliver_per_poll=0), overflow=Overflow.RAISE) as publisher:
        await publisher.enqueue(record())
        with pytest.raises(QueueFullError):
            await publisher.enqueue(record())
        publisher._publisher._producer.deliver_per_poll = 1  # type: ignore[attr-defined]


async def test_not_started_is_an_error() -> None:
    with pytest.raises(PublishError, match="async with"):
        await make(FakeProducer()).enqueue(record())
