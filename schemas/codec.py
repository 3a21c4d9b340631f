"""Avro in the Confluent wire format: one magic byte, the writer schema's registry id, the body.

One codec for both sides of the contract. Logical types are stripped before
parsing: code carries `occurred_at` as epoch milliseconds and `event_id` as
text, which is exactly what the wire holds, and several microseconds cheaper
per record than datetime and UUID objects. Writer schemas are fetched from the
registry by id once and cached.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final, cast

import fastavro
from confluent_kafka.schema_registry import SchemaRegistryClient

from schemas.errors import RegistryUnavailable, SchemaError, UndecodableRecord

MAGIC: Final = 0
HEADER: Final = struct.Struct(">bI")
AVRO_DIR: Final = Path(__file__).resolve().parent / "avro"
SCAN_EVENT: Final = "scan_event"
Reader = Callable[[bytes, int], dict[str, Any]]  # a compiled reader: (data, offset of the body) -> record
ENRICHED_SCAN_EVENT: Final = "enriched_scan_event"
SCAN_EVENT_FILE: Final = f"{SCAN_EVENT}.avsc"
ENRICHED_SCAN_EVENT_FILE: Final = f"{ENRICHED_SCAN_EVENT}.avsc"


def _without(node: Any, keys: frozenset[str]) -> Any:
    """A schema (JSON) with the attributes named in keys removed at every depth."""
    if isinstance(node, dict):
        return {k: _without(v, keys) for k, v in node.items() if k not in keys}
    if isinstance(node, list):
        return [_without(v, keys) for v in node]
    return node


_LOGICAL: Final = frozenset({"logicalType"})
# what does not change how records are read: a field's doc, its default, aliases, logical types
_NOT_READ: Final = frozenset({"doc", "default", "aliases", "logicalType"})


def parse(schema_json: str | dict[str, Any]) -> Any:
    """Parse an Avro schema for plain (logical-type-free) reading and writing."""
    raw = json.loads(schema_json) if isinstance(schema_json, str) else schema_json
    return fastavro.parse_schema(_without(raw, _LOGICAL))


@cache
def schema_text(name: str, avro_dir: Path = AVRO_DIR) -> str:
    """Return the contract `name` (e.g. `scan_event`) from avro_dir as compact JSON."""
    return load_schema(avro_dir / f"{name}.avsc")


def load_schema(path: Path) -> str:
    """Return the schema in path as compact JSON, after checking that it parses."""
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        fastavro.parse_schema(schema)
    except (OSError, ValueError, fastavro.schema.SchemaParseException) as e:
        raise SchemaError(f"cannot load Avro schema {path}: {e}") from e
    return json.dumps(schema, separators=(",", ":"))


class Decoder:
    """Decode wire-format Avro into dicts shaped by a reader schema; writer schemas cached by id.

    A record written with a flat schema shaped as the reader's (the same fields, types and
    symbols, in the same order: the publisher's contract) is read by a reader compiled for it
    (`compile_reader`), up to twice as fast as fastavro; anything that reader does not
    read to the end of its fields as fastavro would is read by fastavro, so the records, and
    the errors, are always fastavro's.
    """

    def __init__(self, registry: SchemaRegistryClient, reader_schema: str) -> None:
        self._registry = registry
        self._reader = parse(reader_schema)
        self._reader_shape = shape(json.loads(reader_schema))
        # by id: the parsed writer schema, and a reader compiled for it when it is shaped as the reader
        self._writers: dict[int, tuple[Any, Reader | None]] = {}

    def _writer(self, schema_id: int) -> tuple[Any, Reader | None]:
        writer = self._writers.get(schema_id)
        if writer is None:
            try:
                schema = self._registry.get_schema(schema_id)
            except Exception as e:
                status = getattr(e, "http_status_code", None)
                if status == 404 or "not found" in str(e).lower():
                    raise UndecodableRecord("unknown_schema_id", str(schema_id)) from e
                raise RegistryUnavailable(f"schema registry unavailable: {e}") from e
            try:
                raw = json.loads(schema.schema_str or "")
                parsed = parse(raw)
            except Exception as e:
                raise UndecodableRecord("unknown_schema_id", f"{schema_id}: not an Avro schema") from e
            same = shape(raw) == self._reader_shape
            writer = self._writers[schema_id] = (parsed, compile_reader(raw) if same else None)
        return writer

    def decode(self, data: bytes | None) -> dict[str, Any]:
        """Return the record in data; raise UndecodableRecord or RegistryUnavailable."""
        if not data or len(data) < HEADER.size:
            raise UndecodableRecord("not_avro", "empty or shorter than the wire-format header")
        magic, schema_id = HEADER.unpack_from(data)
        if magic != MAGIC:
            raise UndecodableRecord("not_avro", f"magic byte {magic}")
        writer, fast = self._writer(schema_id)
        if fast is not None:
            try:
                return fast(data, HEADER.size)
            except Exception:  # fastavro reads it, or raises its own error
                pass
        buf = io.BytesIO(data)
        buf.seek(HEADER.size)
        try:
            record = fastavro.schemaless_reader(buf, writer, self._reader)
        except Exception as e:
            raise UndecodableRecord("undecodable", f"{type(e).__name__}: {e}"[:300]) from e
        if not isinstance(record, dict):
            raise UndecodableRecord("undecodable", "not a record")
        return record


class Encoder:
    """Encode dicts as wire-format Avro under a schema's registry id.

    A flat record schema (the contracts) is written by a writer compiled for it
    (`compile_writer`), about three times faster than fastavro's generic one; any record
    that writer does not take exactly as it is (a missing field, a value of another
    type) is written by fastavro, so the bytes, and the errors, are always fastavro's.
    """

    def __init__(self, schema: str, schema_id: int) -> None:
        self.schema_id = schema_id
        self._schema = parse(schema)
        self._header = HEADER.pack(MAGIC, schema_id)
        self._fast = compile_writer(json.loads(schema))

    def encode(self, record: Any) -> bytes:
        if self._fast is not None:
            out = bytearray(self._header)
            try:
                self._fast(record, out)
                return bytes(out)
            except Exception:  # fastavro writes it, or raises its own error
                pass
        return self._generic(record)

    def _generic(self, record: Any) -> bytes:
        buf = io.BytesIO()
        buf.write(self._header)
        fastavro.schemaless_writer(buf, self._schema, record)
        return buf.getvalue()


# -- a writer compiled for one flat record schema -------------------------------------------------

_SMALL: Final = tuple(bytes([n]) if n < 0x80 else bytes([(n & 0x7F) | 0x80, n >> 7]) for n in range(0x4000))
_LONG_MIN: Final = -(2**63)
_LONG_MAX: Final = 2**63 - 1
_INT_MIN: Final = -(2**31)
_INT_MAX: Final = 2**31 - 1


def _varint(n: int) -> bytes:
    """Avro's variable-length encoding of a non-negative number (an already zig-zagged long)."""
    if n < 0x4000:
        return _SMALL[n]
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _long(n: int, low: int = _LONG_MIN, high: int = _LONG_MAX) -> bytes:
    if type(n) is not int or not low <= n <= high:
        raise TypeError("not a long")
    return _varint((n << 1) ^ (n >> 63))


