"""Region and city on the enriched record: carried from the resolver's Place, never the IP."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import fastavro
import pytest

import schemas
from scan_analytics.devgeo import build_country_mmdb
from schemas.codec import HEADER, MAGIC, parse
from schemas.events import ENRICHED_SCAN_EVENT_FIELDS
from stream_processors.enrich import Classification, GeoResolver, Place
from stream_processors.records import agg_key, enriched
from stream_processors.route import Router, Scan

NOW = 1_780_000_000_000
AUSTIN_IP = "24.16.1.2"
HUMAN = Classification("mobile", False, "human")
AUSTIN = Place("US", "US-TX", "Texas", "Austin")


def scan(ip: str = AUSTIN_IP) -> dict[str, Any]:
    return {
        "event_id": "6f1c1a58-7a61-4c47-9d8e-4b8a2b1f0c11",
        "occurred_at": NOW - 1000,
        "gtin": "04000000000013",
        "organization_id": "org",
        "brand_id": "brand",
        "digital_link": "https://id.example/01/04000000000013",
        "link_type": None,
        "client_ip": ip,
        "user_agent": "Mozilla/5.0",
        "referer": None,
        "accept_language": None,
        "status_code": 200,
    }


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (AUSTIN, ("US", "US-TX", "Texas", "Austin")),
        (Place("US"), ("US", None, None, None)),
        ("DE", ("DE", None, None, None)),  # a country code alone, as before
        (None, (None, None, None, None)),
    ],
)
def test_the_record_carries_the_place(place: Place | str | None, expected: tuple[Any, ...]) -> None:
    out = enriched(scan(), HUMAN, place, rate_bot=False)
    assert (out["country_code"], out["region_code"], out["region_name"], out["city"]) == expected
    assert set(out) == set(ENRICHED_SCAN_EVENT_FIELDS)
    fastavro.validate(out, parse(schemas.schema_text(schemas.ENRICHED_SCAN_EVENT)), raise_errors=True)


def test_region_and_city_do_not_change_the_count_key() -> None:
    with_city = enriched(scan(), HUMAN, AUSTIN, rate_bot=False)
    assert agg_key(with_city) == agg_key(enriched(scan(), HUMAN, "US", rate_bot=False))


class Registry:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    def get_schema(self, schema_id: int) -> Any:
        return type("S", (), {"schema_str": self.schema})()


def wire(rec: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    buf.write(HEADER.pack(MAGIC, 7))
    fastavro.schemaless_writer(buf, parse(schemas.schema_text(schemas.SCAN_EVENT)), rec)
    return buf.getvalue()


def test_a_routed_scan_has_its_city_and_not_its_ip(tmp_path: Path) -> None:
    geo = GeoResolver(build_country_mmdb(tmp_path / "dev.mmdb"))
    text = schemas.schema_text(schemas.SCAN_EVENT)
    router = Router(
        Registry(text),  # type: ignore[arg-type]
        text,
        lambda ua, ip: (HUMAN, geo.place(ip)),
        b"s" * 32,
        4,
        late_horizon_days=7,
    )
    out = router.route(wire(scan()), NOW)
    assert isinstance(out, Scan)
    assert (out.record["region_code"], out.record["city"]) == ("US-TX", "Austin")
    assert AUSTIN_IP.encode() not in json.dumps(out.record).encode()
    encoded = io.BytesIO()
    fastavro.schemaless_writer(encoded, parse(schemas.schema_text(schemas.ENRICHED_SCAN_EVENT)), out.record)
    assert AUSTIN_IP.encode() not in encoded.getvalue()
    geo.close()
