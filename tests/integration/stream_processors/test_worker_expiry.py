"""Table windows past their horizon are deleted by event time; PostgreSQL keeps every count.

Scans ten days after the simulator's traffic (written to the log then: the raw topic is set
to accept timestamps that far ahead) move each partition's event time past the horizon
(`LATE_HORIZON_DAYS + 2` = 9 days): the worker deletes the older windows of its tables
(tombstones on their changelogs) and the summary keeps their rows. A worker that recovers
the tables afterwards still counts exactly.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import Any

import psycopg
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
)

from producers import ScanPublisher
from scan_analytics.contracts import publisher_config
from scan_analytics.settings import Settings
from tests.integration.stream_processors.conftest import (
    WorkerProcess,
    _read_topic,
    counts,
    dead_letters,
    expected_counts,
    publish_planned,
    wait_for,
)
from tests.integration.stream_processors.test_worker_failures import assert_exact

# a worker run waits up to 600 s for its counts after publishing: above the default test limit
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1200)]

DAY_MS = 86_400_000
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def later_scans(publisher: ScanPublisher, settings: Settings, n: int, written_ms: int, gtin: str) -> None:
    """n scans from n addresses, written to scans.raw at written_ms (an hour after they happened)."""
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    failed: list[Any] = []
    for i in range(n):
        record = {
            "event_id": str(uuid.uuid4()),
            "occurred_at": written_ms - 3_600_000 + i,
            "gtin": gtin,
            "organization_id": "org-later",
            "brand_id": "brand-later",
            "digital_link": f"https://id.example.com/01/{gtin}",
            "link_type": None,
            "client_ip": f"10.9.{i // 250}.{i % 250 + 1}",
            "user_agent": IPHONE,
            "referer": None,
            "accept_language": None,
            "status_code": 200,
        }
        producer.produce(
            settings.topic_raw,
            publisher.encode_unchecked(record),
            key=gtin.encode(),
            timestamp=written_ms,
            on_delivery=lambda err, _msg: failed.append(err) if err else None,
        )
    assert producer.flush(30) == 0 and not failed, failed


def accept_future_timestamps(settings: Settings) -> None:
    """Let scans.raw take records written ten days ahead (the broker refuses more than an hour by default)."""
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    entry = ConfigEntry(
        "message.timestamp.after.max.ms", str(30 * DAY_MS), incremental_operation=AlterConfigOpType.SET
    )
    resource = ConfigResource("topic", settings.topic_raw, incremental_configs=[entry])
    for future in admin.incremental_alter_configs([resource]).values():
        future.result(30)


def tombstones(settings: Settings, table: str) -> int:
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"tomb-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    return sum(
        msg.value() is None for msg in _read_topic(consumer, f"{settings.worker_id}-{table}-changelog", 15)
    )


def later_total(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(scans), 0) FROM scan_daily_summary WHERE organization_id = 'org-later'"
        ).fetchone()
    return int(row[0]) if row else 0


def wait_later(url: str, expected: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    got = 0
    while time.monotonic() < deadline and got != expected:
        time.sleep(2)
        got = later_total(url)
    return got


def test_old_windows_are_deleted_and_counts_stay(pipeline: Settings, workers: list[WorkerProcess]) -> None:
    with ScanPublisher(publisher_config(pipeline)) as publisher:
        truth = publish_planned(pipeline, 4_000, seed=41, publisher=publisher)
        expected = expected_counts(truth)
        first = workers[0]
        first.start()
        assert_exact(expected, wait_for(pipeline.database_url, expected, timeout=600, alive=[first]), [first])
        assert tombstones(pipeline, "daily-counts") == 0

        accept_future_timestamps(pipeline)
        later_ms = int(time.time() * 1000) + 10 * DAY_MS
        gtin = next(iter(expected))[3]  # a valid GTIN of the catalog
        later_scans(publisher, pipeline, 400, later_ms, gtin)  # every partition sees log time move on
        assert wait_later(pipeline.database_url, 400, 300) == 400, (
            Counter(dead_letters(pipeline).values()),
            first.tail(),
        )
        tables = ("daily-counts", "rate-buckets", "rate-records")
        deadline = time.monotonic() + 120
        deleted = dict.fromkeys(tables, 0)
        while (
            not all(deleted.values()) and time.monotonic() < deadline
        ):  # faust flushes changelogs on its own
            deleted = {t: tombstones(pipeline, t) for t in tables}
        assert all(deleted.values()), (deleted, first.tail())
        old = {k: v for k, v in counts(pipeline.database_url).items() if "org-later" not in k[:3]}
        assert old == expected  # deleting windows from the tables deletes nothing in PostgreSQL

        first.stop()
        second = workers[1]  # recovers the tables from their changelogs, tombstones included
        second.start()
        later_scans(publisher, pipeline, 100, later_ms + 60_000, gtin)
        assert wait_later(pipeline.database_url, 500, 300) == 500, second.tail()
        old = {k: v for k, v in counts(pipeline.database_url).items() if "org-later" not in k[:3]}
        assert old == expected
