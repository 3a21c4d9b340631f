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

from stream_processors import keycodec
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
        # partition -> key bytes -> (key, newest value); None deletes
        self._staged: dict[int, dict[bytes, tuple[Any, bytes | None]]] = {}
        self._sent: list[tuple[TP, bytes, Any, bytes | None]] = []  # sent, not yet applied
        self._delivered: dict[TP, int] = {}  # changelog partition -> offset of its last delivered record

    # -- the batch path ---------------------------------------------------------------------------

    def key_bytes(self, key: Any) -> bytes:
        """The key as the store and the changelog hold it (faust's key serializer)."""
        if self.key_serializer == "json":
            return keycodec.dumps(key)
        return cast(bytes, self.changelog_topic.prepare_key(key, self.key_serializer)[0])

    def stage(self, partition: int, key: Any, value: bytes | None) -> None:
        """Change key (None: delete it) in partition at the end of the batch."""
        self._staged.setdefault(partition, {})[self.key_bytes(key)] = (key, value)

    def staged_get(self, partition: int, key: Any) -> bytes | None:
        """The key's value in partition, staged or stored (None when it has none).

        A rocksdb store is read in the partition's own database by the key's bytes (what
        faust's `Store._get` does for the current event's partition, without encoding the
        key again or raising KeyError for a missing one).
        """
        kb = self.key_bytes(key)
        staged = self._staged.get(partition)
        if staged is not None:
            found = staged.get(kb)
            if found is not None:
                return found[1]
        db_for = getattr(self.data, "_db_for_partition", None)
        if db_for is not None:
            value: bytes | None = db_for(partition).get(kb)
            return value
        return cast(bytes | None, self.data.get(key))

    def send_staged(self, partition: int) -> int:
        """Send the partition's staged changes to the changelog; return how many.

        Only the partition's last record reports its delivery: the producer is idempotent,
        so records of one partition land in order, and the last one's offset is the
        partition's newest (what the store records as persisted). A failed record fails
        the flush, and the batch is not acknowledged.
        """
        staged = self._staged.get(partition)
        if not staged:
            return 0
        output = self._output()
        name = self.changelog_topic.get_topic_name()
        tp = TP(name, partition)
        last = len(staged) - 1
        for i, (kb, (key, value)) in enumerate(staged.items()):
            output.send(
                name,
                value,
                key=kb,
                partition=partition,
                delivered=self._on_delivered(tp) if i == last else None,
            )
            self._sent.append((tp, kb, key, value))
        return len(staged)

    def _on_delivered(self, tp: TP) -> Any:
        def delivered(msg: Message) -> None:
            offset = cast(int, msg.offset())
            self._delivered[tp] = max(offset, self._delivered.get(tp, offset))

        return delivered

    def apply_sent(self) -> None:
        """After the producer's flush: store the delivered changes, unstage what was sent."""
        delivered = self._delivered
        applied = [
            _Applied(key, value, _Record(tp, delivered[tp], tp.partition, kb, value))
            for tp, kb, key, value in self._sent
            if tp in delivered
        ]
        if applied:
            self.data.apply_changelog_batch(cast(Any, applied), to_key=_same, to_value=_same)
        for tp, kb, _key, value in self._sent:
            if tp not in delivered:
                continue
            staged = self._staged.get(tp.partition)
            if staged is not None:
                found = staged.get(kb)
                if found is not None and found[1] is value:
                    del staged[kb]
        self._sent = []
        self._delivered = {}

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
