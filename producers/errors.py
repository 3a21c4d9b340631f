"""Exceptions of the publishing library: one root, bad input apart from transient faults."""

from __future__ import annotations

from schemas.errors import InvalidScanEvent as ContractViolation


class ProducerError(Exception):
    """Root of every error raised by the producers package."""


class InvalidScanEvent(ProducerError, ContractViolation):
    """A scan event failed validation; nothing of it was queued.

    `field` names the offending field and `reason` is a short snake_case code;
    see `schemas.InvalidScanEvent`, which this also is.
    """


class PublishError(ProducerError):
    """A scan could not be handed to the broker (e.g. the local queue is full)."""


class QueueFullError(PublishError):
    """The bounded local queue stayed full for longer than the configured wait."""


class DeliveryError(PublishError):
    """The broker did not acknowledge a queued scan."""


class SchemaError(ProducerError):
    """The ScanEvent schema could not be loaded, registered or found in the registry."""
