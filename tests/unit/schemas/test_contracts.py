"""The Avro contracts: field names as agreed, a doc on every field, evolution both ways."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import fastavro
import pytest

from scan_analytics.settings import REPO_ROOT
from schemas import ENRICHED_SCAN_EVENT_FILE, SCAN_EVENT_FILE, SchemaError, load_schema, value_subject
from schemas.events import ENRICHED_SCAN_EVENT_FIELDS, SCAN_EVENT_FIELDS
from schemas.validation import FIELDS

from .conftest import NOW

AVRO = REPO_ROOT / "schemas" / "avro"
V2 = Path(__file__).parent / "data" / "scan_event_v2.avsc"

SCAN_FIELDS = {
    "event_id": {"type": "string", "logicalType": "uuid"},
    "occurred_at": {"type": "long", "logicalType": "timestamp-millis"},
    "gtin": "string",
    "organization_id": "string",
    "brand_id": "string",
    "digital_link": "string",
    "link_type": ["null", "string"],
    "client_ip": "string",
    "user_agent": ["null", "string"],
    "referer": ["null", "string"],
    "accept_language": ["null", "string"],
    "status_code": ["null", "int"],
}
ENRICHED_EXTRA = (
    "country_code", "device_class", "is_bot", "bot_reason", "agent_name", "traffic_class",
    "category", "agent_operator", "verification", "region_code", "region_name", "city",
)  # fmt: skip
PLACE_FIELDS = ("region_code", "region_name", "city")  # version 3


def schema(path: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def test_scan_event_fields_are_the_contract() -> None:
    fields = schema(AVRO / SCAN_EVENT_FILE)["fields"]
    assert [f["name"] for f in fields] == list(SCAN_FIELDS)
    for f in fields:
        assert f["type"] == SCAN_FIELDS[f["name"]], f["name"]
        if isinstance(f["type"], list):
            assert f["default"] is None, f["name"]


def test_enriched_event_drops_the_ip_and_adds_the_dimensions() -> None:
    names = [f["name"] for f in schema(AVRO / ENRICHED_SCAN_EVENT_FILE)["fields"]]
    assert names == [n for n in SCAN_FIELDS if n != "client_ip"] + list(ENRICHED_EXTRA)
    by_name = {f["name"]: f for f in schema(AVRO / ENRICHED_SCAN_EVENT_FILE)["fields"]}
    assert by_name["device_class"]["type"]["symbols"] == ["mobile", "tablet", "desktop", "bot", "other"]
    assert by_name["traffic_class"]["type"]["symbols"] == ["human", "ai_agent", "bot"]
    assert by_name["is_bot"]["type"] == "boolean"


@pytest.mark.parametrize("path", [AVRO / SCAN_EVENT_FILE, AVRO / ENRICHED_SCAN_EVENT_FILE, V2])
def test_every_field_and_record_has_a_doc(path: Path) -> None:
    s = schema(path)
    assert s["doc"].strip()
    assert all(f.get("doc", "").strip() for f in s["fields"])
    fastavro.parse_schema(s)


def test_load_schema_names_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.avsc"
    broken.write_text('{"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]}')
    with pytest.raises(SchemaError, match=r"broken\.avsc"):
        load_schema(broken)


def test_subject_is_the_topic_name_strategy() -> None:
    assert value_subject("scans.raw") == "scans.raw-value"


def v1_record() -> dict[str, Any]:
    return {
        "event_id": "0b1e5c7e-4a8a-4c61-9a3e-1f6f2b1d2c3a",
        "occurred_at": NOW,
        "gtin": "04006381333931",
        "organization_id": "org-1",
        "brand_id": "brand-1",
        "digital_link": "https://id.example.com/01/04006381333931",
        "link_type": None,
        "client_ip": "203.0.113.7",
        "user_agent": "curl/8.5.0",
        "referer": None,
        "accept_language": "en",
        "status_code": 307,
    }


def roundtrip(record: dict[str, Any], writer: dict[str, Any], reader: dict[str, Any]) -> dict[str, Any]:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(writer), record)
    buffer.seek(0)
    result: dict[str, Any] = fastavro.schemaless_reader(
        buffer, fastavro.parse_schema(writer), fastavro.parse_schema(reader)
    )
    return result


def test_a_v2_reader_reads_v1_records_with_the_default() -> None:
    v1, v2 = schema(AVRO / SCAN_EVENT_FILE), schema(V2)
    out = roundtrip(v1_record(), v1, v2)
    assert out["resolver_region"] is None
    assert {k: v for k, v in out.items() if k != "resolver_region"} == v1_record() | {
        "event_id": out["event_id"]
    }
    assert str(out["event_id"]) == v1_record()["event_id"]


def test_a_v1_reader_reads_v2_records_ignoring_the_new_field() -> None:
    v1, v2 = schema(AVRO / SCAN_EVENT_FILE), schema(V2)
    out = roundtrip(v1_record() | {"resolver_region": "eu-west"}, v2, v1)
    assert "resolver_region" not in out
    assert out["gtin"] == "04006381333931" and out["occurred_at"] == NOW


def test_validation_knows_exactly_the_contract_fields() -> None:
    assert {f["name"] for f in schema(AVRO / SCAN_EVENT_FILE)["fields"]} == FIELDS


def test_the_typed_events_have_exactly_the_contract_fields_in_order() -> None:
    assert [f["name"] for f in schema(AVRO / SCAN_EVENT_FILE)["fields"]] == list(SCAN_EVENT_FIELDS)
    enriched = [f["name"] for f in schema(AVRO / ENRICHED_SCAN_EVENT_FILE)["fields"]]
    assert enriched == list(ENRICHED_SCAN_EVENT_FIELDS)


def enriched_v2() -> dict[str, Any]:
    """EnrichedScanEvent as it was before region and city: version 3 without PLACE_FIELDS."""
    v3 = schema(AVRO / ENRICHED_SCAN_EVENT_FILE)
    return v3 | {"fields": [f for f in v3["fields"] if f["name"] not in PLACE_FIELDS]}


def enriched_record() -> dict[str, Any]:
    record = {k: v for k, v in v1_record().items() if k != "client_ip"}
    return record | {
        "country_code": "US",
        "device_class": "mobile",
        "is_bot": False,
        "bot_reason": None,
        "agent_name": None,
        "traffic_class": "human",
        "category": None,
        "agent_operator": None,
        "verification": None,
    }


def test_enriched_region_and_city_are_optional_with_a_null_default() -> None:
    by_name = {f["name"]: f for f in schema(AVRO / ENRICHED_SCAN_EVENT_FILE)["fields"]}
    for name in PLACE_FIELDS:
        assert by_name[name]["type"] == ["null", "string"] and by_name[name]["default"] is None


def test_an_enriched_v3_reader_reads_v2_records_with_no_region_or_city() -> None:
    out = roundtrip(enriched_record(), enriched_v2(), schema(AVRO / ENRICHED_SCAN_EVENT_FILE))
    assert [out[name] for name in PLACE_FIELDS] == [None, None, None]
    assert out["country_code"] == "US"


def test_an_enriched_v2_reader_reads_v3_records_ignoring_region_and_city() -> None:
    place = {"region_code": "US-TX", "region_name": "Texas", "city": "Austin"}
    out = roundtrip(enriched_record() | place, schema(AVRO / ENRICHED_SCAN_EVENT_FILE), enriched_v2())
    assert not set(PLACE_FIELDS) & set(out)
    assert out["country_code"] == "US" and out["gtin"] == "04006381333931"
