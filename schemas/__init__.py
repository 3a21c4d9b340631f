"""The event contract shared by the publisher and the worker.

The Avro files in `schemas/avro` and the SQL migrations in `schemas/sql` are the
contract's text; this package is its code: the typed events, validation, the
one Confluent wire-format codec, the registry subjects and the topics.
"""

from schemas.codec import (
    ENRICHED_SCAN_EVENT,
    ENRICHED_SCAN_EVENT_FILE,
    SCAN_EVENT,
    SCAN_EVENT_FILE,
    Decoder,
    Encoder,
    load_schema,
    schema_text,
)
from schemas.errors import (
    ContractError,
    InvalidScanEvent,
    RegistryUnavailable,
    SchemaError,
    UndecodableRecord,
)
from schemas.events import EnrichedScanEvent, ScanEvent
from schemas.registry import (
    COMPATIBILITY,
    Registered,
    encoder,
    register,
    registry_client,
    schema_id,
    value_subject,
)
from schemas.topics import TopicError, TopicSpec, ensure_topics
from schemas.validation import normalize_gtin, now_millis, to_millis, validate_scan_event

__all__ = [
    "COMPATIBILITY",
    "ENRICHED_SCAN_EVENT",
    "ENRICHED_SCAN_EVENT_FILE",
    "SCAN_EVENT",
    "SCAN_EVENT_FILE",
    "ContractError",
    "Decoder",
    "Encoder",
    "EnrichedScanEvent",
    "InvalidScanEvent",
    "Registered",
    "RegistryUnavailable",
    "ScanEvent",
    "SchemaError",
    "TopicError",
    "TopicSpec",
    "UndecodableRecord",
    "encoder",
    "ensure_topics",
    "load_schema",
    "normalize_gtin",
    "now_millis",
    "register",
    "registry_client",
    "schema_id",
    "schema_text",
    "to_millis",
    "validate_scan_event",
    "value_subject",
]
