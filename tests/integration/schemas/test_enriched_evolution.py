"""EnrichedScanEvent evolves BACKWARD: version 2 (category, agent_operator, verification) from
version 1, version 3 (region_code, region_name, city) from version 2.

Against the real registry and broker: the registry accepts each version under BACKWARD and
refuses a change that is not; consumers that only know version 1 or 2 read records written
with the current version, and the current reader reads older records with the new fields null.
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
from stream_processors.enrich import Place, classify_user_agent
from stream_processors.records import enriched

V1 = (Path(__file__).parent / "enriched_scan_event_v1.avsc").read_text()
V2 = (Path(__file__).parent / "enriched_scan_event_v2.avsc").read_text()
V3 = schemas.schema_text(schemas.ENRICHED_SCAN_EVENT)
AUSTIN = Place("US", "US-TX", "Texas", "Austin")
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


def test_the_registry_accepts_each_version_under_backward_and_refuses_a_breaking_change(
    settings: Settings, subject: str
) -> None:
    client = registry_client(settings.schema_registry_url)
    versions = [schemas.register(client, subject, text).version for text in (V1, V2, V3)]
    assert versions == [1, 2, 3]
    assert client.get_compatibility(subject) == "BACKWARD"
    breaking = json.loads(V3)
    breaking["fields"].append({"name": "required_now", "type": "string"})  # no default: old data unreadable
    with pytest.raises(SchemaError):
        schemas.register(client, subject, json.dumps(breaking))


@pytest.mark.parametrize("old_text", [V1, V2], ids=["version 1", "version 2"])
def test_a_consumer_knowing_only_an_older_version_reads_current_records(
    settings: Settings, subject: str, scratch_topic: str, old_text: str
) -> None:
    client = registry_client(settings.schema_registry_url)
    schemas.register(client, subject, V1)
    schemas.register(client, subject, V2)
    current = schemas.register(client, subject, V3)
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
        enriched(scan("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)"), cls_human(), AUSTIN, False),
    ]
    assert [(r["verification"], r["traffic_class"], r["city"]) for r in records] == [
        ("verified", "ai_agent", None),
        ("spoofed", "bot", None),
        (None, "human", "Austin"),
    ]
    topic = scratch_topic
    ensure_topics(settings.kafka_bootstrap, [TopicSpec(topic, 1)])
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    encoder = Encoder(V3, current.schema_id)
    for r in records:
        producer.produce(topic, encoder.encode(r), key=r["gtin"].encode())
    assert producer.flush(30) == 0

    old = Decoder(client, old_text)  # a data team's consumer built before the current version
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
    old_fields = [f["name"] for f in json.loads(old_text)["fields"]]
    assert [list(g) for g in got] == [old_fields] * len(records)
    assert [(g["event_id"], g["traffic_class"], g["agent_name"]) for g in got] == [
        (r["event_id"], r["traffic_class"], r["agent_name"]) for r in records
    ]


def test_the_current_reader_reads_version_1_records_with_the_new_fields_null(
    settings: Settings, subject: str
) -> None:
    client = registry_client(settings.schema_registry_url)
    v1 = schemas.register(client, subject, V1)
    record = enriched(scan(GPTBOT), classify_user_agent(GPTBOT), AUSTIN, False)
    v1_names = {f["name"] for f in json.loads(V1)["fields"]}
    old_record = {k: v for k, v in record.items() if k in v1_names}
    decoded = Decoder(client, V3).decode(Encoder(V1, v1.schema_id).encode(old_record))
    assert (decoded["category"], decoded["agent_operator"], decoded["verification"]) == (None, None, None)
    assert (decoded["region_code"], decoded["region_name"], decoded["city"]) == (None, None, None)
    assert decoded["agent_name"] == "GPTBot"


def test_the_current_reader_reads_version_2_records_with_no_region_or_city(
    settings: Settings, subject: str
) -> None:
    client = registry_client(settings.schema_registry_url)
    schemas.register(client, subject, V1)
    v2 = schemas.register(client, subject, V2)
    record = enriched(scan(GPTBOT), classify_user_agent(GPTBOT), AUSTIN, False)
    v2_names = {f["name"] for f in json.loads(V2)["fields"]}
    assert {"region_code", "region_name", "city"}.isdisjoint(v2_names)
    decoded = Decoder(client, V3).decode(Encoder(V2, v2.schema_id).encode(record))
    assert (decoded["region_code"], decoded["region_name"], decoded["city"]) == (None, None, None)
    assert (decoded["country_code"], decoded["category"]) == ("US", record["category"])


def cls_human() -> Any:
    return classify_user_agent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1"
    )
