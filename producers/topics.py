"""Create the pipeline's topics if they are missing."""

from __future__ import annotations

from collections.abc import Iterable

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from producers.errors import ProducerError
from scan_analytics.settings import Settings


def ensure_topic_names(
    bootstrap: str, names: Iterable[str], partitions: int, timeout: float = 30.0
) -> list[str]:
    """Create each topic in names that does not exist; return the ones created."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    try:
        existing = set(admin.list_topics(timeout=timeout).topics)
    except KafkaException as e:
        raise ProducerError(f"cannot reach the broker at {bootstrap}: {e}") from e
    missing = [n for n in dict.fromkeys(names) if n not in existing]
    if not missing:
        return []
    futures = admin.create_topics(
        [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in missing],
        operation_timeout=timeout,
        request_timeout=timeout,
    )
    created = []
    for name, future in futures.items():
        try:
            future.result()
            created.append(name)
        except KafkaException as e:
            if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise ProducerError(f"cannot create topic {name}: {e}") from e
    return created


def ensure_topics(settings: Settings) -> list[str]:
    """Create the raw, enriched and dead-letter topics with settings.topic_partitions partitions."""
    return ensure_topic_names(
        settings.kafka_bootstrap,
        (settings.topic_raw, settings.topic_enriched, settings.topic_dlq),
        settings.topic_partitions,
    )
