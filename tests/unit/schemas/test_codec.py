"""The compiled Avro writer: fastavro's bytes and errors for any record, faster for the contracts."""

from __future__ import annotations

import io
import json
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemas
from schemas.codec import Encoder, compile_writer, parse

CONTRACTS = [schemas.schema_text(name) for name in (schemas.SCAN_EVENT, schemas.ENRICHED_SCAN_EVENT)]
# every shape the compiled writer takes, beyond those the contracts use
SHAPES = json.dumps(
    {
        "type": "record",
        "name": "Shapes",
        "fields": [
            {"name": name, "type": avro_type}
            for name, avro_type in [
                ("s", "string"),
                ("l", "long"),
                ("i", "int"),
                ("b", "boolean"),
                ("e", {"type": "enum", "name": "E", "symbols": ["a", "b"]}),
                ("ns", ["null", "string"]),
                ("nl", ["null", "long"]),
                ("ni", ["null", "int"]),
                ("nb", ["null", "boolean"]),
            ]
        ],
    }
)
SCHEMAS = [*CONTRACTS, SHAPES]
IDS = ["scan_event", "enriched_scan_event", "shapes"]

# values of every kind a field might be handed, right or wrong for it
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.just("\ud800"),  # a lone surrogate: not UTF-8
    st.binary(max_size=4),
)


def fastavro_bytes(schema: str, record: Any) -> bytes:
    buf = io.BytesIO()
    buf.write(b"\x00\x00\x00\x00\x07")
    fastavro.schemaless_writer(buf, parse(schema), record)
    return buf.getvalue()


def good_value(avro_type: Any) -> st.SearchStrategy[Any]:
    """Values fastavro writes as they are for avro_type (the compiled writer's fast path)."""
    if isinstance(avro_type, list):
        return st.one_of(*(good_value(t) for t in avro_type))
    if isinstance(avro_type, dict):
        if avro_type["type"] == "enum":
            return st.sampled_from(avro_type["symbols"])
        avro_type = avro_type["type"]
    return {
        "null": st.none(),
        "string": st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
        "long": st.integers(min_value=-(2**63), max_value=2**63 - 1),
        "int": st.integers(min_value=-(2**31), max_value=2**31 - 1),
        "boolean": st.booleans(),
    }[avro_type]


def records(schema: str, odd: bool) -> st.SearchStrategy[dict[str, Any]]:
    fields = json.loads(schema)["fields"]
    good = st.fixed_dictionaries({f["name"]: good_value(f["type"]) for f in fields})
    if not odd:
        return good

    @st.composite
    def spoiled(draw: st.DrawFn) -> dict[str, Any]:
        record = draw(good)
        for name in draw(st.lists(st.sampled_from([f["name"] for f in fields]), max_size=3)):
            if draw(st.booleans()):
                record[name] = draw(ODD)
            else:
                record.pop(name, None)
        return record

    return spoiled()


@pytest.mark.parametrize("schema", SCHEMAS, ids=IDS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_valid_records_take_the_compiled_path_and_write_fastavros_bytes(
    schema: str, data: st.DataObject
) -> None:
    record = data.draw(records(schema, odd=False))
    encoder = Encoder(schema, 7)
    assert encoder._fast is not None
    out = bytearray(b"\x00\x00\x00\x00\x07")
    encoder._fast(record, out)  # raises if it would hand the record to fastavro
    assert bytes(out) == fastavro_bytes(schema, record)
    assert encoder.encode(record) == bytes(out)


@pytest.mark.parametrize("schema", SCHEMAS, ids=IDS)
@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_any_record_gets_fastavros_bytes_or_its_error(schema: str, data: st.DataObject) -> None:
    record = data.draw(records(schema, odd=True))
    try:
        expected: bytes | type[BaseException] = fastavro_bytes(schema, record)
    except Exception as e:  # whatever fastavro raises for it
        expected = type(e)
    try:
        got: bytes | type[BaseException] = Encoder(schema, 7).encode(record)
    except Exception as e:
        got = type(e)
    assert got == expected


@pytest.mark.parametrize(
    "field_type",
    [
        "double",
        "bytes",
        {"type": "array", "items": "string"},
        {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "string"}]},
        ["null", "string", "long"],
        ["string", "null"],
        {"type": "string", "avro.java.string": "String"},
    ],
)
def test_other_schemas_are_written_by_fastavro(field_type: Any) -> None:
    schema = {"type": "record", "name": "R", "fields": [{"name": "f", "type": field_type}]}
    assert compile_writer(schema) is None
    assert compile_writer({"type": "string"}) is None


def test_long_strings_and_numbers_use_every_length_of_varint() -> None:
    schema = CONTRACTS[1]
    fields = json.loads(schema)["fields"]
    base = {f["name"]: None for f in fields} | {
        "event_id": "é" * 9000,  # a length past two bytes of varint
        "occurred_at": -(2**63),
        "gtin": "",
        "organization_id": "o",
        "brand_id": "b",
        "digital_link": "x" * 64,
        "status_code": 2**31 - 1,
        "device_class": "other",
        "is_bot": True,
        "traffic_class": "bot",
    }
    encoder = Encoder(schema, 7)
    assert encoder._fast is not None
    out = bytearray(b"\x00\x00\x00\x00\x07")
    encoder._fast(base, out)
    assert bytes(out) == fastavro_bytes(schema, base)
