"""The worker's Table keeps one expiry entry per window, and still expires every key written in it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import faust

from stream_processors.faust_table import Table


def windowed(cls: type) -> faust.Table:
    app = faust.App(f"t-{cls.__name__}", store="memory://", Table=cls, web_enabled=False)
    wrapper = app.Table("counts", default=int).tumbling(timedelta(seconds=60), expires=timedelta(seconds=60))
    return wrapper.table


def test_many_writes_of_one_window_keep_one_heap_entry() -> None:
    ours, stock = windowed(Table), windowed(faust.Table)
    for table in (ours, stock):
        for i in range(1_000):
            table._maybe_set_key_ttl((f"k{i % 10}", (0.0, 59.9)), 3)
        table._maybe_set_key_ttl(("k0", (60.0, 119.9)), 3)
    assert len(ours._partition_timestamps[3]) == 2
    assert len(stock._partition_timestamps[3]) == 1_001  # what the class is for
    assert ours._partition_timestamp_keys == stock._partition_timestamp_keys
    assert ours._partition_latest_timestamp[3] == stock._partition_latest_timestamp[3] == 119.9


def test_a_stale_window_still_loses_every_key_written_in_it() -> None:
    table = windowed(Table)
    for i in range(5):
        table.data[(f"k{i}", (0.0, 59.9))] = i
        table._maybe_set_key_ttl((f"k{i}", (0.0, 59.9)), 0)
    asyncio.run(table._del_old_keys())  # the window ended in 1970: stale
    assert not table._partition_timestamps[0]
    assert (0, 59.9) not in table._partition_timestamp_keys
    assert not list(table.data.keys())
