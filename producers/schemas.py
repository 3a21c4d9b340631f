"""The Avro contracts: load them, name their subjects, register them with the registry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import fastavro
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from producers.errors import SchemaError
from scan_analytics.settings import Settings

SCAN_EVENT_FILE: Final = "scan_event.avsc"
ENRICHED_SCAN_EVENT_FILE: Final = "enriched_scan_event.avsc"
COMPATIBILITY: Final = "BACKWARD"


def value_subject(topic: str) -> str:
    """Return the topic-name-strategy subject of a topic's values."""
    return f"{topic}-value"


def load_schema(path: Path) -> str:
    """Return the schema in path as compact JSON, after checking that it parses."""
    try:
        text = path.read_text(encoding="utf-8")
        schema = json.loads(text)
        fastavro.parse_schema(schema)
    except (OSError, ValueError, fastavro.schema.SchemaParseException) as e:
        raise SchemaError(f"cannot load Avro schema {path}: {e}") from e
    return json.dumps(schema, separators=(",", ":"))


def registry_client(url: str) -> SchemaRegistryClient:
    return SchemaRegistryClient({"url": url})


@dataclass(frozen=True, slots=True)
class Registered:
    subject: str
    schema_id: int
    version: int


def register(
    client: SchemaRegistryClient, subject: str, schema_text: str, compatibility: str = COMPATIBILITY
) -> Registered:
    """Set the subject's compatibility, then register the schema (a no-op if already there)."""
    try:
        client.set_compatibility(subject, compatibility)
        schema = Schema(schema_text, "AVRO")
        schema_id = client.register_schema(subject, schema, normalize_schemas=True)
        version = client.lookup_schema(subject, schema, normalize_schemas=True).version
    except SchemaRegistryError as e:
        raise SchemaError(f"registry refused {subject}: {e.error_message} (HTTP {e.http_status_code})") from e
    except Exception as e:  # connection errors surface as requests/httpx exceptions
        raise SchemaError(f"cannot reach the schema registry for {subject}: {e}") from e
    return Registered(subject, schema_id, int(version or 0))


def register_contracts(settings: Settings) -> list[Registered]:
    """Register ScanEvent and EnrichedScanEvent under their topics' subjects, compatibility BACKWARD."""
    avro = settings.schemas_dir / "avro"
    client = registry_client(settings.schema_registry_url)
    return [
        register(client, value_subject(settings.topic_raw), load_schema(avro / SCAN_EVENT_FILE)),
        register(
            client, value_subject(settings.topic_enriched), load_schema(avro / ENRICHED_SCAN_EVENT_FILE)
        ),
    ]
