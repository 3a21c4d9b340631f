"""The worker's faust tables seen through the small store protocols of the stages.

Table values are JSON the worker encodes once (msgspec) and faust keeps and logs as raw
bytes: faust's own json codec would encode each value twice (store and changelog) through a
slow path. Windowed tables are read and written at explicit event times, one
partition at a time, with changes staged until the end of the batch.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from stream_processors.changelog import ConfluentChangelogTable
from stream_processors.daily import CountKey
from stream_processors.ip_stage import BucketKey
from stream_processors.records import HUMAN, AggKey
from stream_processors.versioned import History

dumps = msgspec.json.encode
_decode = msgspec.json.decode


def loads(value: bytes | None) -> Any:
    return _decode(value) if value else None


class WindowedStore:
    """One partition of a windowed faust table seen as key -> value at explicit window timestamps (ms).

    Changes are staged in the table and written at the end of the batch
    (`stream_processors.changelog`); reads see them. The window of a timestamp is the
    one faust's windowed wrapper would pick (`window.current`).
    """

    def __init__(self, wrapper: Any, partition: int) -> None:
        self.table: ConfluentChangelogTable = wrapper.table
        self.current = self.table.window.current
        self.partition = partition

    def get(self, key: Any, at_ms: int) -> Any:
        return loads(self.table.staged_get(self.partition, (key, self.current(at_ms / 1000))))

    def put(self, key: Any, at_ms: int, value: Any) -> None:
        self.table.stage(self.partition, (key, self.current(at_ms / 1000)), dumps(value))


class Buckets:
    def __init__(self, table: Any, partition: int) -> None:
        self.store = WindowedStore(table, partition)

    def load(self, key: BucketKey) -> list[Any] | None:
        return self.store.get(key[0], key[1])  # type: ignore[no-any-return]

    def save(self, key: BucketKey, entries: list[Any]) -> None:
        self.store.put(key[0], key[1], entries)


class Records:
    def __init__(self, table: Any, partition: int) -> None:
        self.store = WindowedStore(table, partition)

    def load(self, event_id: str, at_ms: int) -> dict[str, Any] | None:
        return self.store.get(event_id, at_ms)  # type: ignore[no-any-return]

    def save(self, event_id: str, at_ms: int, record: dict[str, Any]) -> None:
        self.store.put(event_id, at_ms, record)


def stored_key(dims: list[Any]) -> AggKey | None:
    """The count key of a stored table key's dimensions (after its partition), or None.

    Keys stored before the agent dimensions (migration 0008) have six dimensions; they
    read as the rows that migration left: a person's with empty agent columns, a bot's
    with traffic class "bot" and empty agent columns.
    """
    if len(dims) == 11:
        return (*dims[:5], bool(dims[5]), *dims[6:])
    if len(dims) == 6:
        is_bot = bool(dims[5])
        return (*dims[:5], is_bot, *(("bot", "", "", "", "") if is_bot else HUMAN))
    return None


class Counts:
    def __init__(self, table: Any, partition: int) -> None:
        self.store = WindowedStore(table, partition)
        self.partition = partition

    def load(self, key: CountKey) -> History | None:
        found = self.store.get((self.partition, *key[1]), key[0])
        if found is None and key[1][6:] == HUMAN:  # a person's count stored before migration 0008
            found = self.store.get((self.partition, *key[1][:6]), key[0])
        return found  # type: ignore[no-any-return]

    def save(self, key: CountKey, history: History) -> None:
        self.store.put((self.partition, *key[1]), key[0], history)


def per_partition(table: Any) -> bool:
    """Whether the table's store keeps each partition apart (rocksdb), so one partition can be listed."""
    return getattr(table.data, "_dbs", None) is not None


def partition_items(table: Any, partition: int, values: bool = True) -> list[tuple[Any, Any]]:
    """All (key, value) pairs a table holds for one partition, deserialised (values None unless `values`)."""
    data = table.data
    dbs = getattr(data, "_dbs", None)
    if dbs is not None:  # rocksdb: one database per partition
        db = dbs.get(partition)
        if db is None:
            return []
        out = []
        for k, v in db.items():
            try:  # faust keeps its own bookkeeping keys (persisted offsets) in the same database
                out.append((_decode(k), _decode(v) if values else None))
            except (ValueError, TypeError):
                continue
        return out
    return [(json.loads(json.dumps(k)), loads(v) if values else None) for k, v in list(data.items())]
