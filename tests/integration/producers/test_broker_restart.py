"""Stopping and restarting the broker while publishing loses nothing and duplicates nothing."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from producers.publisher import ScanPublisher
from scan_analytics.contracts import ensure_topics, publisher_config
from scan_analytics.services import kafka
from scan_analytics.settings import Settings

from .conftest import consume_all, planned_scans

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COUNT = 6_000


def test_broker_restart_while_publishing(own_broker: Settings) -> None:
    settings = own_broker.model_copy(update={"topic_raw": "restart.raw", "topic_partitions": 3})
    ensure_topics(settings)
    records = planned_scans(COUNT, seed=5, days=1)

    with ScanPublisher(publisher_config(settings, delivery_timeout_ms=180_000, linger_ms=5)) as publisher:
        for i, record in enumerate(records):
            publisher.publish(record)
            if i % 200 == 0:
                time.sleep(0.02)  # a steady stream, so batches are in flight when the broker goes
            if i == COUNT // 3:
                assert kafka.stop(settings)
                assert not kafka.is_ready(settings)
            if i == 2 * COUNT // 3:
                kafka.start(settings)
        publisher.close(timeout=180)
    assert publisher.stats.delivered == COUNT
    assert publisher.stats.failed == 0

    received = consume_all(settings, settings.topic_raw, COUNT, decode=False)
    keys = Counter((m.key(), m.value()) for m, _, _ in received)
    assert len(received) == COUNT, f"{len(received) - COUNT:+d} messages"
    assert max(keys.values()) == 1
