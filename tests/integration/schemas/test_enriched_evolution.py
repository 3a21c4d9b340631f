"""EnrichedScanEvent version 2 (category, agent_operator, verification) evolves BACKWARD from version 1.

Against the real registry and broker: the registry accepts version 2 under BACKWARD and
refuses a change that is not; a consumer that only knows version 1 reads records written
with version 2, and a version-2 reader reads version-1 records with the new fields null.
"""

from __future__ import annotations

import json
import uuid
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer

import schemas
from scan_analytics.settings import Settings
from schemas import Decoder, Encoder, SchemaError, registry_client
from schemas.topics import TopicSpec, ensure_topics
from stream_processors.agents.verify import RANGES_DIR, Snapshot, verify, with_verification
from stream_processors.enrich import classify_user_agent
from stream_processors.records import enriched

V1 = (Path(__file__).parent / "enriched_scan_event_v1.avsc").read_text()
V2 = schemas.schema_text(schemas.ENRICHED_SCAN_EVENT)
GPTBOT = (
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"
)


def scan(user_agent: str) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "occurred_at": 1_780_000_000_000,
        "gtin": "04000000000011",
        "organization_id": "org-evolution",
        "brand_id": "brand",
        "digital_link": "https://id.example.com/01/04000000000011",
        "link_type": None,
        "user_agent": user_agent,
        "referer": None,
        "accept_language": None,
        "status_code": 200,
    }


@pytest.fixture()
def subject() -> str:
    return f"evolution-{uuid.uuid4().hex[:8]}-value"


def test_the_registry_accepts_version_2_under_backward_and_refuses_a_breaking_change(
    settings: Settings, subject: str
) -> None:
    client = registry_client(settings.schema_registry_url)
    first = schemas.register(client, subject, V1)
    second = schemas.register(client, subject, V2)
    assert (first.version, second.version) == (1, 2)
    assert client.get_compatibility(subject) == "BACKWARD"
    breaking = json.loads(V2)
    breaking["fields"].append({"name": "required_now", "type": "string"})  # no default: old data unreadable
    with pytest.raises(SchemaError):
        schemas.register(client, subject, json.dumps(breaking))


def test_a_consumer_knowing_only_version_1_reads_version_2_records(settings: Settings, subject: str) -> None:
    client = registry_client(settings.schema_registry_url)
    schemas.register(client, subject, V1)
    v2 = schemas.register(client, subject, V2)
    snapshot = Snapshot.load()
    prefixes = json.loads((RANGES_DIR / "openai-gptbot.json").read_text())["prefixes"]
    inside = str(next(ip_network(p["ipv4Prefix"]) for p in prefixes if "ipv4Prefix" in p).network_address + 1)
    cls = classify_user_agent(GPTBOT)
    records = [
        enriched(scan(GPTBOT), with_verification(cls, verify(cls.agent_name, inside, snapshot)), "US", False),
        enriched(
            scan(GPTBOT),
            with_verification(cls, verify(cls.agent_name, "198.51.100.7", snapshot)),
            None,
            False,
        ),
        enriched(scan("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)"), cls_human(), "DE", False),
    ]
    assert [(r["verification"], r["traffic_class"]) for r in records] == [
        ("verified", "ai_agent"),
        ("spoofed", "bot"),
        (None, "human"),
    ]
    topic = f"evolution-{uuid.uuid4().hex[:8]}"
    ensure_topics(settings.kafka_bootstrap, [TopicSpec(topic, 1)])
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    encoder = Encoder(V2, v2.schema_id)
    for r in records:
        producer.produce(topic, encoder.encode(r), key=r["gtin"].encode())
    assert producer.flush(30) == 0

    old = Decoder(client, V1)  # a data team's consumer built before version 2
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"old-reader-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "log_level": 0,
        }
    )
    consumer.subscribe([topic])
    got: list[dict[str, Any]] = []
    try:
        for _ in range(60):
            msg = consumer.poll(1.0)
            if msg is not None and not msg.error():
                got.append(old.decode(msg.value()))
            if len(got) == len(records):
                break
    finally:
        consumer.close()
    v1_fields = [f["name"] for f in json.loads(V1)["fields"]]
    assert [list(g) for g in got] == [v1_fields] * len(records)
    assert [(g["event_id"], g["traffic_class"], g["agent_name"]) for g in got] == [
        (r["event_id"], r["traffic_class"], r["agent_name"]) for r in records
    ]


def test_a_version_2_reader_reads_version_1_records_with_the_new_fields_null(
    settings: Settings, subject: str
) -> None:
    client = registry_client(settings.schema_registry_url)
    v1 = schemas.register(client, subject, V1)
    record = enriched(scan(GPTBOT), classify_user_agent(GPTBOT), "US", False)
    old_record = {k: v for k, v in record.items() if k not in ("category", "agent_operator", "verification")}
    decoded = Decoder(client, V2).decode(Encoder(V1, v1.schema_id).encode(old_record))
    assert (decoded["category"], decoded["agent_operator"], decoded["verification"]) == (None, None, None)
    assert decoded["agent_name"] == "GPTBot"


def cls_human() -> Any:
    return classify_user_agent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1"
    )
