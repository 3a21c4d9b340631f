"""faust's consumer with a direct path for each fetched record while the flow is active.

faust's fetcher (`faust.transport.consumer.Consumer._drain_messages`, faust-streaming 0.15)
hands every fetched record to the app by awaiting

    self.wait_first(callback(message), self.suspend_flow.wait())

so that a rebalance, which sets `suspend_flow`, can abandon a delivery blocked on a full
stream buffer. `wait_first` makes four tasks per record (the delivery, the flow event, the
service's stopped and crashed events), waits on them and cancels three: several turns of
the event loop per record. In the worker that was about 9 % of the main thread, for
deliveries that almost never block (they decode the record and put it in a stream buffer
that has room).

`FastConsumer.wait_first` runs such a delivery directly while the flow is not suspended
and the service is running. If it completes without suspending, which is the usual case,
that is all. If it suspends (a full buffer, a contended lock), the partly run delivery
goes on under faust's own `wait_first` with the flow event, so a rebalance abandons it as
before. Any other call of `wait_first` goes to faust's unchanged.

The fetcher's call is recognised by its shape (two coroutines, no timeout); faust makes no
other such call.

Jumps in offsets are not taken for gaps. When a record's offset is more than one past the
partition's read offset, faust's fetcher records the offsets between as a gap, which its
commit counts as acknowledged. After the worker seeks a partition back (`stream_processors.
order`: a record was skipped), records fetched before the seek still arrive, each a "gap"
over the records the seek is to read again: the commit could pass them before they were
processed, and once they were, each offset stood twice in faust's acknowledged list, whose
commit then advanced one offset per commit (a committed offset that seemed stuck, thousands
of records behind, with every count exact). The worker's `Order` decides what a jump is; a
hole it gives up on (records gone from the topic) is handed to faust with `skip`.

Upstream code: https://github.com/faust-streaming/faust/blob/master/faust/transport/consumer.py
(`Consumer._drain_messages`, `Consumer._add_gap`, `Consumer._new_offset`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any, ClassVar

from faust.transport.drivers import aiokafka
from faust.types import TP
from mode.services import WaitArgT, WaitResults
from mode.utils.times import Seconds


class Started:
    """A coroutine already run up to its first suspension, awaitable to its end.

    `yielded` is what its first step yielded (the future it waits on, or None to be
    stepped again); awaiting this object hands that on and then relays every value,
    result and exception (cancellation included) between the awaiting task and the
    coroutine, as `await coroutine` would have from the start.
    """

    __slots__ = ("coro", "yielded")

    def __init__(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self.coro = coro
        self.yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, value = self.coro, self.yielded
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:
                try:
                    value = coro.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    value = coro.send(sent)
                except StopIteration as done:
                    return done.value


def step(coro: Coroutine[Any, Any, Any]) -> tuple[bool, Any]:
    """Run coro until it finishes or first suspends: (True, its result) or (False, a `Started`)."""
    try:
        yielded = coro.send(None)
    except StopIteration as done:
        return True, done.value
    return False, Started(coro, yielded)


class FastConsumer(aiokafka.Consumer):
    """faust's aiokafka consumer; fetched records reach the streams without four tasks each."""

    async def wait_first(self, *coros: WaitArgT, timeout: Seconds | None = None) -> WaitResults:
        if len(coros) == 2 and timeout is None and not self.suspend_flow.is_set() and not self.should_stop:
            delivery, flow = coros
            if not (asyncio.iscoroutine(delivery) and asyncio.iscoroutine(flow)):
                return await self.full_wait(*coros, timeout=timeout)
            try:
                done, result = step(delivery)
            except BaseException:
                flow.close()
                raise
            if done:
                flow.close()
                return WaitResults([delivery], [result], False)
            coros = (result, flow)
        return await self.full_wait(*coros, timeout=timeout)

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Not recorded: a jump is the worker's to judge (see the module's docstring)."""

    async def skip(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Let the commit pass offsets offset_from to offset_to (inclusive): they are not in the topic."""
        await super()._add_gap(tp, offset_from, offset_to)

    async def full_wait(self, *coros: WaitArgT, timeout: Seconds | None = None) -> WaitResults:
        """faust's `wait_first`."""
        return await super().wait_first(*coros, timeout=timeout)  # type: ignore[arg-type]


class FastTransport(aiokafka.Transport):
    """faust's aiokafka transport with `FastConsumer`."""

    Consumer: ClassVar[type[aiokafka.Consumer]] = FastConsumer
