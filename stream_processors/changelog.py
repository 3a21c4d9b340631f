"""A faust table written once per batch: changes staged in memory, logged and stored together.

faust writes each table change twice as it happens (`Table.__setitem__`): a changelog
record through its own aiokafka producer (a future and a pending message each, then
aiokafka's pure-Python batching, about 40 µs on the development machine) and a put into
the store, each after encoding the key again. The classify agent changes a few keys per
scan, so this was its largest cost.

`ConfluentChangelogTable` lets the agent stage its changes instead (`stage`), read them
back while the batch runs (`staged_get`), and at the end of a partition's batch send
them (`send_staged`): one changelog record per changed key, newest value, through the
worker's confluent-kafka producer (about a microsecond a record). Once the producer is
flushed, `apply_sent` writes the delivered records to the store with
`Store.apply_changelog_batch`, the method faust's own recovery uses: one write batch per
partition, and the changelog offsets become the store's persisted offsets, so a restart
recovers only the records after them. The store holds exactly what the changelog holds.

Nothing is lost at a crash: the agents flush the producer before faust acknowledges a
batch, so a batch's changes are in the changelog before its offsets can commit (faust
flushes its own producer before committing, too). A crash after the flush and before
`apply_sent` leaves the store behind its changelog, which recovery reads again.

Changes made through faust's own mapping interface (`table[key] = value`, `del
table[key]`) still work: their changelog record goes through the same producer and the
store is written at once, as faust does. faust's key expiry bookkeeping and table
sensors are left out (the worker's tables have no `expires`; old windows are deleted by
the agent, see `stream_processors.expiry`; the worker runs no faust monitor).

Related upstream: faust's per-change changelog send is its producer's busiest path
(faust-streaming/faust#173, "producer buffer full" under table writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import faust
from confluent_kafka import Message
from faust.types import TP

from stream_processors.output import Output


@dataclass(frozen=True, slots=True)
class _Record:
    """A delivered changelog record, as `Store.apply_changelog_batch` reads a message."""

    tp: TP
    offset: int
    partition: int
    key: bytes
    value: bytes | None


@dataclass(frozen=True, slots=True)
class _Applied:
    """A delivered change as the event `Store.apply_changelog_batch` takes."""

    key: Any  # the table's key (the in-memory store keeps keys deserialised)
    value: bytes | None
    message: _Record


class ConfluentChangelogTable(faust.Table[Any, bytes]):
    """`faust.Table` with staged changes and its changelog written by `output` (set before the agents run)."""

    output: Output | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._staged: dict[int, dict[Any, bytes | None]] = {}  # partition -> key -> newest value
        self._sent: list[tuple[int, Any, bytes | None]] = []  # sent, not yet delivered and applied
        self._delivered: list[_Applied] = []

    # -- the batch path ---------------------------------------------------------------------------

    def stage(self, partition: int, key: Any, value: bytes | None) -> None:
        """Change key (None: delete it) in partition at the end of the batch."""
        self._staged.setdefault(partition, {})[key] = value

    def staged_get(self, partition: int, key: Any) -> bytes | None:
        """The key's value, staged or stored (None when it has none). Needs the partition's current event."""
        staged = self._staged.get(partition)
        if staged is not None and key in staged:
            return staged[key]
        value: bytes | None = self.data.get(key)
        return value

    def send_staged(self, partition: int) -> int:
        """Send the partition's staged changes to the changelog; return how many."""
        staged = self._staged.get(partition)
        if not staged:
            return 0
        output = self._output()
        topic = self.changelog_topic
        name = topic.get_topic_name()
        tp = TP(name, partition)
        for key, value in staged.items():
            key_bytes, _ = topic.prepare_key(key, self.key_serializer)
            delivered = self._on_delivered(tp, key, key_bytes, value)
            output.send(name, value, key=key_bytes, partition=partition, delivered=delivered)
            self._sent.append((partition, key, value))
        return len(staged)

    def _on_delivered(self, tp: TP, key: Any, key_bytes: bytes, value: bytes | None) -> Any:
        def delivered(msg: Message) -> None:
            record = _Record(tp, cast(int, msg.offset()), tp.partition, key_bytes, value)
            self._delivered.append(_Applied(key, value, record))

        return delivered

    def apply_sent(self) -> None:
        """After the producer's flush: store the delivered changes, unstage what was sent."""
        if self._delivered:
            self.data.apply_changelog_batch(cast(Any, self._delivered), to_key=_same, to_value=_same)
            self._delivered = []
        for partition, key, value in self._sent:
            staged = self._staged.get(partition)
            if staged is not None and key in staged and staged[key] is value:
                del staged[key]
        self._sent = []

    # -- faust's mapping interface ----------------------------------------------------------------

    def on_key_set(self, key: Any, value: Any) -> None:
        self._log(key, value)

    def on_key_del(self, key: Any) -> None:
        self._log(key, None)

    def _log(self, key: Any, value: Any) -> None:
        partition = self.partition_for_key(key)  # the current event's partition
        if partition is None:
            raise RuntimeError(f"table {self.name}: changed outside of an agent")
        topic = self.changelog_topic
        key_bytes, _ = topic.prepare_key(key, self.key_serializer)
        value_bytes = None if value is None else topic.prepare_value(value, self.value_serializer)[0]
        self._output().send(topic.get_topic_name(), value_bytes, key=key_bytes, partition=partition)

    def _output(self) -> Output:
        if self.output is None:
            raise RuntimeError(f"table {self.name}: no producer for the changelog")
        return self.output


def _same(value: Any) -> Any:
    return value


def changelog_table(output: Output) -> type[ConfluentChangelogTable]:
    """The table class for `faust.App(Table=...)`, its changelog written by `output`."""
    return type("ConfluentChangelogTable", (ConfluentChangelogTable,), {"output": output})
