"""The contracts in the schema registry: subjects, registration, look-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from schemas.codec import Encoder
from schemas.errors import RegistryUnavailable, SchemaError

COMPATIBILITY: Final = "BACKWARD"


def value_subject(topic: str) -> str:
    """Return the topic-name-strategy subject of a topic's values."""
    return f"{topic}-value"


def registry_client(url: str) -> SchemaRegistryClient:
    return SchemaRegistryClient({"url": url})


@dataclass(frozen=True, slots=True)
class Registered:
    subject: str
    schema_id: int
    version: int


def _refused(subject: str, e: Exception) -> SchemaError:
    if isinstance(e, SchemaRegistryError) and 400 <= e.http_status_code < 500:
        return SchemaError(f"registry refused {subject}: {e.error_message} (HTTP {e.http_status_code})")
    return RegistryUnavailable(f"cannot reach the schema registry for {subject}: {e}")


def register(
    client: SchemaRegistryClient, subject: str, schema_text: str, compatibility: str = COMPATIBILITY
) -> Registered:
    """Set the subject's compatibility, then register the schema (a no-op if already there)."""
    try:
        client.set_compatibility(subject, compatibility)
        schema = Schema(schema_text, "AVRO")
        schema_id = client.register_schema(subject, schema, normalize_schemas=True)
        version = client.lookup_schema(subject, schema, normalize_schemas=True).version
    except Exception as e:  # connection errors surface as the HTTP client's own exceptions
        raise _refused(subject, e) from e
    return Registered(subject, schema_id, int(version or 0))


def schema_id(client: SchemaRegistryClient, subject: str, schema_text: str, *, auto_register: bool) -> int:
    """Return the id of schema_text under subject: registered when auto_register, else looked up.

    Raises SchemaError when the schema is not registered and auto_register is off,
    RegistryUnavailable when the registry does not answer.
    """
    schema = Schema(schema_text, "AVRO")
    try:
        if auto_register:
            return int(client.register_schema(subject, schema, normalize_schemas=True))
        return int(client.lookup_schema(subject, schema, normalize_schemas=True).schema_id or 0)
    except SchemaRegistryError as e:
        if e.http_status_code == 404:
            raise SchemaError(
                f"schema for {subject} is not registered and auto-registration is off: "
                "register it first (`scan-analytics schemas register`)"
            ) from e
        raise _refused(subject, e) from e
    except Exception as e:
        raise _refused(subject, e) from e


def encoder(client: SchemaRegistryClient, subject: str, schema_text: str, *, auto_register: bool) -> Encoder:
    """Return an Encoder for schema_text under its id in subject (see `schema_id`)."""
    return Encoder(schema_text, schema_id(client, subject, schema_text, auto_register=auto_register))
