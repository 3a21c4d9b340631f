"""The changelog table writes what faust's own changelog would: topic, partition, key and value bytes."""

from __future__ import annotations

import weakref
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import faust
import pytest
from faust.streams import _current_event

from stream_processors.changelog import changelog_table


class FakeOutput:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, topic: str, value: bytes | None, **kwargs: Any) -> None:
        self.sent.append({"topic": topic, "value": value, **kwargs})


class Delivered:
    def __init__(self, partition: int, offset: int) -> None:
        self._partition, self._offset = partition, offset

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset


@pytest.fixture
def app_and_output() -> tuple[faust.App, FakeOutput]:
    output = FakeOutput()
    app = faust.App("changelog-test", store="memory://", Table=changelog_table(output))  # type: ignore[arg-type]
    return app, output


def table(app: faust.App, name: str) -> Any:
    made = app.Table(name, default=bytes, value_type=bytes, partitions=4)
    # faust compares the source topic's partitions with the changelog's once, through the
    # broker; there is none here
    made._verified_source_topics_for_partitions.add("scans")
    return made


class Event:  # what a table reads of faust's current event
    def __init__(self, partition: int) -> None:
        self.message = SimpleNamespace(topic="scans", partition=partition)


def at_partition(partition: int) -> Event:
    event = Event(partition)
    _current_event.set(weakref.ref(event))  # type: ignore[arg-type]
    return event  # keep it alive while the table is used


def test_a_change_is_sent_with_faust_key_bytes_to_the_current_partition(app_and_output: Any) -> None:
    app, output = app_and_output
    counts = table(app, "counts")
    event = at_partition(3)
    counts[("org", 1)] = b"{}"
    assert event is not None
    (sent,) = output.sent
    assert sent["topic"] == "changelog-test-counts-changelog"
    assert sent["partition"] == 3
    assert sent["key"] == app.serializers.dumps_key(None, ("org", 1), serializer="json")
    assert sent["value"] == b"{}"
    assert counts[("org", 1)] == b"{}"  # the store holds it too


def test_a_windowed_change_and_a_deletion(app_and_output: Any) -> None:
    app, output = app_and_output
    days = table(app, "days").tumbling(timedelta(days=1))
    event = at_partition(1)
    days.relative_to(86_400 * 3 + 5.0)["k"] = b"1"
    window_key = ("k", (86_400 * 3.0, 86_400 * 4.0 - 0.1))
    assert output.sent[0]["key"] == app.serializers.dumps_key(None, window_key, serializer="json")
    del days.table[window_key]
    assert event is not None
    tombstone = output.sent[1]
    assert (tombstone["key"], tombstone["value"], tombstone["partition"]) == (output.sent[0]["key"], None, 1)


def test_delivered_offsets_become_the_persisted_offsets(app_and_output: Any, tmp_path: Any) -> None:
    app, output = app_and_output
    counts = table(app, "counts")
    event = at_partition(2)
    counts["a"] = b"1"
    counts["b"] = b"2"
    assert event is not None
    first, second = output.sent
    second["delivered"](Delivered(2, 41))
    first["delivered"](Delivered(2, 40))  # callbacks in any order: the newest offset wins
    persisted: dict[Any, int] = {}
    counts.data.set_persisted_offset = lambda tp, offset: persisted.__setitem__(tp, offset)  # type: ignore[method-assign]
    counts.persist()
    assert persisted == {("changelog-test-counts-changelog", 2): 41}
    counts.persist()  # nothing new delivered: nothing written again
    assert len(persisted) == 1


def test_a_change_outside_of_an_agent_is_refused(app_and_output: Any) -> None:
    app, output = app_and_output
    counts = table(app, "counts")
    _current_event.set(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # faust's own refusal
        counts["a"] = b"1"
    assert output.sent == []
