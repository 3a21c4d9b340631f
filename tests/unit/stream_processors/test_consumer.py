"""The consumer's direct delivery path: same results, exceptions and cancellation as awaiting."""

from __future__ import annotations

import asyncio
from typing import Any

import faust
import pytest
from faust.types import TP, Message

from stream_processors.consumer import FastConsumer, FastTransport, Started, step


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
    gate, log = asyncio.Event(), []
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
    gate, log = asyncio.Event(), []
    coro = _suspends(gate, log)
    _, started = step(coro)
    task = asyncio.ensure_future(started)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["before"]
    assert coro.cr_frame is None  # finished: the cancellation went into it


class _Flow:
    """What `FastConsumer.wait_first` uses of faust's consumer; faust's own wait recorded, then awaited."""

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
    return await FastConsumer.wait_first(consumer, *coros)  # type: ignore[arg-type]


async def test_a_delivery_that_does_not_suspend_skips_the_full_wait() -> None:
    consumer = _Flow()
    results = await _fast(consumer, _immediate(2), consumer.suspend_flow.wait())
    assert results.results == [4] and not results.stopped
    assert consumer.slow_calls == []


async def test_a_delivery_that_suspends_goes_on_under_the_full_wait() -> None:
    consumer, gate, log = _Flow(), asyncio.Event(), []
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


def test_the_app_uses_the_fast_consumer() -> None:
    app = faust.App("test-fast-consumer", broker="kafka://localhost:9092")
    app.transport = FastTransport(app.conf.broker_consumer, app)
    assert app.transport.Consumer is FastConsumer


def _consumer(app_id: str, fast: bool) -> Any:
    app = faust.App(app_id, broker="kafka://localhost:9092")
    if fast:
        app.transport = FastTransport(app.conf.broker_consumer, app)
    app.topics.acks_enabled_for = lambda topic: True  # as for the agents' topics, once subscribed

    async def deliver(message: Any) -> None:
        return None

    return app.transport.create_consumer(
        callback=deliver, on_partitions_revoked=None, on_partitions_assigned=None
    )


def _ack(consumer: Any, tp: TP, offsets: range) -> None:
    for offset in offsets:
        consumer.ack(Message(tp.topic, tp.partition, offset, 0.0, 0, None, b"k", b"v", None))


def _commits(consumer: Any, tp: TP, times: int) -> list[int | None]:
    """What faust's commit would take, `times` commits in a row."""
    out = []
    for _ in range(times):
        offset = consumer._new_offset(tp)
        out.append(offset)
        if offset is not None and consumer._should_commit(tp, offset):
            consumer._committed_offset[tp] = offset
    return out


@pytest.mark.parametrize("fast", [False, True])
async def test_records_fetched_before_a_seek_leave_no_gap_behind(fast: bool) -> None:
    # Sought back to 10; a record fetched before the seek (offset 20) still arrives and faust's
    # fetcher reports 11..19 as a gap; then 10..24 are read again and acknowledged.
    consumer, tp = _consumer(f"test-gap-{fast}", fast), TP("raw", 0)
    consumer._committed_offset[tp] = 10
    await consumer._add_gap(tp, 11, 19)
    _ack(consumer, tp, range(10, 25))
    commits = _commits(consumer, tp, 4)
    if fast:
        assert commits == [25, None, None, None]
    else:  # faust's own bookkeeping: every offset acknowledged twice, one offset per commit
        assert commits == [12, 13, 14, 15]


async def test_a_hole_given_up_on_is_passed_by_the_commit() -> None:
    consumer, tp = _consumer("test-skip", True), TP("raw", 0)
    consumer._committed_offset[tp] = 10
    _ack(consumer, tp, range(13, 20))
    assert _commits(consumer, tp, 1) == [None]  # 10..12 never came
    await consumer.skip(tp, 10, 12)
    assert _commits(consumer, tp, 1) == [20]
