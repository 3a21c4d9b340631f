"""10,000 scans through the real broker and registry come back equal, keyed by GTIN."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest

from producers.aio import AsyncScanPublisher
from producers.publisher import DeliveryReport, ScanPublisher
from scan_analytics.contracts import ensure_topics, publisher_config
from scan_analytics.settings import Settings
from schemas.validation import to_millis, validate_scan_event

from .conftest import consume_all, planned_scans

pytestmark = pytest.mark.integration

COUNT = 10_000


def test_ten_thousand_scans_round_trip(unique_topics: Settings) -> None:
    settings = unique_topics
    created = ensure_topics(settings)
    assert set(created) == {settings.topic_raw, settings.topic_enriched, settings.topic_dlq}
    assert ensure_topics(settings) == []

    records = planned_scans(COUNT, seed=21, days=2)
    assert len(records) == COUNT

    reports: list[DeliveryReport] = []
    with ScanPublisher(publisher_config(settings), reports.append) as publisher:
        ids = [publisher.publish(r) for r in records]
    assert publisher.stats.delivered == COUNT and publisher.stats.failed == 0
    assert len(reports) == COUNT and all(r.ok for r in reports)

    received = consume_all(settings, settings.topic_raw, COUNT)
    assert len(received) == COUNT
    expected = {r["event_id"]: r for r in map(validate_scan_event, records)}
    assert sorted(ids) == sorted(expected)
    partitions_of_gtin: dict[str, set[int]] = defaultdict(set)
    for msg, value, error in received:
        assert error is None and value is not None
        value["event_id"] = str(value["event_id"])  # the client library reads logical types
        value["occurred_at"] = to_millis(value["occurred_at"])
        assert value == expected.pop(value["event_id"])
        assert msg.key() == value["gtin"].encode()
        partitions_of_gtin[value["gtin"]].add(msg.partition())
    assert expected == {}
    assert all(len(p) == 1 for p in partitions_of_gtin.values())
    assert len({p for ps in partitions_of_gtin.values() for p in ps}) == settings.topic_partitions


async def test_async_publisher_gets_an_offset_for_every_scan(unique_topics: Settings) -> None:
    settings = unique_topics
    ensure_topics(settings)
    records = planned_scans(2_000, seed=8, days=1)
    async with AsyncScanPublisher(publisher_config(settings)) as publisher:
        reports = await asyncio.gather(*(publisher.publish(r) for r in records))
    assert all(r.ok and r.offset >= 0 for r in reports)
    assert len({(r.partition, r.offset) for r in reports}) == len(records)
    assert len(consume_all(settings, settings.topic_raw, len(records), decode=False)) == len(records)
