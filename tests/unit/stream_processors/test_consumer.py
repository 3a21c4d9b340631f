"""The worker's faust consumer: which partitions' committed offsets are known, no gaps, a direct path.

faust's own `perform_seek` and commit bookkeeping run here; only the broker calls are replaced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

import faust
import pytest
from faust.transport.drivers import aiokafka
from faust.types import TP, Message

from stream_processors.consumer import Consumer, Started, Transport, step

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
        monkeypatch.setattr(aiokafka.Consumer, "on_partitions_assigned", self._assigned_in_faust)
        self.consumer = consumer

    async def assign(self, tps: set[TP], committed: dict[TP, int | None]) -> None:
        """A rebalance: the last assignment revoked, tps assigned (faust's own steps left out)."""
        await self.consumer.on_partitions_revoked(set(self.assigned))
        self.assigned, self.committed = tps, committed
        await self.consumer.on_partitions_assigned(set(tps))

    async def _seek_to_committed(self) -> Mapping[TP, int | None]:  # bound to the broker, not the consumer
        for act in self.during_seek:
            await act()
        return {tp: self.committed.get(tp) for tp in self.assigned}

    @staticmethod
    async def _revoked_in_faust(consumer: Consumer, revoked: set[TP]) -> None:
        return None

    @staticmethod
    async def _assigned_in_faust(consumer: Consumer, assigned: set[TP], generation_id: int = 0) -> None:
        return None


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch, consumer: Consumer) -> Broker:
    return Broker(monkeypatch, consumer)


async def test_partitions_are_positioned_once_their_committed_offsets_are_known(
    consumer: Consumer, broker: Broker
) -> None:
    await broker.assign({RAW, BY_IP}, {RAW: 893})
    assert consumer.positioned == frozenset()  # assigned, records may be fetched: not yet
    await consumer.perform_seek()
    assert consumer.positioned == {RAW, BY_IP}
    assert consumer.resume_offset(RAW) == 893
    assert consumer.resume_offset(BY_IP) is None  # none committed: the worker asks for the first offset
    assert consumer._committed_offset[RAW] == 893  # faust's own record, as before


async def test_reading_resumes_where_the_seek_found_the_commit_whatever_commits_later(
    consumer: Consumer, broker: Broker
) -> None:
    await broker.assign({RAW}, {RAW: 893})
    await consumer.perform_seek()
    consumer._committed_offset[RAW] = 950  # a commit started before the rebalance, ended after the seek
    assert consumer.resume_offset(RAW) == 893


async def test_a_revocation_during_the_seek_leaves_the_partitions_for_the_next_one(
    consumer: Consumer, broker: Broker
) -> None:
    await broker.assign({RAW, BY_IP}, {RAW: 893, BY_IP: 4})

    async def revoke() -> None:
        await consumer.on_partitions_revoked({RAW, BY_IP})

    broker.during_seek.append(revoke)
    await consumer.perform_seek()
    assert consumer.positioned == frozenset()


async def test_a_revoked_partition_is_no_longer_positioned(consumer: Consumer, broker: Broker) -> None:
    await broker.assign({RAW, BY_IP}, {RAW: 893, BY_IP: 4})
    await consumer.perform_seek()
    await consumer.on_partitions_revoked({BY_IP})
    assert consumer.positioned == {RAW}
    assert consumer.resume_offset(BY_IP) is None


async def test_a_seek_while_the_group_rejoins_positions_nothing(consumer: Consumer, broker: Broker) -> None:
    """faust's fetcher seeks when the flow is stopped: revoked, not yet assigned again."""
    await broker.assign({RAW, BY_IP}, {RAW: 893, BY_IP: 4})
    await consumer.perform_seek()
    await consumer.on_partitions_revoked({RAW, BY_IP})  # the consumer still lists them until assigned
    broker.committed = {RAW: 900, BY_IP: 5}
    await consumer.perform_seek()
    assert consumer.positioned == frozenset()
    await broker.assign({RAW}, {RAW: 910})
    assert consumer.positioned == frozenset()
    await consumer.perform_seek()  # the new assignment's seek
    assert consumer.positioned == {RAW}
    assert consumer.resume_offset(RAW) == 910


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


# -- the direct delivery path ---------------------------------------------------------------


async def _immediate(value: int) -> int:
    return value * 2


async def _suspends(gate: asyncio.Event, log: list[str]) -> str:
    log.append("before")
    await gate.wait()
    log.append("after")
    await asyncio.sleep(0)
    return "done"