def _int(n: int) -> bytes:
    return _long(n, _INT_MIN, _INT_MAX)


# statements writing `value` (a local) to `out`; `_Bad` ends the fast path, fastavro takes over
_INLINE: Final = {
    "string": [
        "if type(value) is not str: raise _Bad",
        "data = value.encode()",
        "size = len(data) << 1",
        "out += _SMALL[size] if size < 16384 else _varint(size)",
        "out += data",
    ],
    "long": ["out += _long(value)"],
    "int": ["out += _int(value)"],
    "boolean": [
        "if type(value) is not bool: raise _Bad",
        "out += b'\\x01' if value else b'\\x00'",
    ],
}


_PLAIN: Final = frozenset({"type", "logicalType"})  # a primitive written as its plain type


class _Bad(Exception):
    """A value the compiled writer does not write as fastavro would: fastavro writes the record."""


def _kind(avro_type: Any, known: Mapping[str, Any]) -> tuple[str, Any] | None:
    """How a compiled writer or reader handles avro_type: ("plain", name), ("enum", symbols),
    ("nullable", name) for a union of null with one type, or None; names are those in known."""
    if isinstance(avro_type, dict) and avro_type.get("type") in known and set(avro_type) <= _PLAIN:
        avro_type = avro_type["type"]
    if isinstance(avro_type, str) and avro_type in known:
        return "plain", avro_type
    if isinstance(avro_type, dict) and avro_type.get("type") == "enum":
        return "enum", avro_type["symbols"]
    if isinstance(avro_type, list) and len(avro_type) == 2 and avro_type[0] == "null":
        other = avro_type[1]
        if isinstance(other, str) and other in known:
            return "nullable", other
    return None


def _field_writer(name: str, avro_type: Any, env: dict[str, Any]) -> list[str] | None:
    """Lines writing `record[name]` of `avro_type` to `out`, or None for a type not compiled."""
    key = repr(name)
    kind = _kind(avro_type, _INLINE)
    if kind is None:
        return None
    how, what = kind
    if how == "plain":
        return [f"value = record[{key}]", *_INLINE[what]]
    if how == "enum":
        index = f"_enum_{len(env)}"
        env[index] = {symbol: _varint(i << 1) for i, symbol in enumerate(what)}
        return [f"out += {index}[record[{key}]]"]  # KeyError for a value not a symbol
    return [
        f"value = record[{key}]",
        "if value is None:",
        "    out += b'\\x00'",
        "else:",
        "    out += b'\\x02'",
        *(f"    {line}" for line in _INLINE[what]),
    ]


