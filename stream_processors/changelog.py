"""A faust table whose changelog records go through the worker's confluent-kafka producer.

faust sends each table change through its own aiokafka producer (`Table.on_key_set` ->
`send_changelog` -> `Topic.send_soon`, a future and a pending message each, then
aiokafka's pure-Python batching): about 40 µs a change on the development machine,
the largest single cost of the classify agent. librdkafka queues a record in about a
microsecond. The records are the same: same topic, partition, key bytes (the table's
key serializer, as faust's store writes them) and value bytes.

What faust did after a change was sent, this class does too: once a change is delivered
its offset becomes the partition's persisted offset in the store (`persist()`, called
after the producer's flush), so a restart recovers only the changelog records after it.
What it leaves out: faust's key expiry bookkeeping (the worker's tables have no
`expires`; old windows are deleted by `stream_processors.expiry`) and the table
sensors (the worker runs no faust monitor).

Nothing is lost at a crash: the agents flush the producer before faust acknowledges a
batch, so a batch's changes are in the changelog before its offsets can commit, as with
faust's own producer (which faust flushes before committing).
"""

from __future__ import annotations

from typing import Any

import faust
from confluent_kafka import Message
from faust.types import TP

from stream_processors.output import Output


class ConfluentChangelogTable(faust.Table[Any, bytes]):
    """`faust.Table` with its changelog written by `output` (set before the agents run)."""

    output: Output | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._delivered: dict[int, int] = {}  # changelog partition -> newest delivered offset

    def on_key_set(self, key: Any, value: Any) -> None:
        self._log(key, value)

    def on_key_del(self, key: Any) -> None:
        self._log(key, None)

    def _log(self, key: Any, value: Any) -> None:
        if self.output is None:
            raise RuntimeError(f"table {self.name}: no producer for the changelog")
        partition = self.partition_for_key(key)  # the current event's partition
        if partition is None:
            raise RuntimeError(f"table {self.name}: changed outside of an agent")
        topic = self.changelog_topic
        key_bytes, _ = topic.prepare_key(key, self.key_serializer)
        value_bytes = None if value is None else topic.prepare_value(value, self.value_serializer)[0]
        self.output.send(
            topic.get_topic_name(),
            value_bytes,
            key=key_bytes,
            partition=partition,
            delivered=self._on_delivered,
        )

    def _on_delivered(self, msg: Message) -> None:
        partition, offset = msg.partition(), msg.offset()
        if partition is not None and offset is not None and offset > self._delivered.get(partition, -1):
            self._delivered[partition] = offset

    def persist(self) -> None:
        """Record the newest delivered changelog offset of each partition in the store."""
        topic = self.changelog_topic.get_topic_name()
        for partition, offset in self._delivered.items():
            self.data.set_persisted_offset(TP(topic, partition), offset)
        self._delivered.clear()


def changelog_table(output: Output) -> type[ConfluentChangelogTable]:
    """The table class for `faust.App(Table=...)`, its changelog written by `output`."""
    return type("ConfluentChangelogTable", (ConfluentChangelogTable,), {"output": output})
