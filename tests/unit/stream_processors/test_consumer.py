"""The worker's faust consumer: which partitions' committed offsets are known, and no gaps taken.

faust's own `perform_seek` and commit bookkeeping run here; only the broker calls are replaced.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import faust
import pytest
from faust.transport.drivers import aiokafka
from faust.types import TP

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


def _assigned(consumer: Consumer, tps: set[TP], committed: Mapping[TP, int | None]) -> list[str]:
    calls: list[str] = []

    async def seek_to_committed() -> Mapping[TP, int | None]:
        calls.append("seek")
        return committed

    consumer.assignment = lambda: set(tps)  # type: ignore[method-assign]
    consumer.seek_to_committed = seek_to_committed  # type: ignore[method-assign,assignment]
    return calls


async def test_partitions_are_positioned_once_their_committed_offsets_are_known(consumer: Consumer) -> None:
    calls = _assigned(consumer, {RAW, BY_IP}, {RAW: 893, BY_IP: None})
    assert consumer.positioned == frozenset()  # assigned, records may be fetched: not yet
    await consumer.perform_seek()
    assert calls == ["seek"]
    assert consumer.positioned == {RAW, BY_IP}
    assert consumer._committed_offset[RAW] == 893


async def test_a_revocation_during_the_seek_leaves_the_partitions_for_the_next_one(
    consumer: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def revoked_in_faust(self: aiokafka.Consumer, revoked: set[TP]) -> None:
        return None

    monkeypatch.setattr(aiokafka.Consumer, "on_partitions_revoked", revoked_in_faust)
    _assigned(consumer, {RAW, BY_IP}, {RAW: 893, BY_IP: 4})
    await consumer.perform_seek()

    async def seek_while_revoked() -> Mapping[TP, int]:
        await consumer.on_partitions_revoked({RAW, BY_IP})
        return {RAW: 900, BY_IP: 5}

    consumer.seek_to_committed = seek_while_revoked  # type: ignore[method-assign]
    await consumer.perform_seek()
    assert consumer.positioned == frozenset()


async def test_a_revoked_partition_is_no_longer_positioned(
    consumer: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def revoked_in_faust(self: aiokafka.Consumer, revoked: set[TP]) -> None:
        return None

    monkeypatch.setattr(aiokafka.Consumer, "on_partitions_revoked", revoked_in_faust)
    _assigned(consumer, {RAW, BY_IP}, {RAW: 893, BY_IP: 4})
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
