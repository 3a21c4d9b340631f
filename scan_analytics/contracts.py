"""The contract as this deployment configures it: topics, subjects, the publisher's settings.

Also the `schemas register` and `topics create` commands.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

import schemas
from producers import PublisherConfig
from scan_analytics.settings import Settings


def topic_specs(settings: Settings) -> list[schemas.TopicSpec]:
    """The raw, enriched and dead-letter topics with the configured partitions.

    The enriched topic must have exactly that many partitions: the worker's
    tables are partitioned alike.
    """
    n = settings.topic_partitions
    return [
        schemas.TopicSpec(settings.topic_raw, n),
        schemas.TopicSpec(settings.topic_enriched, n, exact_partitions=True),
        schemas.TopicSpec(settings.topic_dlq, n),
    ]


def ensure_topics(settings: Settings) -> list[str]:
    """Create the missing topics of `topic_specs`; return the ones created."""
    return schemas.ensure_topics(settings.kafka_bootstrap, topic_specs(settings))


def scratch_names(tag: str) -> dict[str, str]:
    """The topics and worker id of a scratch pipeline (tests, benchmarks), each with `tag` in it."""
    return {
        "topic_raw": f"scans.raw.{tag}",
        "topic_enriched": f"scans.enriched.{tag}",
        "topic_dlq": f"scans.dlq.{tag}",
        "worker_id": f"scan-analytics-{tag}",
    }


def drop_topics(settings: Settings, *others: str) -> list[str]:
    """Delete a pipeline's topics: raw, enriched, dead letters, the worker's own (its id's prefix), others.

    For scratch pipelines (tests, benchmarks); returns the names deleted.
    """
    own = (settings.topic_raw, settings.topic_enriched, settings.topic_dlq, *others)
    return delete_topics(
        settings.kafka_bootstrap, lambda t: t in own or t.startswith(f"{settings.worker_id}-")
    )


def delete_topics(bootstrap: str, which: Callable[[str], bool]) -> list[str]:
    """Delete the broker's topics whose names `which` accepts; returns the names deleted."""
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
    topics = [t for t in admin.list_topics(timeout=10).topics if which(t)]
    for future in admin.delete_topics(topics, operation_timeout=30).values() if topics else ():
        with contextlib.suppress(KafkaException):  # deleted meanwhile
            future.result()
    return topics


def register_contracts(settings: Settings) -> list[schemas.Registered]:
    """Register ScanEvent and EnrichedScanEvent under their topics' subjects, compatibility BACKWARD."""
    avro = settings.schemas_dir / "avro"
    client = schemas.registry_client(settings.schema_registry_url)
    return [
        schemas.register(client, schemas.value_subject(topic), schemas.schema_text(name, avro))
        for topic, name in (
            (settings.topic_raw, schemas.SCAN_EVENT),
            (settings.topic_enriched, schemas.ENRICHED_SCAN_EVENT),
        )
    ]


def publisher_config(settings: Settings, **overrides: Any) -> PublisherConfig:
    """The publisher's configuration for the raw topic from the project's settings."""
    base: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "schema_registry_url": settings.schema_registry_url,
        "schema_path": settings.schemas_dir / "avro" / f"{schemas.SCAN_EVENT}.avsc",
        "topic": settings.topic_raw,
        "auto_register_schemas": settings.auto_register_schemas,
    }
    return PublisherConfig(**(base | overrides))


def _schemas(args: argparse.Namespace, settings: Settings) -> int:
    for r in register_contracts(settings):
        print(f"{r.subject}: id {r.schema_id}, version {r.version}, compatibility {schemas.COMPATIBILITY}")
    return 0


def _topics(args: argparse.Namespace, settings: Settings) -> int:
    created = ensure_topics(settings)
    for name in created:
        print(f"created {name} ({settings.topic_partitions} partitions)")
    if not created:
        print("all topics exist")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser(
        "schemas",
        help="register the Avro contracts with the schema registry",
        description="Register ScanEvent and EnrichedScanEvent under the subjects of the raw and "
        "enriched topics (topic-name strategy) and set their compatibility to BACKWARD. Run at deploy "
        "when auto-registration is off (SCAN_ANALYTICS_AUTO_REGISTER_SCHEMAS=false); idempotent.",
    )
    s.add_argument("action", choices=["register"], help="register: register both contracts")
    s.set_defaults(func=_schemas)

    t = sub.add_parser(
        "topics",
        help="create the raw, enriched and dead-letter topics if missing",
        description="Create the raw, enriched and dead-letter topics with SCAN_ANALYTICS_TOPIC_PARTITIONS "
        "partitions (replication factor 1) unless they exist; an enriched topic with another partition "
        "count is refused.",
    )
    t.add_argument("action", choices=["create"], help="create: create the missing topics")
    t.set_defaults(func=_topics)
