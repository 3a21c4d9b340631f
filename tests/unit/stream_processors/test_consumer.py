"""The worker's faust consumer: which partitions' committed offsets are known, and no gaps taken.

faust's own `perform_seek` and commit bookkeeping run here; only the broker calls are replaced.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping

import faust
import pytest
from faust.transport.drivers import aiokafka
from faust.types import TP, Message

from stream_processors.consumer import Consumer, Transport

RAW = TP("scans.raw", 2)
BY_IP = TP("scans-by-ip", 1)


@pytest.fixture
def consumer() -> Iterator[Consumer]:
    app = faust.App("consumer-test", broker="kafka://127.0.0.1:1")
    app.transport = Transport(app.conf.broker_consumer, app)
    made = app.consumer  # created, never started: no broker is asked anything
    assert isinstance(made, Consumer)
    yield made


class Broker:
    """faust's calls to the broker that the tests make: the assignment and the committed offsets."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, consumer: Consumer) -> None:
        self.assigned: set[TP] = set()
        self.committed: dict[TP, int | None] = {}
        self.during_seek: list[Callable[[], Awaitable[None]]] = []
        monkeypatch.setattr(consumer, "assignment", lambda: set(self.assigned))
        monkeypatch.setattr(aiokafka.Consumer, "seek_to_committed", self._seek_to_committed)
        monkeypatch.setattr(aiokafka.Consumer, "on_partitions_revoked", self._revoked_in_faust)

    async def _seek_to_committed(self) -> Mapping[TP, int | None]:  # bound to the broker, not the consumer
        for step in self.during_seek:
            await step()
        return {tp: self.committed.get(tp) for tp in self.assigned}

    @staticmethod
    async def _revoked_in_faust(consumer: Consumer, revoked: set[TP]) -> None:
        return None


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch, consumer: Consumer) -> Broker:
    return Broker(monkeypatch, consumer)


async def test_partitions_are_positioned_once_their_committed_offsets_are_known(
    consumer: Consumer, broker: Broker
) -> None:
    broker.assigned, broker.committed = {RAW, BY_IP}, {RAW: 893}
    assert consumer.positioned == frozenset()  # assigned, records may be fetched: not yet
    await consumer.perform_seek()
    assert consumer.positioned == {RAW, BY_IP}
    assert consumer.resume_offset(RAW) == 893
    assert consumer.resume_offset(BY_IP) is None  # none committed: the worker asks for the first offset
    assert consumer._committed_offset[RAW] == 893  # faust's own record, as before


async def test_reading_resumes_where_the_seek_found_the_commit_whatever_commits_later(
    consumer: Consumer, broker: Broker
) -> None:
    broker.assigned, broker.committed = {RAW}, {RAW: 893}
    await consumer.perform_seek()
    consumer._committed_offset[RAW] = 950  # a commit started before the rebalance, ended after the seek
    assert consumer.resume_offset(RAW) == 893


async def test_a_revocation_during_the_seek_leaves_the_partitions_for_the_next_one(
    consumer: Consumer, broker: Broker
) -> None:
    broker.assigned, broker.committed = {RAW, BY_IP}, {RAW: 893, BY_IP: 4}

    async def revoke() -> None:
        await consumer.on_partitions_revoked({RAW, BY_IP})

    broker.during_seek.append(revoke)
    await consumer.perform_seek()
    assert consumer.positioned == frozenset()


async def test_a_revoked_partition_is_no_longer_positioned(consumer: Consumer, broker: Broker) -> None:
    broker.assigned, broker.committed = {RAW, BY_IP}, {RAW: 893, BY_IP: 4}
    await consumer.perform_seek()
    await consumer.on_partitions_revoked({BY_IP})
    assert consumer.positioned == {RAW}


async def test_records_fetched_before_a_seek_back_leave_no_gap_for_the_commit(consumer: Consumer) -> None:
    """The worker sought BY_IP back to 10; a record fetched before the seek, at 20, arrives first.

    faust's fetcher then records 11..19 as a gap; had it been kept, the commits after 10, 11
    and 12 were processed would end past 19, though 13..19 were not processed.
    """
    consumer._committed_offset[BY_IP] = 10
    await consumer._add_gap(BY_IP, 11, 19)
    consumer._acked[BY_IP].extend([10, 11, 12])
    commits = []
    while (offset := consumer._new_offset(BY_IP)) is not None:
        commits.append(offset)
        consumer._committed_offset[BY_IP] = offset
    assert commits == [13]


async def test_a_hole_the_worker_gives_up_on_is_passed_by_the_commit(consumer: Consumer) -> None:
    consumer._committed_offset[RAW] = 100  # retention deleted 100..249 while nobody read
    consumer._acked[RAW].extend([250, 251])
    assert consumer._new_offset(RAW) is None  # a hole at the head holds the commit
    await consumer.skip(RAW, 100, 249)
    assert consumer._new_offset(RAW) == 252


def test_a_held_record_is_never_acknowledged(consumer: Consumer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consumer.app.topics, "acks_enabled_for", lambda topic: True)  # an agent's topic
    held, processed = (Message("scans-by-ip", 1, offset, 0.0, 0, None, b"", b"", None) for offset in (12, 11))
    for message in (held, processed):
        consumer.track_message(message)
    consumer.hold(held)
    assert [consumer.ack(m) for m in (held, processed)] == [False, True]  # as take_events acks a batch
    assert not consumer.unacked and consumer._acked[BY_IP] == [11]


def test_the_flow_state_names_the_partitions(consumer: Consumer) -> None:
    consumer._paused_partitions.update({BY_IP, RAW})
    assert "paused ['scans-by-ip:1', 'scans.raw:2']" in consumer.flow_state()
