"""Create the worker's external topics with explicit partition counts."""

from __future__ import annotations

import time

from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from scan_analytics.settings import Settings
from stream_processors.errors import StreamProcessorError, TopicMismatch


def ensure_topics(settings: Settings, timeout: float = 30.0) -> None:
    """Create raw, enriched and dead-letter topics if missing; check partition counts of the rest."""
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    wanted = {settings.topic_raw: settings.topic_partitions,
              settings.topic_enriched: settings.topic_partitions,
              settings.topic_dlq: settings.topic_partitions}
    try:
        existing = admin.list_topics(timeout=timeout).topics
    except Exception as e:
        raise StreamProcessorError(f"Kafka at {settings.kafka_bootstrap} unreachable: {e}") from e
    missing = [NewTopic(t, num_partitions=n, replication_factor=1)
               for t, n in wanted.items() if t not in existing]
    if missing:
        for topic, future in admin.create_topics(missing, operation_timeout=timeout).items():
            try:
                future.result()
            except Exception as e:
                if "TOPIC_ALREADY_EXISTS" not in str(e):
                    raise StreamProcessorError(f"cannot create topic {topic}: {e}") from e
        deadline = time.monotonic() + timeout
        while True:  # metadata shows new topics after a moment
            existing = admin.list_topics(timeout=timeout).topics
            if all(t in existing and existing[t].partitions for t in wanted):
                break
            if time.monotonic() > deadline:
                raise StreamProcessorError(f"topics not visible after {timeout:.0f} s: {sorted(wanted)}")
            time.sleep(0.2)
    for topic in (settings.topic_enriched,):  # stage C tables are co-partitioned with it
        have = len(existing[topic].partitions)
        if have != settings.topic_partitions:
            raise TopicMismatch(
                f"topic {topic} has {have} partitions, settings say {settings.topic_partitions} "
                "(SCAN_ANALYTICS_TOPIC_PARTITIONS)")
