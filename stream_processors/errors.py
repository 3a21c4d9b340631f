"""Exceptions of the stream_processors package."""

from __future__ import annotations

from scan_analytics.errors import ScanAnalyticsError


class StreamProcessorError(ScanAnalyticsError):
    """Root of every error raised by stream_processors."""


class PoisonMessage(StreamProcessorError):
    """A record that can never be processed: set aside in the dead-letter topic with its reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
