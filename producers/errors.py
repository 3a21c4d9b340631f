"""Exceptions of the producers package: one root, bad input apart from transient faults."""

from __future__ import annotations

from scan_analytics.errors import ScanAnalyticsError


class ProducerError(ScanAnalyticsError):
    """Root of every error raised by the producers package."""


class InvalidScanEvent(ProducerError, ValueError):
    """A scan event failed validation; nothing of it was queued.

    `field` names the offending field, `reason` is a short snake_case code
    (`missing_field`, `bad_type`, `bad_event_id`, `bad_gtin`, `bad_ip`,
    `bad_timestamp`, `bad_status_code`, `unknown_field`).
    """

    def __init__(self, field: str, reason: str, detail: str = "") -> None:
        self.field = field
        self.reason = reason
        self.detail = detail
        message = f"invalid scan event: field {field!r}: {reason}"
        super().__init__(f"{message} ({detail})" if detail else message)


class PublishError(ProducerError):
    """A scan could not be handed to the broker (e.g. the local queue is full)."""


class QueueFullError(PublishError):
    """The bounded local queue stayed full for longer than the configured wait."""


class DeliveryError(PublishError):
    """The broker did not acknowledge a queued scan."""


class SchemaError(ProducerError):
    """A schema could not be loaded, registered or is incompatible with the registry."""


class CatalogError(ProducerError):
    """The simulator's catalog could not be written to PostgreSQL."""
