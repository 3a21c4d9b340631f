"""Publish ScanEvents to Kafka in the Confluent wire format: the library the resolver imports.

Validation and serialization happen before anything is queued, so a bad scan
raises InvalidScanEvent and nothing of it is sent. `publish` never waits for
the broker; delivery is reported to a callback and in `stats`.

Overflow policy: librdkafka's local queue holds at most `max_queued_messages`.
When it is full, `Overflow.BLOCK` (the default) serves delivery reports and
retries for up to `block_timeout` seconds, then raises QueueFullError;
`Overflow.RAISE` raises QueueFullError at once. A scan that raised was not queued.

A queued scan the broker has not acknowledged within `delivery_timeout_ms`
fails: it is counted in `stats.failed`, reported to `on_delivery` with its
error and its encoded bytes, and, with `spool_path` set, appended to the spool
file, from which `republish_spool` sends it again later (see `producers.spool`).

One publisher per process, shared by its threads: librdkafka's producer and the
encoder are thread-safe, and so are the counters.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

from confluent_kafka import KafkaError, KafkaException, Message, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient

import schemas
from producers.errors import DeliveryError, InvalidScanEvent, PublishError, QueueFullError, SchemaError
from producers.spool import Spool, SpooledScan

log = logging.getLogger(__name__)
# Serve delivery reports every this many scans: often enough to keep the queue
# moving, rarely enough not to cost a call per scan.
POLL_EVERY = 32


class Overflow(StrEnum):
    BLOCK = "block"
    RAISE = "raise"


@dataclass(frozen=True, slots=True)
class PublisherConfig:
    """Everything the publisher needs; the resolver builds it from its own configuration."""

    bootstrap_servers: str
    schema_registry_url: str
    topic: str = "scans.raw"
    auto_register_schemas: bool = True
    schema_path: Path | None = None  # the ScanEvent contract; None: the one shipped with `schemas`
    spool_path: Path | None = None  # where undelivered scans are kept; None: reported only
    max_queued_messages: int = 100_000
    overflow: Overflow = Overflow.BLOCK
    block_timeout: float = 10.0
    compression: str = "zstd"
    linger_ms: int = 20
    batch_size: int = 1_000_000
    delivery_timeout_ms: int = 300_000
    client_id: str = "scan-publisher"
    extra: Mapping[str, Any] = field(default_factory=dict)  # more librdkafka properties

    def producer_config(self) -> dict[str, Any]:
        return {
            "bootstrap.servers": self.bootstrap_servers,
            "client.id": self.client_id,
            "enable.idempotence": True,
            "acks": "all",
            "compression.type": self.compression,
            "linger.ms": self.linger_ms,
            "batch.size": self.batch_size,
            "queue.buffering.max.messages": self.max_queued_messages,
            "delivery.timeout.ms": self.delivery_timeout_ms,
            # The Java client's partitioner, so producers in any language agree on key -> partition.
            "partitioner": "murmur2_random",
            **self.extra,
        }

    def schema_text(self) -> str:
        try:
            if self.schema_path is None:
                return schemas.schema_text(schemas.SCAN_EVENT)
            return schemas.schema_text(self.schema_path.stem, self.schema_path.parent)
        except schemas.SchemaError as e:
            raise SchemaError(str(e)) from e


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """The broker's answer for one scan; a failed one carries the bytes to send again."""

    event_id: str
    topic: str
    partition: int
    offset: int
    error: str | None
    key: bytes | None = None
    value: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class PublisherStats:
    """Counters since the publisher was created."""

    queued: int = 0
    delivered: int = 0
    failed: int = 0  # not acknowledged by the broker within the delivery timeout
    spooled: int = 0  # failed and written to the spool file
    rejected: int = 0  # invalid scans, never queued
    overflowed: int = 0  # QueueFullError raised, never queued

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DeliveryCallback = Callable[[DeliveryReport], None]


