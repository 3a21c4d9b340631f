"""The publisher's logic against an in-memory producer and the client's mock registry."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.schema_registry._sync.mock_schema_registry_client import MockSchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from hypothesis import given, settings
from hypothesis import strategies as st

from producers.errors import DeliveryError, InvalidScanEvent, PublishError, QueueFullError, SchemaError
from producers.publisher import DeliveryReport, Overflow, PublisherConfig, ScanPublisher
from producers.spool import Spool, SpooledScan
from scan_analytics.settings import REPO_ROOT
from schemas import SCAN_EVENT_FILE
from schemas.validation import gtin_check_digit, to_millis, validate_scan_event

from .fakes import FakeProducer

TOPIC = "scans.raw.unit"


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": "0b1e5c7e-4a8a-4c61-9a3e-1f6f2b1d2c3a",
        "occurred_at": datetime(2026, 6, 1, 12, 0, 0, 123000, tzinfo=UTC),
        "gtin": "4006381333931",
        "organization_id": "org-1",
        "brand_id": "brand-1",
        "digital_link": "https://id.example.com/01/04006381333931",
        "client_ip": "2001:DB8::7",
        "user_agent": "Mozilla/5.0",
    }
    return base | changes


def make(
    producer: FakeProducer | None = None,
    registry: MockSchemaRegistryClient | None = None,
    reports: list[DeliveryReport] | None = None,
    **config: Any,
) -> tuple[ScanPublisher, FakeProducer]:
    producer = producer if producer is not None else FakeProducer()
    options: dict[str, Any] = {
        "bootstrap_servers": "unused:9092",
        "schema_registry_url": "mock://unit",
        "schema_path": REPO_ROOT / "schemas" / "avro" / SCAN_EVENT_FILE,
        "topic": TOPIC,
    } | config
    publisher = ScanPublisher(
        PublisherConfig(**options),
        reports.append if reports is not None else None,
        producer=producer,  # type: ignore[arg-type]
        registry=registry or MockSchemaRegistryClient({"url": "mock://unit"}),
    )
    return publisher, producer


def decode(registry: MockSchemaRegistryClient, value: bytes) -> dict[str, Any]:
    """Decode with the client library's own deserializer (logical types on), as a data-team reader would."""
    result: dict[str, Any] = AvroDeserializer(registry)(
        value, SerializationContext(TOPIC, MessageField.VALUE)
    )
    return result | {"event_id": str(result["event_id"]), "occurred_at": to_millis(result["occurred_at"])}


def test_publish_queues_the_normalised_scan_keyed_by_gtin14() -> None:
    registry = MockSchemaRegistryClient({"url": "mock://unit"})
    publisher, producer = make(registry=registry)
    event_id = publisher.publish(record())
    publisher.flush()
    (message,) = producer.delivered
    assert message.key() == b"04006381333931"
    assert message.value()[:1] == b"\x00"  # Confluent framing: magic byte, then the schema id
    decoded = decode(registry, message.value())
    expected = validate_scan_event(record())
    assert decoded == expected
    assert event_id == expected["event_id"]
    assert registry.get_latest_version(f"{TOPIC}-value").schema_id is not None


def test_invalid_scan_is_rejected_and_nothing_is_queued() -> None:
    publisher, producer = make()
    with pytest.raises(InvalidScanEvent, match="client_ip"):
        publisher.publish(record(client_ip="300.1.1.1"))
    assert producer.queued == [] and publisher.stats.rejected == 1 and publisher.stats.queued == 0


def test_delivery_reports_reach_the_callback_and_the_counters() -> None:
    reports: list[DeliveryReport] = []
    publisher, _producer = make(reports=reports)
    ids = [publisher.publish(record(event_id=f"00000000-0000-4000-8000-00000000000{i}")) for i in range(3)]
    publisher.flush()
    assert [r.event_id for r in reports] == ids and all(r.ok for r in reports)
    assert publisher.stats.delivered == 3 and publisher.stats.failed == 0


def test_failed_deliveries_are_counted_and_reported() -> None:
    reports: list[DeliveryReport] = []
    publisher, _ = make(FakeProducer(fail=True), reports=reports)
    publisher.publish(record())
    publisher.flush()
    assert publisher.stats.failed == 1 and reports[0].error is not None and not reports[0].ok


def test_a_failed_delivery_carries_the_bytes_to_send_again(tmp_path: Path) -> None:
    reports: list[DeliveryReport] = []
    failing = FakeProducer(fail=True)
    publisher, _ = make(failing, reports=reports, spool_path=tmp_path / "spool.jsonl")
    first = publisher.publish(record())
    second = publisher.publish(record(event_id="00000000-0000-4000-8000-000000000002"))
    publisher.flush()
    assert [r.event_id for r in reports] == [first, second]
    assert reports[0].key == b"04006381333931" and reports[0].value is not None
    assert publisher.stats.failed == publisher.stats.spooled == 2 and publisher.spooled() == 2

    failing.fail = False  # the broker is back
    assert publisher.republish_spool() == 2
    assert publisher.spooled() == 0 and publisher.stats.delivered == 2
    assert [m.value() for m in failing.delivered] == [r.value for r in reports[:2]]


