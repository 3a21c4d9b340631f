"""Where a partition's next record really is: the broker asked, past offsets that hold none.

A partition's offsets can have holes that are no skipped record: the commit markers of a
producer writing in transactions (one offset per transaction), records removed by compaction
or retention. Consumers never see those offsets, so the worker's `Order`, which takes any
jump for a skip, would seek back and wait for a record that cannot come (a minute, then give
up), once per transaction. `FirstOffsets.first` reads the partition from the expected
offset with a consumer of its own (no group, nothing committed) and returns the offset of
the first record there: above the expected one, the offsets between are a hole to step over.
"""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, TopicPartition


class FirstOffsets:
    """One small consumer, created on first use, assigned anew for each question."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._consumer: Consumer | None = None

    def first(self, topic: str, partition: int, offset: int, timeout: float = 10.0) -> int | None:
        """The offset of the first record of topic:partition at or after offset; None if none came.

        Blocking: run it in a thread. Records of aborted transactions count as records, as
        for the worker's own consumer (which reads uncommitted).
        """
        if self._consumer is None:
            self._consumer = Consumer(
                {
                    "bootstrap.servers": self._bootstrap,
                    "group.id": f"scan-worker-probe-{uuid.uuid4()}",
                    "enable.auto.commit": False,
                    "isolation.level": "read_uncommitted",
                    "fetch.wait.max.ms": 10,
                    "log_level": 0,
                }
            )
        consumer = self._consumer
        consumer.assign([TopicPartition(topic, partition, offset)])
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                message = consumer.poll(0.2)
                if message is None or message.error():
                    continue
                at = message.offset()
                same = (message.topic(), message.partition()) == (topic, partition)
                if same and at is not None and at >= offset:
                    return at
            return None
        finally:
            consumer.unassign()

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
