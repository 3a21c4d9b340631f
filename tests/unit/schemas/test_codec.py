"""The compiled Avro writer and reader: fastavro's bytes, records and errors for any input."""

from __future__ import annotations

import io
import json
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemas
from schemas import UndecodableRecord
from schemas.codec import Decoder, Encoder, compile_reader, compile_writer, parse

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


def enriched(**fields: Any) -> dict[str, Any]:
    """An EnrichedScanEvent with its required fields set, its optional ones null, then `fields`."""
    optional = {f["name"]: None for f in json.loads(CONTRACTS[1])["fields"]}
    required = {
        "event_id": "e",
        "occurred_at": 1,
        "gtin": "g",
        "organization_id": "o",
        "brand_id": "b",
        "digital_link": "d",
        "device_class": "other",
        "is_bot": False,
        "traffic_class": "human",
    }
    return optional | required | fields


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
    base = enriched(
        event_id="é" * 9000,  # a length past two bytes of varint
        occurred_at=-(2**63),
        gtin="",
        digital_link="x" * 64,
        status_code=2**31 - 1,
        is_bot=True,
        traffic_class="bot",
    )
    encoder = Encoder(schema, 7)
    assert encoder._fast is not None
    out = bytearray(b"\x00\x00\x00\x00\x07")
    encoder._fast(base, out)
    assert bytes(out) == fastavro_bytes(schema, base)


# -- the compiled reader ----------------------------------------------------------------------------


class OneSchema:
    """A registry holding one schema under every id."""

    def __init__(self, schema: str) -> None:
        self.schema_str = schema

    def get_schema(self, schema_id: int) -> OneSchema:
        return self


def fastavro_record(schema: str, data: bytes) -> dict[str, Any]:
    buf = io.BytesIO(data)
    buf.seek(5)
    parsed = parse(schema)
    return fastavro.schemaless_reader(buf, parsed, parsed)  # type: ignore[return-value]


@pytest.mark.parametrize("schema", SCHEMAS, ids=IDS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_records_written_with_the_readers_shape_are_read_as_fastavro_reads_them(
    schema: str, data: st.DataObject
) -> None:
    record = data.draw(records(schema, odd=False))
    wire = fastavro_bytes(schema, record)
    reader = compile_reader(json.loads(schema))
    assert reader is not None
    assert reader(wire, 5) == fastavro_record(schema, wire) == record
    assert Decoder(OneSchema(schema), schema).decode(wire) == record  # type: ignore[arg-type]


@pytest.mark.parametrize("schema", SCHEMAS, ids=IDS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_bytes_get_fastavros_record_or_its_refusal(schema: str, data: st.DataObject) -> None:
    """Valid records cut short, with bytes changed or added, and bytes of no record at all."""
    record = data.draw(records(schema, odd=False))
    wire = bytearray(fastavro_bytes(schema, record))
    how = data.draw(st.sampled_from(["cut", "change", "append", "random"]))
    if how == "cut":
        wire = wire[: data.draw(st.integers(5, len(wire)))]
    elif how == "change":
        for _ in range(data.draw(st.integers(1, 4))):
            wire[data.draw(st.integers(5, len(wire) - 1))] = data.draw(st.integers(0, 255))
    elif how == "append":
        wire += data.draw(st.binary(min_size=1, max_size=12))
    else:
        wire = wire[:5] + data.draw(st.binary(max_size=80))
    try:
        expected: Any = fastavro_record(schema, bytes(wire))
    except Exception:
        expected = UndecodableRecord
    try:
        got: Any = Decoder(OneSchema(schema), schema).decode(bytes(wire))  # type: ignore[arg-type]
    except UndecodableRecord:
        got = UndecodableRecord
    assert got == expected


def test_a_writer_of_another_shape_is_read_by_fastavro() -> None:
    """An older or newer writer (a field more or less) is resolved against the reader by fastavro."""
    reader = CONTRACTS[1]
    fields = json.loads(reader)["fields"]
    older = json.dumps(json.loads(reader) | {"fields": [f for f in fields if f["name"] != "city"]})
    decoder = Decoder(OneSchema(older), reader)  # type: ignore[arg-type]
    record = enriched()
    del record["city"]
    got = decoder.decode(fastavro_bytes(older, record))
    assert got == record | {"city": None}
    assert decoder._writers[7][1] is None  # no compiled reader for it


def test_a_record_cut_inside_its_last_text_is_refused_as_fastavro_refuses_it() -> None:
    schema = CONTRACTS[1]
    wire = fastavro_bytes(schema, enriched(city="Zürich"))
    decoder = Decoder(OneSchema(schema), schema)  # type: ignore[arg-type]
    for cut in range(1, len("Zürich".encode()) + 1):
        with pytest.raises(EOFError):
            fastavro_record(schema, wire[:-cut])
        with pytest.raises(UndecodableRecord):
            decoder.decode(wire[:-cut])
