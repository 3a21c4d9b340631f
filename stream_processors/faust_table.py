"""The worker's faust table class: stock `faust.Table` with window-expiry bookkeeping kept per window.

Stock faust (faust/tables/base.py, `Collection._maybe_set_key_ttl`) pushes a window's end
time onto a per-partition heap on *every* write of a windowed key, so the heap grows with
the number of writes, not of windows, until those windows expire by wall clock
(`LATE_HORIZON_DAYS + 2` days here): about 32 bytes per table write, kept for days. This
class pushes each (partition, window end) once; `_del_old_keys` still pops it once and
deletes every key written in that window, as before. Related upstream reports of expiry
bookkeeping: https://github.com/robinhood/faust/issues/44 and
https://github.com/faust-streaming/faust/issues/385.

Used through the app setting `Table=` (see `stream_processors.app`); unit-tested in
tests/unit/stream_processors/test_faust_table.py.
"""

from __future__ import annotations

from heapq import heappush
from typing import Any

import faust


class Table(faust.Table[Any, Any]):
    def _maybe_set_key_ttl(self, key: Any, partition: int) -> None:
        if not self._should_expire_keys():
            return
        _, (_, range_end) = key
        slot = (partition, range_end)
        keys = self._partition_timestamp_keys.get(slot)
        if keys is None:
            keys = self._partition_timestamp_keys[slot] = set()
            heappush(self._partition_timestamps[partition], range_end)
            latest = self._partition_latest_timestamp
            latest[partition] = max(latest[partition], range_end)
        keys.add(key)
