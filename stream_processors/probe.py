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
    """Asks the broker with a consumer of its own, a new one for each question.

    A consumer kept between questions could hand out a record it fetched for an earlier
    question about the same partition (from a later offset), which would make a hole of
    records that exist; a new consumer has nothing fetched. Questions are rare: a record
    arriving ahead of the expected one, a partition that seems stalled, a transaction's marker.
    """

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap

    def first(self, topic: str, partition: int, offset: int, timeout: float = 10.0) -> int | None:
        """The offset of the first record of topic:partition at or after offset; None if none came.

        Blocking: run it in a thread. Records of aborted transactions count as records, as
        for the worker's own consumer (which reads uncommitted).
        """
        consumer = Consumer(
            {
                "bootstrap.servers": self._bootstrap,
                "group.id": f"scan-worker-probe-{uuid.uuid4()}",
                "enable.auto.commit": False,
                "auto.offset.reset": "error",  # an offset gone from the log is no answer
                "isolation.level": "read_uncommitted",
                "fetch.wait.max.ms": 10,
                "log_level": 0,
            }
        )
        try:
            consumer.assign([TopicPartition(topic, partition, offset)])
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
            consumer.close()

    def close(self) -> None:
        """Nothing is kept between questions."""
