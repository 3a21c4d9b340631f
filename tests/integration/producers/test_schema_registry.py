"""Contracts in the registry: registered BACKWARD, evolution both ways, incompatible changes refused."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

import schemas
from producers import ScanPublisher, SchemaError
from scan_analytics.contracts import publisher_config, register_contracts
from scan_analytics.settings import REPO_ROOT, Settings
from schemas import SCAN_EVENT_FILE, load_schema, register, registry_client, value_subject

pytestmark = pytest.mark.integration

V1 = REPO_ROOT / "schemas" / "avro" / SCAN_EVENT_FILE
V2 = REPO_ROOT / "tests" / "unit" / "schemas" / "data" / "scan_event_v2.avsc"


def record() -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "occurred_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "gtin": "04006381333931",
        "organization_id": "org-1",
        "brand_id": "brand-1",
        "digital_link": "https://id.example.com/01/04006381333931",
        "link_type": None,
        "client_ip": "203.0.113.9",
        "user_agent": None,
        "referer": None,
        "accept_language": None,
        "status_code": 307,
    }


def test_register_contracts_sets_backward_and_is_idempotent(unique_topics: Settings) -> None:
    first = register_contracts(unique_topics)
    assert [r.subject for r in first] == [
        value_subject(unique_topics.topic_raw),
        value_subject(unique_topics.topic_enriched),
    ]
    client = registry_client(unique_topics.schema_registry_url)
    for r in first:
        assert client.get_compatibility(r.subject) == "BACKWARD"
    again = register_contracts(unique_topics)
    assert [(r.schema_id, r.version) for r in again] == [(r.schema_id, r.version) for r in first]


def test_without_auto_registration_the_publisher_needs_registered_contracts(unique_topics: Settings) -> None:
    settings = unique_topics.model_copy(update={"auto_register_schemas": False})
    with pytest.raises(SchemaError, match="schemas register"):
        ScanPublisher(publisher_config(settings)).encode(record())
    register_contracts(settings)
    key, value, _ = ScanPublisher(publisher_config(settings)).encode(record())
    assert key == b"04006381333931" and value[:1] == b"\x00"


def test_evolution_both_ways_and_an_incompatible_change_is_refused(unique_topics: Settings) -> None:
    topic = unique_topics.topic_raw
    subject = value_subject(topic)
    client = registry_client(unique_topics.schema_registry_url)
    v1, v2 = load_schema(V1), load_schema(V2)
    assert register(client, subject, v1).version == 1
    assert register(client, subject, v2).version == 2

    context = SerializationContext(topic, MessageField.VALUE)
    conf = {"auto.register.schemas": False, "normalize.schemas": True}
    written_v1 = AvroSerializer(client, v1, conf=conf)(record(), context)
    written_v2 = AvroSerializer(client, v2, conf=conf)(record() | {"resolver_region": "eu-west"}, context)

    read_by_v2 = AvroDeserializer(client, v2)(written_v1, context)
    assert read_by_v2["resolver_region"] is None and read_by_v2["gtin"] == "04006381333931"
    read_by_v1 = AvroDeserializer(client, v1)(written_v2, context)
    assert "resolver_region" not in read_by_v1 and read_by_v1["status_code"] == 307

    for change in (_add_required_field, _change_gtin_type):
        with pytest.raises(schemas.SchemaError, match="refused"):
            register(client, subject, change(v2))
    assert client.get_versions(subject) == [1, 2]


def _add_required_field(text: str) -> str:
    schema = json.loads(text)
    schema["fields"].append({"name": "tenant", "type": "string", "doc": "No default: breaks old data."})
    return json.dumps(schema)


def _change_gtin_type(text: str) -> str:
    schema = copy.deepcopy(json.loads(text))
    for field in schema["fields"]:
        if field["name"] == "gtin":
            field["type"] = "long"
    return json.dumps(schema)
