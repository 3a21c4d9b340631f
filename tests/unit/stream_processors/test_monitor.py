"""The worker's faust monitor records nothing per record; faust's own does."""

from __future__ import annotations

from faust.sensors.monitor import Monitor
from faust.types import TP, Message

from stream_processors.monitor import QuietMonitor


def _messages(monitor: Monitor) -> int:
    tp = TP("scans.raw", 0)
    for offset in range(3):
        monitor.on_message_in(tp, offset, Message(tp.topic, 0, offset, 0.0, 0, None, b"k", b"v", None))
    return monitor.messages_received_total


def test_faust_counts_every_message_the_quiet_monitor_none() -> None:
    assert _messages(Monitor()) == 3
    assert _messages(QuietMonitor()) == 0
    assert QuietMonitor().on_stream_event_in(TP("t", 0), 1, None, None) is None  # type: ignore[arg-type]