def test_a_replay_that_fails_again_goes_back_to_the_spool(tmp_path: Path) -> None:
    publisher, _ = make(FakeProducer(fail=True), spool_path=tmp_path / "spool.jsonl")
    publisher.publish(record())
    publisher.flush()
    assert publisher.republish_spool() == 1
    assert publisher.spooled() == 1 and publisher.stats.spooled == 2


def test_a_replay_cut_short_is_picked_up_by_the_next(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append(SpooledScan("a", b"k", b"v1", "timed out"))
    taken = spool.take()
    assert next(taken).event_id == "a"  # the process dies here: spool.done() never runs
    spool.append(SpooledScan("b", None, b"v2", "timed out"))
    assert [(s.event_id, s.key, s.value) for s in spool.take()] == [("a", b"k", b"v1"), ("b", None, b"v2")]
    spool.done()
    assert len(spool) == 0


def test_republish_without_a_spool_is_an_error() -> None:
    publisher, _ = make()
    with pytest.raises(PublishError, match="spool_path"):
        publisher.republish_spool()


def test_overflow_raise_refuses_at_once_and_queues_nothing() -> None:
    publisher, producer = make(FakeProducer(capacity=2, deliver_per_poll=0), overflow=Overflow.RAISE)
    publisher.publish(record())
    publisher.publish(record())
    with pytest.raises(QueueFullError):
        publisher.publish(record())
    assert len(producer.queued) == 2 and publisher.stats.overflowed == 1


def test_overflow_block_waits_for_room() -> None:
    # Each poll delivers one message, which makes room for the next.
    publisher, producer = make(FakeProducer(capacity=1, deliver_per_poll=1), block_timeout=5.0)
    for _ in range(5):
        publisher.publish(record())
    assert len(producer.delivered) + len(producer.queued) == 5 and publisher.stats.overflowed == 0


def test_overflow_block_gives_up_after_the_timeout() -> None:
    publisher, _ = make(FakeProducer(capacity=1, deliver_per_poll=0), block_timeout=0.1)
    publisher.publish(record())
    with pytest.raises(QueueFullError, match="queue full"):
        publisher.publish(record())


def test_close_flushes_and_then_refuses() -> None:
    publisher, producer = make()
    with publisher:
        publisher.publish(record())
    assert len(producer.delivered) == 1
    with pytest.raises(PublishError, match="closed"):
        publisher.publish(record())


def test_close_reports_what_could_not_be_delivered() -> None:
    publisher, _ = make(FakeProducer(deliver_per_poll=0))
    publisher.publish(record())
    with pytest.raises(DeliveryError, match="1 scan"):
        publisher.close(timeout=0.01)


def test_without_auto_registration_an_unregistered_schema_is_named() -> None:
    publisher, _ = make(auto_register_schemas=False)
    with pytest.raises(SchemaError, match="schemas register"):
        publisher.publish(record())


def test_publish_raw_bypasses_validation() -> None:
    publisher, producer = make()
    publisher.publish_raw("not-a-gtin", b"\xffgarbage")
    publisher.flush()
    assert producer.delivered[0].value() == b"\xffgarbage"
    assert producer.delivered[0].key() == b"not-a-gtin"


def test_producer_settings_are_idempotent_and_batched() -> None:
    config = PublisherConfig("h:1", "mock://x", extra={"linger.ms": 5})
    conf = config.producer_config()
    assert conf["enable.idempotence"] is True and conf["acks"] == "all"
    assert conf["compression.type"] == "zstd" and conf["linger.ms"] == 5


def gtins() -> st.SearchStrategy[str]:
    body = st.integers(0, 10**12 - 1).map(lambda n: f"{n:012d}")
    return body.map(lambda b: b + str(gtin_check_digit(b)))


# header values: any text but control characters, which validation refuses
optional_text = st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40))


@settings(max_examples=40, deadline=None)
@given(
    st.uuids(version=4),
    gtins(),
    st.ip_addresses().map(str),
    optional_text,
    optional_text,
    st.one_of(st.none(), st.sampled_from([200, 307, 404, 410])),
    st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2026, 1, 1), timezones=st.just(UTC)),
)
def test_serialization_round_trip(
    event_id: Any,
    gtin: str,
    ip: str,
    ua: str | None,
    referer: str | None,
    status: int | None,
    occurred: datetime,
) -> None:
    registry = MockSchemaRegistryClient({"url": "mock://unit"})
    publisher, producer = make(registry=registry)
    scan = record(
        event_id=str(event_id),
        gtin=gtin,
        client_ip=ip,
        user_agent=ua,
        referer=referer,
        status_code=status,
        occurred_at=occurred.replace(microsecond=occurred.microsecond // 1000 * 1000),
    )
    publisher.publish(scan)
    publisher.flush()
    decoded = decode(registry, producer.delivered[0].value())
    assert decoded == validate_scan_event(scan)


def test_threads_can_share_one_publisher() -> None:
    publisher, producer = make()

    def work() -> None:
        for _ in range(300):
            publisher.publish(record())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    publisher.close()
    assert publisher.stats.queued == publisher.stats.delivered == len(producer.delivered) == 1_200
