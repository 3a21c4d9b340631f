"""The pipeline's topics and the one routine that creates them."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from schemas.errors import ContractError


class TopicError(ContractError):
    """A topic could not be listed or created, or exists with other partitions than required."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic to create: name, partitions, topic-level configuration (e.g. retention.ms)."""

    name: str
    partitions: int
    config: Mapping[str, str] = field(default_factory=dict)
    exact_partitions: bool = False  # refuse an existing topic with another partition count


def ensure_topics(bootstrap: str, specs: Iterable[TopicSpec], timeout: float = 30.0) -> list[str]:
    """Create each topic of specs that does not exist and wait until it is visible; return those created.

    A topic created meanwhile by someone else counts as existing. A spec with
    `exact_partitions` raises TopicError when its topic has another partition count.
    """
    wanted = {s.name: s for s in specs}
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
    try:
        existing = admin.list_topics(timeout=timeout).topics
    except KafkaException as e:
        raise TopicError(f"cannot reach the broker at {bootstrap}: {e}") from e
    missing = [s for s in wanted.values() if s.name not in existing]
    created: list[str] = []
    if missing:
        futures = admin.create_topics(
            [
                NewTopic(s.name, num_partitions=s.partitions, replication_factor=1, config=dict(s.config))
                for s in missing
            ],
            operation_timeout=timeout,
            request_timeout=timeout,
        )
        for name, future in futures.items():
            try:
                future.result()
                created.append(name)
            except KafkaException as e:
                if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise TopicError(f"cannot create topic {name}: {e}") from e
        deadline = time.monotonic() + timeout
        while True:  # metadata shows new topics after a moment
            existing = admin.list_topics(timeout=timeout).topics
            if all(n in existing and existing[n].partitions for n in wanted):
                break
            if time.monotonic() > deadline:
                raise TopicError(f"topics not visible after {timeout:.0f} s: {sorted(wanted)}")
            time.sleep(0.2)
    for spec in wanted.values():
        have = len(existing[spec.name].partitions)
        if spec.exact_partitions and have != spec.partitions:
            raise TopicError(f"topic {spec.name} has {have} partitions, {spec.partitions} are required")
    return created
