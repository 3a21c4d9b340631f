"""The staged table writes what faust's own changelog and store would, once per batch."""

from __future__ import annotations

import weakref
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import faust
import pytest
from faust.streams import _current_event
from faust.types import TP

from stream_processors.changelog import changelog_table
from stream_processors.stores import WindowedStore

CHANGELOG = "changelog-test-counts-changelog"


class Delivered:
    def __init__(self, partition: int, offset: int) -> None:
        self._partition, self._offset = partition, offset

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset


class FakeOutput:
    """Records what is sent; `deliver` plays the broker (offsets from 100 per partition)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.next_offset: dict[int, int] = {}

    def send(self, topic: str, value: bytes | None, **kwargs: Any) -> None:
        self.sent.append({"topic": topic, "value": value, **kwargs})

    def deliver(self) -> None:
        for record in self.sent:
            if "partition" in record and not record.get("done"):
                p = record["partition"]
                offset = self.next_offset.get(p, 100)
                self.next_offset[p] = offset + 1
                if record.get("delivered") is not None:
                    record["delivered"](Delivered(p, offset))
                record["done"] = True


class Event:  # what a table reads of faust's current event
    def __init__(self, partition: int) -> None:
        self.message = SimpleNamespace(topic="scans", partition=partition)


def at_partition(partition: int) -> Event:
    event = Event(partition)
    _current_event.set(weakref.ref(event))  # type: ignore[arg-type]
    return event  # keep it alive while the table is used


@pytest.fixture(params=["memory://", "rocksdb://"])
def app(request: Any, tmp_path: Path) -> faust.App:
    output = FakeOutput()
    made = faust.App(
        "changelog-test",
        store=request.param,
        datadir=str(tmp_path),
        Table=changelog_table(output),  # type: ignore[arg-type]
    )
    made.test_output = output  # type: ignore[attr-defined]
    return made


def table(app: faust.App, name: str = "counts") -> Any:
    made = app.Table(name, default=bytes, value_type=bytes, partitions=4)
    # faust compares the source topic's partitions with the changelog's once, through the
    # broker; there is none here
    made._verified_source_topics_for_partitions.add("scans")
    return made


def test_staged_changes_are_read_back_then_sent_once_per_key_with_faust_key_bytes(app: faust.App) -> None:
    output, counts = app.test_output, table(app)  # type: ignore[attr-defined]
    event = at_partition(3)
    counts.stage(3, ("org", 1), b"1")
    counts.stage(3, ("org", 1), b"2")  # the newest value of the batch wins
    counts.stage(3, ("org", 2), b"7")
    assert counts.staged_get(3, ("org", 1)) == b"2"
    assert counts.staged_get(3, ("org", 3)) is None
    assert output.sent == []  # nothing leaves before the batch ends
    assert counts.send_staged(3) == 2
    assert [(r["topic"], r["partition"], r["key"], r["value"]) for r in output.sent] == [
        (CHANGELOG, 3, app.serializers.dumps_key(None, ("org", 1), serializer="json"), b"2"),
        (CHANGELOG, 3, app.serializers.dumps_key(None, ("org", 2), serializer="json"), b"7"),
    ]
    assert counts.staged_get(3, ("org", 1)) == b"2"  # sent, not yet stored: still read from the stage
    output.deliver()
    counts.apply_sent()
    assert counts[("org", 1)] == b"2" and counts[("org", 2)] == b"7"  # the store holds them, as faust reads
    assert counts.send_staged(3) == 0  # nothing staged any more
    if counts.data.url.scheme == "rocksdb":
        assert counts.data.persisted_offset(TP(CHANGELOG, 3)) == 101
    assert event is not None


def test_a_staged_deletion_is_a_tombstone_and_leaves_the_store(app: faust.App) -> None:
    output, counts = app.test_output, table(app)  # type: ignore[attr-defined]
    event = at_partition(1)
    counts.stage(1, "k", b"1")
    counts.send_staged(1)
    output.deliver()
    counts.apply_sent()
    counts.stage(1, "k", None)
    assert counts.staged_get(1, "k") is None
    counts.send_staged(1)
    assert output.sent[-1]["value"] is None
    output.deliver()
    counts.apply_sent()
    assert "k" not in counts and counts.staged_get(1, "k") is None
    assert event is not None


def test_undelivered_changes_stay_staged(app: faust.App) -> None:
    _output, counts = app.test_output, table(app)  # type: ignore[attr-defined]
    event = at_partition(0)
    counts.stage(0, "k", b"1")
    counts.send_staged(0)
    counts.apply_sent()  # the flush failed: nothing delivered
    assert "k" not in counts
    assert counts.staged_get(0, "k") == b"1"  # still staged: sent again with the next batch
    assert event is not None


def test_windowed_store_uses_the_window_faust_would(app: faust.App) -> None:
    output = app.test_output  # type: ignore[attr-defined]
    days = table(app, "days").tumbling(timedelta(days=1))
    event = at_partition(2)
    store = WindowedStore(days, 2)
    store.put("k", (86_400 * 3 + 5) * 1000, {"n": 1})
    assert store.get("k", (86_400 * 3 + 80_000) * 1000) == {"n": 1}
    assert store.get("k", (86_400 * 4 + 1) * 1000) is None
    days.table.send_staged(2)
    output.deliver()
    days.table.apply_sent()
    assert days.relative_to(86_400 * 3 + 9.0)["k"].value() == b'{"n":1}'  # faust's own windowed read
    assert event is not None


def test_a_change_through_faust_mapping_is_logged_and_stored(app: faust.App) -> None:
    output, counts = app.test_output, table(app)  # type: ignore[attr-defined]
    event = at_partition(2)
    counts["a"] = b"1"
    del counts["a"]
    assert [(r["partition"], r["value"]) for r in output.sent] == [(2, b"1"), (2, None)]
    assert "a" not in counts
    assert event is not None


def test_a_change_outside_of_an_agent_is_refused(app: faust.App) -> None:
    output, counts = app.test_output, table(app)  # type: ignore[attr-defined]
    _current_event.set(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # faust's own refusal
        counts["a"] = b"1"
    assert output.sent == []


@pytest.mark.parametrize(
    "key",
    [
        ("a1b2c3", (1796126100.0, 1796126399.9)),
        (2, "org", "Brand é", "09506000134352", "US", "mobile", False, "human", "", "", ""),
        ["org", 1],
        "plain",
    ],
)
def test_key_bytes_are_the_bytes_faust_stores_and_logs(app: faust.App, key: Any) -> None:
    counts = table(app)
    expected = counts.changelog_topic.prepare_key(key, counts.key_serializer)[0]
    assert counts.key_bytes(key) == expected
    if app.conf.store.scheme == "rocksdb":
        assert counts.key_bytes(key) == counts.data._encode_key(key)


def test_a_stored_key_is_read_from_its_partition_only(app: faust.App) -> None:
    output, counts = app.test_output, table(app)  # type: ignore[attr-defined]
    _event = at_partition(2)
    counts.stage(2, ("org", 1), b"5")
    counts.send_staged(2)
    output.deliver()
    counts.apply_sent()
    assert counts.staged_get(2, ("org", 1)) == b"5"
    if app.conf.store.scheme == "rocksdb":  # one database per partition
        assert counts.staged_get(1, ("org", 1)) is None
