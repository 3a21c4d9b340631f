"""Validate and normalise a ScanEvent record; pure, no Kafka imports."""

from __future__ import annotations

import ipaddress
import re
import socket
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from producers.errors import InvalidScanEvent

GTIN_LENGTHS = frozenset({8, 12, 13, 14})
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_FUTURE = timedelta(hours=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

REQUIRED_STRINGS = ("organization_id", "brand_id", "digital_link")
OPTIONAL_STRINGS = ("link_type", "user_agent", "referer", "accept_language")
FIELDS = frozenset(
    ("event_id", "occurred_at", "gtin", "client_ip", "status_code", *REQUIRED_STRINGS, *OPTIONAL_STRINGS)
)


def gtin_check_digit(body: str) -> int:
    """Return the GS1 mod-10 check digit for `body` (the GTIN without its last digit)."""
    if not body.isascii() or not body.isdigit():
        raise ValueError(f"GTIN body must be ASCII digits, got {body!r}")
    reverse = body[::-1]
    total = 3 * sum(map(int, reverse[0::2])) + sum(map(int, reverse[1::2]))
    return (10 - total % 10) % 10


def normalize_gtin(gtin: str) -> str:
    """Return `gtin` (GTIN-8/12/13/14) as 14 digits, or raise InvalidScanEvent."""
    if not isinstance(gtin, str):
        raise InvalidScanEvent("gtin", "bad_gtin", f"expected a string, got {type(gtin).__name__}")
    if not gtin.isascii() or not gtin.isdigit():
        raise InvalidScanEvent("gtin", "bad_gtin", f"not all digits: {gtin!r}")
    if len(gtin) not in GTIN_LENGTHS:
        raise InvalidScanEvent("gtin", "bad_gtin", f"{len(gtin)} digits, expected 8, 12, 13 or 14")
    if gtin_check_digit(gtin[:-1]) != int(gtin[-1]):
        raise InvalidScanEvent("gtin", "bad_gtin", f"wrong check digit in {gtin}")
    return gtin.zfill(14)


def to_datetime(value: object) -> datetime:
    """Return `value` (aware datetime or epoch milliseconds) as an aware UTC datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidScanEvent("occurred_at", "bad_timestamp", "naive datetime; give a timezone")
        return value.astimezone(UTC)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return EPOCH + timedelta(milliseconds=value)
        except OverflowError as e:
            raise InvalidScanEvent("occurred_at", "bad_timestamp", f"out of range: {value}") from e
    raise InvalidScanEvent(
        "occurred_at", "bad_timestamp", f"expected a datetime or epoch ms, got {type(value).__name__}"
    )


def to_millis(moment: datetime) -> int:
    """Return an aware datetime as epoch milliseconds."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


def _occurred_at(value: object, now: datetime) -> datetime:
    moment = to_datetime(value)
    if moment < EARLIEST:
        raise InvalidScanEvent("occurred_at", "bad_timestamp", f"{moment.isoformat()} is before 2000-01-01")
    if moment > now + MAX_FUTURE:
        raise InvalidScanEvent(
            "occurred_at", "bad_timestamp", f"{moment.isoformat()} is more than 1 hour in the future"
        )
    return moment


def _event_id(value: object) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        kind = type(value).__name__
        raise InvalidScanEvent("event_id", "bad_event_id", f"expected a UUID string, got {kind}")
    if CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError as e:
        raise InvalidScanEvent("event_id", "bad_event_id", f"not a UUID: {value!r}") from e


def _client_ip(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidScanEvent("client_ip", "bad_ip", f"expected a string, got {type(value).__name__}")
    if "%" in value:
        raise InvalidScanEvent("client_ip", "bad_ip", f"a zone index is not a client address: {value!r}")
    canonical = _canonical_fast(value)
    if canonical is not None:
        return canonical
    try:
        return str(ipaddress.ip_address(value))
    except ValueError as e:
        raise InvalidScanEvent("client_ip", "bad_ip", f"not an IPv4 or IPv6 address: {value!r}") from e


def _canonical_fast(value: str) -> str | None:
    """Return value when the C resolver library prints it back unchanged (already canonical)."""
    family = socket.AF_INET6 if ":" in value else socket.AF_INET
    if family == socket.AF_INET6 and "." in value:
        return None  # embedded IPv4 forms print differently; leave them to ipaddress
    try:
        return value if socket.inet_ntop(family, socket.inet_pton(family, value)) == value else None
    except (OSError, ValueError):
        return None


def _status_code(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidScanEvent("status_code", "bad_type", f"expected an int, got {type(value).__name__}")
    if not 100 <= value <= 599:
        raise InvalidScanEvent("status_code", "bad_status_code", f"{value} is not an HTTP status")
    return value


def validate_scan_event(record: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """Return the normalised ScanEvent or raise InvalidScanEvent naming the first bad field.

    Normalised: `event_id` canonical lowercase UUID, `gtin` 14 digits, `client_ip`
    canonical text, `occurred_at` an aware UTC datetime, absent optional fields None.
    """
    if not isinstance(record, Mapping):
        raise InvalidScanEvent("<record>", "bad_type", f"expected a mapping, got {type(record).__name__}")
    unknown = sorted(set(record) - FIELDS, key=str)
    if unknown:
        raise InvalidScanEvent(str(unknown[0]), "unknown_field", "not a ScanEvent field")
    for name in ("event_id", "occurred_at", "gtin", "client_ip", *REQUIRED_STRINGS):
        if record.get(name) is None:
            raise InvalidScanEvent(name, "missing_field", "required")
    out: dict[str, Any] = {
        "event_id": _event_id(record["event_id"]),
        "occurred_at": _occurred_at(record["occurred_at"], now or datetime.now(UTC)),
        "gtin": normalize_gtin(record["gtin"]),
    }
    for name in REQUIRED_STRINGS:
        value = record[name]
        if not isinstance(value, str):
            raise InvalidScanEvent(name, "bad_type", f"expected a string, got {type(value).__name__}")
        if not value.strip():
            raise InvalidScanEvent(name, "missing_field", "empty")
        out[name] = value
    out["client_ip"] = _client_ip(record["client_ip"])
    for name in OPTIONAL_STRINGS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidScanEvent(name, "bad_type", f"expected a string or None, got {type(value).__name__}")
        out[name] = value
    out["status_code"] = _status_code(record.get("status_code"))
    return out
