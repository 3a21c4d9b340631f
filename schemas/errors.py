"""Exceptions of the contract: one root, bad input apart from an unreachable registry."""

from __future__ import annotations


class ContractError(Exception):
    """Root of every error raised by the schemas package."""


class InvalidScanEvent(ContractError, ValueError):
    """A scan event failed validation.

    `field` names the offending field, `reason` is a short snake_case code
    (`missing_field`, `bad_type`, `bad_event_id`, `bad_gtin`, `bad_ip`,
    `bad_timestamp`, `bad_status_code`, `bad_text`, `too_long`, `unknown_field`).
    """

    def __init__(self, field: str, reason: str, detail: str = "") -> None:
        self.field = field
        self.reason = reason
        self.detail = detail
        message = f"invalid scan event: field {field!r}: {reason}"
        super().__init__(f"{message} ({detail})" if detail else message)


class SchemaError(ContractError):
    """A schema could not be loaded, registered or found in the registry."""


class RegistryUnavailable(SchemaError):
    """The schema registry did not answer; the same call may succeed later."""


class UndecodableRecord(ContractError, ValueError):
    """Bytes that are not a record of the contract: `reason` says why (`not_avro`,
    `unknown_schema_id`, `undecodable`), `detail` says more."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
