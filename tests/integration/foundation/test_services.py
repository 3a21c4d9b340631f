"""The local services are real: a broker that stores and serves, a registry that keeps ids."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from psycopg import sql

from scan_analytics import services
from scan_analytics.errors import ServiceError
from scan_analytics.services import kafka, registry
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings

pytestmark = pytest.mark.integration

SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Probe",
        "namespace": "org.scananalytics.test",
        "fields": [{"name": "n", "type": "long"}],
    }
)


def test_produce_and_consume_through_the_broker(settings: Settings, scratch_topic: str) -> None:
    topic = scratch_topic
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])[topic].result(30)
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "enable.idempotence": True})
    sent = {f"k{i}".encode(): f"v{i}".encode() for i in range(200)}
    for key, value in sent.items():
        producer.produce(topic, key=key, value=value)
    assert producer.flush(30) == 0
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"smoke-{topic}",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    received: dict[bytes, bytes] = {}
    try:
        for _ in range(120):
            for msg in consumer.consume(500, timeout=1.0):
                assert msg.error() is None, msg.error()
                received[msg.key()] = msg.value()
            if len(received) == len(sent):
                break
    finally:
        consumer.close()
    assert received == sent


def test_register_a_schema_and_read_it_back_by_id(settings: Settings, run_id: str) -> None:
    client = SchemaRegistryClient({"url": settings.schema_registry_url})
    subject = f"smoke-{run_id}-value"
    schema_id = client.register_schema(subject, Schema(SCHEMA, "AVRO"))
    assert client.register_schema(subject, Schema(SCHEMA, "AVRO")) == schema_id
    fetched = client.get_schema(schema_id)
    assert json.loads(fetched.schema_str) == json.loads(SCHEMA)
    assert client.get_latest_version(subject).schema_id == schema_id


def test_services_up_is_idempotent(base_settings: Settings) -> None:
    before = {s.name: s.pid for s in services.status(base_settings)}
    services.up(base_settings, echo=lambda _: None)
    after = {s.name: s.pid for s in services.status(base_settings)}
    assert before == after
    assert all(s.ready for s in services.status(base_settings))


@pytest.fixture()
def own_registry(base_settings: Settings, tmp_path: Path, run_id: str) -> Iterator[Settings]:
    """A second registry on its own port and database, free to be restarted."""
    database = f"apicurio_test_{run_id}"
    with psycopg.connect(base_settings.database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    port = free_port()
    own = base_settings.model_copy(
        update={
            "services_dir": tmp_path / "services",
            "apicurio_port": port,
            "apicurio_database": database,
            "schema_registry_url": f"http://127.0.0.1:{port}/apis/ccompat/v7",
        }
    )
    try:
        yield own
    finally:
        registry.stop(own)
        with psycopg.connect(base_settings.database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


def test_registry_restart_keeps_schema_ids(own_registry: Settings) -> None:
    registry.start(own_registry)
    client = SchemaRegistryClient({"url": own_registry.schema_registry_url})
    schema_id = client.register_schema("restart-value", Schema(SCHEMA, "AVRO"))

    assert registry.stop(own_registry)
    assert not registry.is_ready(own_registry)
    registry.start(own_registry)

    fresh = SchemaRegistryClient({"url": own_registry.schema_registry_url})
    assert json.loads(fresh.get_schema(schema_id).schema_str) == json.loads(SCHEMA)
    assert fresh.register_schema("restart-value", Schema(SCHEMA, "AVRO")) == schema_id


def test_a_taken_port_is_reported_by_name(base_settings: Settings, tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        own = base_settings.model_copy(
            update={"services_dir": tmp_path, "kafka_port": port, "kafka_bootstrap": f"127.0.0.1:{port}"}
        )
        with pytest.raises(ServiceError, match=f"kafka: port {port} is taken"):
            kafka.start(own)


def test_a_broker_that_dies_at_start_names_its_log(base_settings: Settings, tmp_path: Path) -> None:
    port, controller = free_port(), free_port()
    own = base_settings.model_copy(
        update={
            "services_dir": tmp_path,
            "kafka_port": port,
            "kafka_controller_port": controller,
            "kafka_bootstrap": f"127.0.0.1:{port}",
            "kafka_heap": "1x",
        }
    )  # an invalid heap size
    with pytest.raises(ServiceError, match=r"kafka exited during start-up; see .*kafka\.log"):
        kafka.start(own)