async def _raises_after(gate: asyncio.Event) -> None:
    await gate.wait()
    raise ValueError("bad record")


async def _raises_at_once() -> None:
    raise KeyError("no callback")


def test_step_runs_a_coroutine_that_never_suspends_to_its_end() -> None:
    done, result = step(_immediate(21))
    assert (done, result) == (True, 42)


def test_step_raises_what_the_coroutine_raises() -> None:
    with pytest.raises(KeyError):
        step(_raises_at_once())


async def test_a_started_coroutine_awaits_to_its_result() -> None:
    gate, log = asyncio.Event(), list[str]()
    done, started = step(_suspends(gate, log))
    assert not done and isinstance(started, Started)
    assert log == ["before"]
    task = asyncio.ensure_future(started)
    await asyncio.sleep(0)
    assert not task.done()
    gate.set()
    assert await task == "done"
    assert log == ["before", "after"]


async def test_a_started_coroutine_passes_on_its_exception() -> None:
    gate = asyncio.Event()
    _, started = step(_raises_after(gate))
    task = asyncio.ensure_future(started)
    gate.set()
    with pytest.raises(ValueError, match="bad record"):
        await task


async def test_cancelling_a_started_coroutine_cancels_the_coroutine() -> None:
    gate, log = asyncio.Event(), list[str]()
    coro: Any = _suspends(gate, log)
    _, started = step(coro)
    task = asyncio.ensure_future(started)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["before"]
    assert coro.cr_frame is None  # finished: the cancellation went into it


class _Flow:
    """What `Consumer.wait_first` uses of faust's consumer; faust's own wait recorded, then awaited."""

    def __init__(self) -> None:
        self.suspend_flow = asyncio.Event()
        self.should_stop = False
        self.slow_calls: list[tuple[Any, ...]] = []

    async def full_wait(self, *coros: Any, timeout: Any = None) -> Any:
        self.slow_calls.append(coros)
        first, flow = coros
        flow.close()
        return await first


async def _fast(consumer: _Flow, *coros: Any) -> Any:
    return await Consumer.wait_first(consumer, *coros)  # type: ignore[arg-type]


async def test_a_delivery_that_does_not_suspend_skips_the_full_wait() -> None:
    consumer = _Flow()
    results = await _fast(consumer, _immediate(2), consumer.suspend_flow.wait())
    assert results.results == [4] and not results.stopped
    assert consumer.slow_calls == []


async def test_a_delivery_that_suspends_goes_on_under_the_full_wait() -> None:
    consumer, gate, log = _Flow(), asyncio.Event(), list[str]()
    asyncio.get_running_loop().call_soon(gate.set)
    result = await _fast(consumer, _suspends(gate, log), consumer.suspend_flow.wait())
    assert result == "done" and log == ["before", "after"]
    assert len(consumer.slow_calls) == 1 and isinstance(consumer.slow_calls[0][0], Started)


async def test_a_suspended_flow_takes_the_full_wait_untouched() -> None:
    consumer = _Flow()
    consumer.suspend_flow.set()
    delivery = _immediate(1)
    assert await _fast(consumer, delivery, consumer.suspend_flow.wait()) == 2
    assert consumer.slow_calls[0][0] is delivery


async def test_partitions_left_unpositioned_are_sought_to_their_commits(
    consumer: Consumer, broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """faust's own seek timed out: the worker asks for the committed offsets and seeks itself."""
    await broker.assign({RAW, BY_IP}, {RAW: 893, BY_IP: None})
    sought: list[dict[TP, int]] = []

    class Thread:
        def _ensure_consumer(self) -> Any:
            return self

        async def committed(self, tp: Any) -> int | None:
            return broker.committed[TP(tp.topic, tp.partition)]

        async def call_thread(self, fun: Any, *args: Any) -> Any:
            return await fun(*args)

    async def earliest_offsets(*tps: TP) -> dict[TP, int]:
        return {tp: 7 for tp in tps}

    async def seek_wait(offsets: dict[TP, int]) -> None:
        sought.append(dict(offsets))

    monkeypatch.setattr(consumer, "_thread", Thread())
    monkeypatch.setattr(consumer, "earliest_offsets", earliest_offsets)
    monkeypatch.setattr(consumer, "seek_wait", seek_wait)
    await consumer.reposition({RAW, BY_IP})
    assert sought == [{RAW: 893, BY_IP: 7}]
    assert consumer.positioned == {RAW, BY_IP}
    assert (consumer.resume_offset(RAW), consumer.resume_offset(BY_IP)) == (893, None)
