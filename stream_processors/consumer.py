"""faust's aiokafka consumer: which partitions' committed offsets are known, no gaps, a direct path.

**Committed offsets known.** After a rebalance faust resumes the stream partitions and only then
asks the broker for their committed offsets (`Recovery.on_recovery_completed`: `resume_partitions`,
then `perform_seek`). Records fetched in between reach the agents while faust's committed offset
of their partition is still unknown. The worker starts reading a partition at its committed offset
and counts in sessions that begin there (`stream_processors.versioned`), so a partition started
in that window began at its first offset instead: its session ignored every stored change, wrote
counts rebuilt from a part of the partition, and if the process died before the next commit, the
session after it, starting at the real committed offset, took those part-built counts for the
committed ones. Scans were lost that way after SIGKILLs. `positioned` holds the partitions whose
committed offset faust knows for the current assignment; the worker processes nothing else, and
starts each at `resume_offset`, the committed offset the seek found.

**No gaps.** When a record's offset is more than one past its partition's read offset, faust's
fetcher records the offsets between as a gap, which its commit counts as acknowledged. After the
worker seeks a partition back (`stream_processors.order`: a record was skipped), records fetched
before the seek still arrive, each a "gap" over the records the seek is to read again: the commit
could pass them before they were processed (lost if the process then died), and once they were,
each offset stood twice in faust's acknowledged list, whose commit then advanced one offset per
commit. The worker's `Order` decides what a jump is; a hole it gives up on (records gone from the
topic) is handed to faust with `skip`.

**A direct path for each fetched record.** faust's fetcher hands every fetched record to the app
by awaiting `self.wait_first(callback(message), self.suspend_flow.wait())`, so that a rebalance,
which sets `suspend_flow`, can abandon a delivery blocked on a full stream buffer. `wait_first`
makes four tasks per record (the delivery, the flow event, the service's stopped and crashed
events), waits on them and cancels three: several turns of the event loop per record, about 9 %
of the worker's main thread, for deliveries that almost never block (they decode the record and
put it in a stream buffer that has room). `Consumer.wait_first` runs such a delivery directly
while the flow is not suspended and the service is running. If it completes without suspending,
the usual case, that is all; if it suspends (a full buffer), the partly run delivery goes on
under faust's own `wait_first` with the flow event, so a rebalance abandons it as before. The
fetcher's call is recognised by its shape (two coroutines, no timeout); any other call goes to
faust's unchanged.

The worker reads faust's consumer state through this class only (`committed_offset`, `hold`,
`flow_state`): faust has no public API for them.

Upstream code: https://github.com/faust-streaming/faust/blob/master/faust/transport/consumer.py
(`Consumer.perform_seek`, `Consumer._drain_messages`, `Consumer._add_gap`, `Consumer._new_offset`,
`Service.wait_first` of mode)
and https://github.com/faust-streaming/faust/blob/master/faust/tables/recovery.py
(`Recovery.on_recovery_completed`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator, Iterable, Mapping, Set
from typing import Any, ClassVar

from aiokafka import TopicPartition
from faust.transport.drivers import aiokafka
from faust.types import TP, Message
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


class Consumer(aiokafka.Consumer):
    """faust's aiokafka consumer with `positioned` partitions, no gaps and a direct delivery path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.positioned: frozenset[TP] = frozenset()
        self._resume: dict[TP, int | None] = {}
        self._sought: dict[TP, int | None] = {}
        self._changes = 0  # assignments and revocations so far
        self._assigned = False  # an assignment since the last revocation

    def resume_offset(self, tp: TP) -> int | None:
        """Where reading tp resumed after the seek: its committed offset then (None: none committed).

        Not faust's running record of committed offsets, which a commit started before a
        rebalance and ending after the seek would change, though reading resumed here.
        """
        return self._resume.get(tp)

    async def seek_to_committed(self) -> Mapping[TP, int]:
        offsets = await super().seek_to_committed()  # None for a partition with no commit
        self._sought = {TP(tp.topic, tp.partition): offset for tp, offset in offsets.items()}
        return offsets

    async def perform_seek(self) -> None:
        """faust's seek to the committed offsets; then the assigned partitions are positioned.

        Only a seek begun after an assignment and ended before the next change of it counts:
        faust also seeks while the group re-joins (its fetcher, when the flow is stopped), when
        the partitions it would seek are those of the assignment being revoked.
        """
        counts, changes, assigned = self._assigned, self._changes, frozenset(self.assignment())
        await super().perform_seek()
        if counts and changes == self._changes:
            self._resume = {tp: self._sought.get(tp) for tp in assigned}
            self.positioned = assigned

    async def reposition(self, tps: Set[TP]) -> None:
        """Seek tps to their committed offsets (or, with none, their first ones); then positioned.

        What faust's seek after a rebalance does, for partitions it left unpositioned.
        """
        changes = self._changes
        consumer = self._thread._ensure_consumer()
        committed = {
            tp: await self._thread.call_thread(consumer.committed, TopicPartition(tp.topic, tp.partition))
            for tp in tps
        }
        first = await self.earliest_offsets(*(tp for tp, offset in committed.items() if offset is None))
        await self.seek_wait(
            {tp: offset if offset is not None else first.get(tp, 0) for tp, offset in committed.items()}
        )
        if self._assigned and changes == self._changes:
            self._resume.update(committed)
            self.positioned = self.positioned | frozenset(tps)

    async def on_partitions_assigned(self, assigned: Set[TP], generation_id: int = 0) -> None:
        self._changes += 1
        self._assigned = True
        await super().on_partitions_assigned(assigned, generation_id)

    async def on_partitions_revoked(self, revoked: Set[TP]) -> None:
        self._changes += 1
        self._assigned = False
        self.positioned = self.positioned - revoked
        for tp in revoked:
            self._resume.pop(tp, None)
        await super().on_partitions_revoked(revoked)

    def committed_offset(self, tp: TP) -> int | None:
        """faust's record of tp's committed offset: from the seek, then from each of its commits."""
        offset = self._committed_offset.get(tp)
        return int(offset) if offset is not None else None

    def hold(self, message: Message) -> None:
        """Keep message from being acknowledged: it was not processed, so its offset never commits."""
        message.acked = True  # faust's `Message.ack` is then a no-op
        self._unacked_messages.discard(message)

    def flow_state(self) -> str:
        """What faust's consumer says of its flow and partitions, for a log line."""
        return (
            f"flow active {self.flow_active}, can resume {self.can_resume_flow.is_set()}, "
            f"paused {_names(self._paused_partitions)}, buffered {_names(self._buffered_partitions)}, "
            f"active {_names(self._active_partitions or ())}"
        )

    async def wait_first(self, *coros: WaitArgT, timeout: Seconds | None = None) -> WaitResults:
        """The fetcher's delivery of a record run directly while the flow is active (see the module)."""
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

    async def full_wait(self, *coros: WaitArgT, timeout: Seconds | None = None) -> WaitResults:
        """faust's `wait_first`."""
        return await super().wait_first(*coros, timeout=timeout)  # type: ignore[arg-type]

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Not recorded: a jump is the worker's to judge (see the module's docstring)."""

    async def skip(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Let the commit pass offsets offset_from to offset_to (inclusive): they are not in the topic."""
        await super()._add_gap(tp, offset_from, offset_to)


def _names(tps: Iterable[TP]) -> list[str]:
    return sorted(f"{tp.topic}:{tp.partition}" for tp in tps)


class Transport(aiokafka.Transport):
    """faust's aiokafka transport with this module's `Consumer`."""

    Consumer: ClassVar[type[aiokafka.Consumer]] = Consumer
