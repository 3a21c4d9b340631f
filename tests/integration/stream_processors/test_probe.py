"""Where a partition's next record is, asked of a real broker: past commit markers, at records."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from scan_analytics.settings import Settings
from stream_processors.probe import FirstOffsets

pytestmark = pytest.mark.integration


@pytest.fixture()
def topic(base_settings: Settings) -> Iterator[str]:
    name = f"probe-test-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": base_settings.kafka_bootstrap, "log_level": 0})
    admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])[name].result(30)
    yield name
    admin.delete_topics([name], operation_timeout=30)[name].result(30)


def _offsets(bootstrap: str, topic: str) -> list[int]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"probe-{uuid.uuid4()}",
            "isolation.level": "read_uncommitted",
            "log_level": 0,
        }
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    try:
        out: list[int] = []
        while (message := consumer.poll(5.0)) is not None:
            if not message.error():
                out.append(int(message.offset() or 0))
        return out
    finally:
        consumer.close()


def test_the_first_record_from_an_offset_is_past_commit_markers(base_settings: Settings, topic: str) -> None:
    bootstrap = base_settings.kafka_bootstrap
    plain = Producer({"bootstrap.servers": bootstrap, "log_level": 0})
    for i in range(3):
        plain.produce(topic, b"plain %d" % i, partition=0)
    assert plain.flush(30) == 0
    writer = Producer({"bootstrap.servers": bootstrap, "transactional.id": f"tx-{topic}", "log_level": 0})
    writer.init_transactions(30)
    for n in range(3):
        writer.begin_transaction()
        for i in range(2):
            writer.produce(topic, b"tx %d %d" % (n, i), partition=0)
        if n == 1:
            assert writer.flush(30) == 0  # written before the abort (it purges what is unsent)
            writer.abort_transaction(30)  # its records stay in the log, read uncommitted
        else:
            writer.commit_transaction(30)
    records = _offsets(bootstrap, topic)
    assert records == [0, 1, 2, 3, 4, 6, 7, 9, 10], records  # 5, 8 and 11 are markers
    probe = FirstOffsets(bootstrap)
    try:
        found = {offset: probe.first(topic, 0, offset, timeout=5) for offset in range(12)}
    finally:
        probe.close()
    assert found == {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 6, 7: 7, 8: 9, 9: 9, 10: 10, 11: None}
