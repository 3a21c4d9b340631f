"""The worker's own topics: the internal by-IP topic, and the retention of it and the dead letters."""

from __future__ import annotations

from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
)

import schemas
from scan_analytics.settings import Settings

HOUR_MS = 3_600_000


def internal_topic(settings: Settings) -> str:
    """The topic the router writes batches of keyed scans to (one partition per group of IP keys)."""
    return f"{settings.worker_id}-scans-by-ip"


def ensure_worker_topics(settings: Settings) -> None:
    """Create the internal topic if missing; set the retention of it and of the dead-letter topic."""
    internal = internal_topic(settings)
    retention = {
        internal: settings.internal_retention_hours,
        settings.topic_dlq: settings.dlq_retention_hours,
    }
    schemas.ensure_topics(
        settings.kafka_bootstrap,
        [
            schemas.TopicSpec(
                internal,
                settings.topic_partitions,
                {"retention.ms": str(retention[internal] * HOUR_MS)},
                exact_partitions=True,
            )
        ],
    )
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    resources = [
        ConfigResource(
            ConfigResource.Type.TOPIC,
            name,
            incremental_configs=[
                ConfigEntry("retention.ms", str(hours * HOUR_MS), incremental_operation=AlterConfigOpType.SET)
            ],
        )
        for name, hours in retention.items()
    ]
    for future in admin.incremental_alter_configs(resources).values():
        future.result(timeout=30)
