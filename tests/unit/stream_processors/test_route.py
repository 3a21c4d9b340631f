"""Routing: the IP becomes a keyed hash, bad input is set aside without its IP, batches stay small."""

from __future__ import annotations

import json
from typing import Any

import fastavro
import pytest

import schemas
from schemas.codec import HEADER, MAGIC, parse
from stream_processors.enrich import Classification
from stream_processors.route import BATCH_BYTES, DeadLetter, Router, Scan, ip_key, pack, partition_of, unpack

NOW = 1_780_000_000_000
IP = "81.2.69.160"
HUMAN = Classification("mobile", False, "human")


class Registry:
    """The two calls of the registry client the router makes."""

    def __init__(self, schema: str) -> None:
        self.schema = schema

    def get_schema(self, schema_id: int) -> Any:
        return type("S", (), {"schema_str": self.schema})()


def record(**changes: Any) -> dict[str, Any]:
    base = {
        "event_id": "6f1c1a58-7a61-4c47-9d8e-4b8a2b1f0c11",
        "occurred_at": NOW - 1000,
        "gtin": "04000000000013",
        "organization_id": "org",
        "brand_id": "brand",
        "digital_link": "https://id.example/01/04000000000013",
        "link_type": None,
        "client_ip": IP,
        "user_agent": "Mozilla/5.0",
        "referer": None,
        "accept_language": None,
        "status_code": 200,
    }
    return base | changes


def wire(rec: dict[str, Any]) -> bytes:
    import io

    buf = io.BytesIO()
    buf.write(HEADER.pack(MAGIC, 7))
    fastavro.schemaless_writer(buf, parse(schemas.schema_text(schemas.SCAN_EVENT)), rec)
    return buf.getvalue()


@pytest.fixture()
def router() -> Router:
    text = schemas.schema_text(schemas.SCAN_EVENT)
    return Router(
        Registry(text),
        text,
        lambda ua, ip: (HUMAN, "GB"),
        b"s" * 32,
        4,  # type: ignore[arg-type]
        late_horizon_days=7,
    )


def test_a_valid_scan_is_enriched_and_keyed_without_its_ip(router: Router) -> None:
    out = router.route(wire(record()), NOW)
    assert isinstance(out, Scan)
    assert out.ip_key == ip_key(b"s" * 32, IP) != ip_key(b"t" * 32, IP)
    assert out.partition == partition_of(out.ip_key, 4)
    assert "client_ip" not in out.record and out.record["country_code"] == "GB"
    assert IP.encode() not in json.dumps(out.record).encode()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"organization_id": "org\x00x"}, "bad_text"),
        ({"brand_id": "b" * 129}, "too_long"),
        ({"gtin": "04000000000014"}, "bad_gtin"),
        ({"occurred_at": NOW - 30 * 86_400_000}, "too_late"),
        ({"occurred_at": NOW + 2 * 3_600_000}, "bad_timestamp"),
    ],
)
def test_bad_input_is_set_aside_with_its_reason_and_the_ip_blanked(
    router: Router, changes: dict[str, Any], reason: str
) -> None:
    value = wire(record(**changes))
    out = router.route(value, NOW)
    assert isinstance(out, DeadLetter) and out.reason == reason
    assert out.value is not None and IP.encode() not in out.value
    kept = fastavro.schemaless_reader(
        __import__("io").BytesIO(out.value[HEADER.size :]), parse(schemas.schema_text(schemas.SCAN_EVENT))
    )
    assert kept["client_ip"] == "" and kept["event_id"] == record()["event_id"]


def test_an_undecodable_record_keeps_only_its_length_and_hash(router: Router) -> None:
    out = router.route(json.dumps(record()).encode(), NOW)
    assert isinstance(out, DeadLetter) and out.reason == "not_avro"
    assert out.value is not None and IP.encode() not in out.value
    assert set(json.loads(out.value)) == {"length", "sha256"}


def test_packed_batches_stay_below_the_limit_and_round_trip() -> None:
    big = record(user_agent="u" * 2048, referer="r" * 2048, digital_link="d" * 2048)
    scans = [Scan({**big, "event_id": f"e{i}"}, f"{i:024x}", i % 3) for i in range(600)]
    packed = list(pack(scans))
    assert all(len(v) <= BATCH_BYTES for _, v in packed)
    back = [(p, k, r["event_id"]) for p, v in packed for k, r in unpack(v)]
    assert sorted(back) == sorted((s.partition, s.ip_key, s.record["event_id"]) for s in scans)
