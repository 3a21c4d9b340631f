"""faust's monitor without its bookkeeping of every message and event.

faust's `Monitor` (faust/sensors/monitor.py) is a sensor every faust app installs: for each
record consumed and each event a stream takes and acknowledges it keeps counters, timings
and per-stream averages (about 3 % of the worker's main thread), which faust shows on its
web pages. The worker serves its own metrics (`stream_processors.metrics`) and runs faust
without the web server, so `QuietMonitor` keeps every other hook (commits, rebalances,
the partitions' end offsets) and makes the per-record ones do nothing.
Upstream: https://github.com/faust-streaming/faust/blob/master/faust/sensors/monitor.py
"""

from __future__ import annotations

from typing import Any

from faust.sensors.monitor import Monitor


class QuietMonitor(Monitor):
    """`faust.App(monitor=QuietMonitor())`: nothing recorded per message, event or table access."""

    def on_message_in(self, *args: Any, **kwargs: Any) -> None:
        return None

    def on_stream_event_in(self, *args: Any, **kwargs: Any) -> None:
        return None

    def on_stream_event_out(self, *args: Any, **kwargs: Any) -> None:
        return None

    def on_message_out(self, *args: Any, **kwargs: Any) -> None:
        return None

    def on_table_get(self, *args: Any, **kwargs: Any) -> None:
        return None

    def on_table_set(self, *args: Any, **kwargs: Any) -> None:
        return None

    def on_table_del(self, *args: Any, **kwargs: Any) -> None:
        return None
