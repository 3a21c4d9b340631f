"""Route one raw record: decode, validate, enrich, key by client IP; pure apart from the decoder.

The raw IP is used here and nowhere after: the country is looked up, the IP is
replaced by its keyed hash, and the scan travels on as an enriched record plus
that key. Dead letters are re-encoded with the client IP blanked.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import fastavro
import msgspec
from confluent_kafka.schema_registry import SchemaRegistryClient

from schemas import Decoder, InvalidScanEvent, UndecodableRecord, validate_scan_event
from schemas.codec import HEADER, parse
from stream_processors.enrich import Classification, Place
from stream_processors.records import enriched, too_late_cutoff_ms

IP_KEY_BYTES: Final = 12  # 96 bits of HMAC-SHA256: collisions need ~2^48 addresses
BATCH_BYTES: Final = 256 * 1024  # largest internal record: far below the broker's 1 MB
BLANK_IP: Final = ""

_encode = msgspec.json.encode
_decode = msgspec.json.decode

Enricher = Callable[[str | None, str], tuple[Classification, Place | None]]


def ip_key(secret: bytes, ip: str) -> str:
    """The keyed hash that stands for a client IP in every topic and table of the worker."""
    return hmac.new(secret, ip.encode(), hashlib.sha256).hexdigest()[: 2 * IP_KEY_BYTES]


def partition_of(key: str, partitions: int) -> int:
    """Partition of the internal topic that holds every scan of an IP key."""
    return int(key[:8], 16) % partitions


@dataclass(frozen=True, slots=True)
class Scan:
    """A valid scan, enriched as if human-looking by rate, with its IP key and internal partition."""

    record: dict[str, Any]
    ip_key: str
    partition: int


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """Input set aside: why, and the value to keep (client IP blanked where it can be found)."""

    reason: str
    detail: str
    value: bytes | None


def blank_ip(value: bytes, writer: Any, record: dict[str, Any]) -> bytes:
    """Re-encode a decoded record under its (parsed) writer schema with the client IP blanked."""
    if "client_ip" not in record:
        return value
    buf = io.BytesIO()
    buf.write(value[: HEADER.size])
    try:
        fastavro.schemaless_writer(buf, writer, {**record, "client_ip": BLANK_IP})
    except (ValueError, TypeError, AttributeError):
        return undecodable_value(value)
    return buf.getvalue()


def undecodable_value(value: bytes | None) -> bytes:
    """What is kept of a record that does not decode: it may hold an IP that cannot be located."""
    data = value or b""
    return json.dumps({"length": len(data), "sha256": hashlib.sha256(data).hexdigest()}).encode()


class Router:
    """Decode, validate, check lateness, enrich and key one raw record."""

    def __init__(
        self,
        registry: SchemaRegistryClient,
        reader_schema: str,
        enrich: Enricher,
        secret: bytes,
        partitions: int,
        late_horizon_days: int,
    ) -> None:
        self.registry = registry
        self.decoder = Decoder(registry, reader_schema)
        self._writers: dict[int, Any] = {}
        self.enrich = enrich
        self.secret = secret
        self.partitions = partitions
        self.late_horizon_days = late_horizon_days

    def _blank(self, value: bytes, record: dict[str, Any]) -> bytes:
        schema_id = HEADER.unpack_from(value)[1]
        writer = self._writers.get(schema_id)
        if writer is None:  # the registry answered for this id moments ago, in decode
            schema = self.registry.get_schema(schema_id)
            writer = self._writers[schema_id] = parse(schema.schema_str or "")
        return blank_ip(value, writer, record)

    def route(self, value: bytes | None, written_ms: int) -> Scan | DeadLetter:
        """Route one record written to the log at written_ms; RegistryUnavailable propagates.

        "Now" is the record's own timestamp in the log, not the wall clock, so a
        replay decides the future and too-late limits exactly as the first pass did.
        """
        try:
            decoded = self.decoder.decode(value)
        except UndecodableRecord as e:
            return DeadLetter(e.reason, e.detail, undecodable_value(value))
        assert value is not None
        try:
            valid = validate_scan_event(decoded, now_ms=written_ms)
        except InvalidScanEvent as e:
            return DeadLetter(e.reason, f"{e.field}: {e.detail}"[:500], self._blank(value, decoded))
        cutoff = too_late_cutoff_ms(written_ms, self.late_horizon_days)
        if valid["occurred_at"] < cutoff:
            return DeadLetter("too_late", f"occurred_at before {cutoff} ms", self._blank(value, decoded))
        ip = valid["client_ip"]
        cls, country = self.enrich(valid["user_agent"], ip)
        key = ip_key(self.secret, ip)
        return Scan(
            enriched(dict(valid), cls, country, rate_bot=False), key, partition_of(key, self.partitions)
        )


def pack(scans: Iterable[Scan], limit: int = BATCH_BYTES) -> Iterator[tuple[int, bytes]]:
    """Group scans by internal partition into JSON records of at most limit bytes (one scan may exceed)."""
    groups: dict[int, list[bytes]] = {}
    sizes: dict[int, int] = {}
    for scan in scans:
        item = _encode((scan.ip_key, scan.record))
        part = groups.setdefault(scan.partition, [])
        if part and sizes[scan.partition] + len(item) + 1 > limit:
            yield scan.partition, b"[" + b",".join(part) + b"]"
            part.clear()
            sizes[scan.partition] = 0
        part.append(item)
        sizes[scan.partition] = sizes.get(scan.partition, 0) + len(item) + 1
    for partition, part in groups.items():
        if part:
            yield partition, b"[" + b",".join(part) + b"]"


def unpack(value: bytes | None) -> list[tuple[str, dict[str, Any]]]:
    """The (IP key, enriched record) pairs of one internal record."""
    return [(k, r) for k, r in _decode(value or b"[]")]
