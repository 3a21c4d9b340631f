"""Fixtures for the producers' integration tests: own topics, own database, own broker."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, Message
from confluent_kafka.admin import AdminClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from scan_analytics.services import kafka
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings
from schemas import registry_client
from schemas.validation import to_millis
from simulator.catalog import build_catalog
from simulator.traffic import DAY_MS, Scan, Shares, TrafficPlanner
from tests.integration.conftest import isolated


@pytest.fixture(scope="session")
def producer_settings(base_settings: Settings, run_id: str) -> Iterator[Settings]:
    """Settings with a migrated database and topics no other part's tests read."""
    with isolated(base_settings, f"{run_id}_producers") as own:
        yield own


@pytest.fixture()
def unique_topics(producer_settings: Settings) -> Iterator[Settings]:
    """producer_settings with topic names of this test alone, deleted afterwards."""
    tag = uuid.uuid4().hex[:8]
    settings = producer_settings.model_copy(
        update={
            "topic_raw": f"producers.raw.{tag}",
            "topic_enriched": f"producers.enriched.{tag}",
            "topic_dlq": f"producers.dlq.{tag}",
        }
    )
    yield settings
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    existing = set(admin.list_topics(timeout=10).topics)
    mine = [t for t in (settings.topic_raw, settings.topic_enriched, settings.topic_dlq) if t in existing]
    if mine:
        for future in admin.delete_topics(mine, operation_timeout=30).values():
            future.result()


@pytest.fixture()
def own_broker(producer_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A broker of this test alone, free to be stopped and restarted."""
    port, controller = free_port(), free_port()
    own = producer_settings.model_copy(
        update={
            "services_dir": tmp_path / "services",
            "kafka_port": port,
            "kafka_controller_port": controller,
            "kafka_bootstrap": f"127.0.0.1:{port}",
            "kafka_heap": "384m",
        }
    )
    # Reuse the shared broker's resolved jars instead of resolving them again.
    shared_libs = producer_settings.services_dir / "kafka" / f"libs-{own.kafka_version}"
    if shared_libs.is_dir():
        (own.services_dir / "kafka").mkdir(parents=True)
        (own.services_dir / "kafka" / shared_libs.name).symlink_to(shared_libs)
    kafka.start(own)
    try:
        yield own
    finally:
        kafka.stop(own)


def planned_scans(count: int, seed: int, days: int) -> list[dict[str, Any]]:
    """`count` well-formed simulated scans (no resends, nothing malformed) over the last `days` days."""
    now_ms = to_millis(datetime.now(UTC))
    planner = TrafficPlanner(build_catalog(), seed=seed, shares=Shares(malformed=0, resend=0))
    messages = planner.plan(count, now_ms - days * DAY_MS, now_ms, now_ms, 7)
    return [m.record for m in messages if isinstance(m, Scan)]


Decoded = tuple[Message, dict[str, Any] | None, Exception | None]


def consume_all(
    settings: Settings, topic: str, expected: int, idle_rounds: int = 5, decode: bool = True
) -> list[Decoded]:
    """Read a topic from the start until `expected` messages arrived and it stays quiet."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"producers-test-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    deserializer: Callable[..., Any] = AvroDeserializer(registry_client(settings.schema_registry_url))
    context = SerializationContext(topic, MessageField.VALUE)
    out: list[Decoded] = []
    quiet = 0
    consumer.subscribe([topic])
    try:
        for _ in range(600):
            batch = consumer.consume(1000, timeout=1.0)
            for msg in batch:
                assert msg.error() is None, msg.error()
                if not decode:
                    out.append((msg, None, None))
                    continue
                try:
                    out.append((msg, deserializer(msg.value(), context), None))
                except Exception as e:  # the malformed ones
                    out.append((msg, None, e))
            quiet = 0 if batch else quiet + 1
            if len(out) >= expected and quiet >= idle_rounds:
                break
    finally:
        consumer.close()
    return out