class ScanPublisher:
    """Validate, serialize and queue scans; key = the 14-digit GTIN."""

    def __init__(
        self,
        config: PublisherConfig,
        on_delivery: DeliveryCallback | None = None,
        *,
        producer: Producer | None = None,
        registry: SchemaRegistryClient | None = None,
    ) -> None:
        self.config = config
        self.stats = PublisherStats()
        self._lock = threading.Lock()  # counters are updated from several threads
        self._on_delivery = on_delivery
        self._closed = False
        self._schema_text = config.schema_text()
        self._registry = registry or schemas.registry_client(config.schema_registry_url)
        self._subject = schemas.value_subject(config.topic)
        self._encoder: schemas.Encoder | None = None  # the schema id is fetched on first use
        self._spool = Spool(config.spool_path) if config.spool_path is not None else None
        if producer is None:
            producer = Producer({**config.producer_config(), "error_cb": self._on_error})
        self._producer = producer

    # -- publishing --------------------------------------------------------

    def publish(self, record: Mapping[str, Any]) -> str:
        """Validate and queue one scan; return its normalised event_id. Never waits for the broker."""
        key, value, event_id = self.encode(record)
        self._produce(key, value, event_id)
        return event_id

    def encode(self, record: Mapping[str, Any]) -> tuple[bytes, bytes, str]:
        """Return (key, Confluent-framed value, event_id) for a scan, or raise InvalidScanEvent."""
        try:
            scan = schemas.validate_scan_event(record, now_ms=schemas.now_millis())
        except schemas.InvalidScanEvent as e:
            self._count("rejected")
            raise InvalidScanEvent(e.field, e.reason, e.detail) from None
        return scan["gtin"].encode(), self.encode_unchecked(scan), scan["event_id"]

    def _get_encoder(self) -> schemas.Encoder:
        encoder = self._encoder
        if encoder is None:
            try:
                encoder = schemas.encoder(
                    self._registry,
                    self._subject,
                    self._schema_text,
                    auto_register=self.config.auto_register_schemas,
                )
            except schemas.SchemaError as e:
                raise SchemaError(f"{e} (registry {self.config.schema_registry_url})") from e
            self._encoder = encoder
        return encoder

    def encode_unchecked(self, record: Mapping[str, Any]) -> bytes:
        """Serialize a record without validating it (tools and tests that need invalid data)."""
        encoder = self._get_encoder()
        try:
            return encoder.encode(record)
        except (TypeError, ValueError, AttributeError, KeyError) as e:
            raise PublishError(f"cannot serialize the scan: {type(e).__name__}: {e}") from e

    def publish_raw(self, key: bytes | str | None, value: bytes, event_id: str = "") -> None:
        """Queue bytes as they are, bypassing validation and serialization (dead-letter tests)."""
        self._produce(key.encode() if isinstance(key, str) else key, value, event_id)

    def _produce(self, key: bytes | None, value: bytes, event_id: str) -> None:
        if self._closed:
            raise PublishError("the publisher is closed")
        callback = self.delivery_callback(event_id)
        deadline: float | None = None
        while not self.try_produce(key, value, callback):
            if self.config.overflow is Overflow.RAISE:
                self.queue_full()
            now = time.monotonic()
            deadline = deadline or now + self.config.block_timeout
            if now >= deadline:
                self.queue_full()
            self._producer.poll(0.05)
        if self.stats.queued % POLL_EVERY == 0:
            self._producer.poll(0)

    def try_produce(
        self, key: bytes | None, value: bytes, callback: Callable[[KafkaError | None, Message], None]
    ) -> bool:
        """Queue one message; return False when the local queue is full."""
        try:
            self._producer.produce(self.config.topic, value=value, key=key, on_delivery=callback)
        except BufferError:
            return False
        except KafkaException as e:
            raise PublishError(f"cannot queue the scan: {e}") from e
        self._count("queued")
        return True

    def _count(self, counter: str) -> None:
        with self._lock:
            setattr(self.stats, counter, getattr(self.stats, counter) + 1)

    def queue_full(self) -> NoReturn:
        """Count an overflow and raise QueueFullError."""
        self._count("overflowed")
        raise QueueFullError(
            f"local queue full ({self.config.max_queued_messages} messages); the broker is slow or away"
        )

    # -- delivery ----------------------------------------------------------

    def delivery_callback(
        self, event_id: str, also: DeliveryCallback | None = None
    ) -> Callable[[KafkaError | None, Message], None]:
        """Return the librdkafka callback that counts a delivery and reports it (to `also` too)."""
        return functools.partial(self._delivered, event_id, also)

    def _delivered(
        self, event_id: str, also: DeliveryCallback | None, err: KafkaError | None, msg: Message
    ) -> None:
        if err is None:
            self._count("delivered")
            if self._on_delivery is None and also is None:
                return
            failed = None
        else:
            self._count("failed")
            failed = str(err)
            log.warning("scan %s not delivered: %s", event_id, err)
            if self._spool is not None:
                self._spool.append(SpooledScan(event_id, msg.key(), msg.value() or b"", failed))
                self._count("spooled")
        offset, partition = msg.offset(), msg.partition()
        report = DeliveryReport(
            event_id,
            msg.topic() or self.config.topic,
            -1 if partition is None else partition,
            -1 if offset is None else offset,
            failed,
            None if failed is None else msg.key(),
            None if failed is None else msg.value(),
        )
        if self._on_delivery is not None:
            self._on_delivery(report)
        if also is not None:
            also(report)

    def _on_error(self, err: KafkaError) -> None:
        # Broker-level trouble (e.g. all brokers down) is retried by librdkafka; fatal errors are not.
        if err.fatal():
            log.error("publisher fatal error: %s", err)
        else:
            log.info("publisher: %s", err)

    def republish_spool(self, timeout: float = 30.0) -> int:
        """Queue every spooled scan again, wait for their delivery; return how many were queued.

        Scans that fail again go back to the spool. Raises DeliveryError when some
        are still in flight after `timeout`; the replay file is then kept.
        """
        if self._spool is None:
            raise PublishError("no spool_path configured")
        count = 0
        for scan in self._spool.take():
            self._produce(scan.key, scan.value, scan.event_id)
            count += 1
        remaining = self.flush(timeout)
        if remaining:
            raise DeliveryError(f"{remaining} replayed scan(s) still undelivered after {timeout:g} s")
        self._spool.done()
        return count

    def spooled(self) -> int:
        """Return how many scans wait in the spool file (0 without one)."""
        return 0 if self._spool is None else len(self._spool)

    def poll(self, timeout: float = 0.0) -> int:
        """Serve delivery reports; return how many were served."""
        return int(self._producer.poll(timeout))

    @property
    def closed(self) -> bool:
        return self._closed

    def pending(self) -> int:
        """Return how many scans are queued or in flight."""
        return len(self._producer)

    def flush(self, timeout: float = 30.0) -> int:
        """Wait until every queued scan is delivered or failed; return how many are still pending."""
        return int(self._producer.flush(timeout))

    def close(self, timeout: float = 30.0) -> None:
        """Flush and refuse further scans; raise DeliveryError if some are still pending."""
        if self._closed:
            return
        self._closed = True
        remaining = self.flush(timeout)
        if remaining:
            raise DeliveryError(f"{remaining} scan(s) still undelivered after {timeout:g} s")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._closed = True
            self.flush()