def compile_writer(schema: Any) -> Callable[[Any, bytearray], None] | None:
    """A function appending `record`'s Avro body to `out`, for a record of strings, longs, ints,
    booleans, enums and unions of null with one of those; None for any other schema.

    It takes a record only as fastavro would write it unchanged: every field present, each
    value of its exact type (a string a `str`, a long an `int` in range, never a `bool`),
    an enum's value one of its symbols, a union's `None` or its other type. Anything else
    raises, and the caller hands the record to fastavro.
    """
    if not isinstance(schema, dict) or schema.get("type") != "record":
        return None
    env: dict[str, Any] = {"_long": _long, "_int": _int, "_varint": _varint, "_SMALL": _SMALL, "_Bad": _Bad}
    lines = ["def write(record, out):"]
    for field in schema.get("fields", []):
        body = _field_writer(field["name"], field["type"], env)
        if body is None:
            return None
        lines += [f"    {line}" for line in body]
    exec("\n".join(lines), env)  # source built above, field names quoted by repr
    return cast(Callable[[Any, bytearray], None], env["write"])


# -- a reader compiled for one flat record schema -------------------------------------------------


def shape(schema: Any) -> Any:
    """What decides how a schema's records are read: types, names, symbols (not docs or defaults)."""
    return _without(schema, _NOT_READ)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at pos (at most ten bytes, below 2**64) and the position after it."""
    n = shift = 0
    for i in range(pos, min(pos + 10, len(data))):
        b = data[i]
        n |= (b & 0x7F) << shift
        if b < 0x80:
            if n >> 64:
                raise _Bad
            return n, i + 1
        shift += 7
    raise _Bad


# statements reading a varint at `pos` into `n`
_VARINT: Final = [
    "b = data[pos]",
    "if b < 0x80:",
    "    n = b",
    "    pos += 1",
    "else:",
    "    n, pos = _read_varint(data, pos)",
]
# statements reading `value` of a type at `pos`; `_Bad` (or any error) ends the fast path
_READ: Final = {
    "string": [
        *_VARINT,
        "size = (n >> 1) ^ -(n & 1)",
        "end = pos + size",
        "if size < 0 or end > len(data): raise _Bad",
        "value = data[pos:end].decode()",
        "pos = end",
    ],
    "long": [*_VARINT, "value = (n >> 1) ^ -(n & 1)"],
    "int": [*_VARINT, "value = (n >> 1) ^ -(n & 1)", f"if not {_INT_MIN} <= value <= {_INT_MAX}: raise _Bad"],
    "boolean": ["b = data[pos]", "if b > 1: raise _Bad", "value = b == 1", "pos += 1"],
}


def _field_reader(avro_type: Any, env: dict[str, Any]) -> list[str] | None:
    """Lines reading a value of `avro_type` into `value`, or None for a type not compiled."""
    kind = _kind(avro_type, _READ)
    if kind is None:
        return None
    how, what = kind
    if how == "plain":
        return list(_READ[what])
    if how == "enum":
        symbols = f"_symbols_{len(env)}"
        env[symbols] = tuple(what)
        return [*_VARINT, "i = (n >> 1) ^ -(n & 1)", "if i < 0: raise _Bad", f"value = {symbols}[i]"]
    return [
        *_VARINT,
        "if n == 0:",
        "    value = None",
        "elif n == 2:",
        *(f"    {line}" for line in _READ[what]),
        "else:",
        "    raise _Bad",
    ]


def compile_reader(schema: Any) -> Reader | None:
    """A function reading a record body of `schema` from `data` at `pos`, for a record of the
    types `compile_writer` takes; None for any other schema.

    It returns a record only where fastavro reads the same one: every varint at most ten
    bytes and below 2**64, an int in range, a boolean 0 or 1, a length inside the data, text
    valid UTF-8, an enum index and a union branch that exist. Anything else raises, and the
    caller hands the data to fastavro. Bytes after the last field are left unread, as
    fastavro leaves them.
    """
    if not isinstance(schema, dict) or schema.get("type") != "record":
        return None
    env: dict[str, Any] = {"_read_varint": _read_varint, "_Bad": _Bad}
    lines = ["def read(data, pos):", "    record = {}"]
    for field in schema.get("fields", []):
        body = _field_reader(field["type"], env)
        if body is None:
            return None
        lines += [f"    {line}" for line in body]
        lines.append(f"    record[{field['name']!r}] = value")
    lines.append("    return record")
    exec("\n".join(lines), env)  # source built above, field names quoted by repr
    return cast(Reader, env["read"])
