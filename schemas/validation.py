"""Validate and normalise a ScanEvent record; pure, no Kafka imports."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from schemas.errors import InvalidScanEvent
from schemas.events import SCAN_EVENT_FIELDS, ScanEvent

GTIN_LENGTHS: Final = frozenset({8, 12, 13, 14})
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
EARLIEST_MS: Final = 946_684_800_000  # 2000-01-01T00:00:00Z
MAX_FUTURE_MS: Final = 3_600_000  # one hour ahead of the validating clock
CANONICAL_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# C0 control characters but tab, and DEL: no identifier or HTTP header value carries them.
CONTROL: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

REQUIRED_STRINGS: Final = ("organization_id", "brand_id", "digital_link")
OPTIONAL_STRINGS: Final = ("link_type", "user_agent", "referer", "accept_language")
# Longest accepted value of each text field, in characters.
MAX_LENGTH: Final = {
    "organization_id": 128,
    "brand_id": 128,
    "digital_link": 2048,
    "link_type": 128,
    "user_agent": 2048,
    "referer": 2048,
    "accept_language": 512,
}
FIELDS: Final = frozenset(SCAN_EVENT_FIELDS)


def gtin_check_digit(body: str) -> int:
    """Return the GS1 mod-10 check digit for `body` (the GTIN without its last digit)."""
    if not body.isascii() or not body.isdigit():
        raise ValueError(f"GTIN body must be ASCII digits, got {body!r}")
    reverse = body[::-1]
    total = 3 * sum(map(int, reverse[0::2])) + sum(map(int, reverse[1::2]))
    return (10 - total % 10) % 10


def normalize_gtin(gtin: object) -> str:
    """Return `gtin` (GTIN-8/12/13/14) as 14 digits, or raise InvalidScanEvent."""
    if not isinstance(gtin, str):
        raise InvalidScanEvent("gtin", "bad_gtin", f"expected a string, got {type(gtin).__name__}")
    if not gtin.isascii() or not gtin.isdigit():
        raise InvalidScanEvent("gtin", "bad_gtin", f"not all digits: {gtin[:40]!r}")
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


def now_millis() -> int:
    """The wall clock in epoch milliseconds."""
    return time.time_ns() // 1_000_000


def _occurred_at(value: object, now_ms: int | None) -> int:
    ms = value if isinstance(value, int) and not isinstance(value, bool) else to_millis(to_datetime(value))
    if ms < EARLIEST_MS:
        raise InvalidScanEvent("occurred_at", "bad_timestamp", f"{ms} ms is before 2000-01-01")
    if now_ms is not None and ms > now_ms + MAX_FUTURE_MS:
        raise InvalidScanEvent(
            "occurred_at", "bad_timestamp", f"{ms} ms is more than 1 hour after {now_ms} ms"
        )
    return ms


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
        raise InvalidScanEvent("event_id", "bad_event_id", f"not a UUID: {value[:60]!r}") from e


def _client_ip(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidScanEvent("client_ip", "bad_ip", f"expected a string, got {type(value).__name__}")
    if len(value) > 64:
        raise InvalidScanEvent("client_ip", "bad_ip", f"{len(value)} characters is no IP address")
    if "%" in value:
        raise InvalidScanEvent("client_ip", "bad_ip", "a zone index is not a client address")
    canonical = _canonical_fast(value)
    if canonical is not None:
        return canonical
    try:
        return str(ipaddress.ip_address(value))
    except ValueError as e:
        raise InvalidScanEvent("client_ip", "bad_ip", "not an IPv4 or IPv6 address") from e


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


def _text(name: str, value: str) -> str:
    limit = MAX_LENGTH[name]
    if len(value) > limit:
        raise InvalidScanEvent(name, "too_long", f"{len(value)} characters, at most {limit}")
    bad = CONTROL.search(value)
    if bad is not None:
        raise InvalidScanEvent(name, "bad_text", f"control character U+{ord(bad.group()):04X}")
    return value


def validate_scan_event(record: Mapping[str, Any], *, now_ms: int | None = None) -> ScanEvent:
    """Return the normalised ScanEvent or raise InvalidScanEvent naming the first bad field.

    Normalised: `event_id` canonical lowercase UUID, `occurred_at` epoch milliseconds
    (a datetime is accepted), `gtin` 14 digits, `client_ip` canonical text, absent
    optional fields None. Text fields are refused when longer than `MAX_LENGTH` or
    when they hold control characters. With `now_ms`, a time more than an hour
    after it is refused.
    """
    if not isinstance(record, Mapping):
        raise InvalidScanEvent("<record>", "bad_type", f"expected a mapping, got {type(record).__name__}")
    unknown = [k for k in record if k not in FIELDS]
    if unknown:
        first = sorted(map(str, unknown))[0][:60]
        raise InvalidScanEvent(first, "unknown_field", "not a ScanEvent field")
    for name in ("event_id", "occurred_at", "gtin", "client_ip", *REQUIRED_STRINGS):
        if record.get(name) is None:
            raise InvalidScanEvent(name, "missing_field", "required")
    event_id = _event_id(record["event_id"])
    occurred_at = _occurred_at(record["occurred_at"], now_ms)
    gtin = normalize_gtin(record["gtin"])
    required: list[str] = []
    for name in REQUIRED_STRINGS:
        value = record[name]
        if not isinstance(value, str):
            raise InvalidScanEvent(name, "bad_type", f"expected a string, got {type(value).__name__}")
        if not value.strip():
            raise InvalidScanEvent(name, "missing_field", "empty")
        required.append(_text(name, value))
    client_ip = _client_ip(record["client_ip"])
    optional: list[str | None] = []
    for name in OPTIONAL_STRINGS:
        value = record.get(name)
        if value is not None:
            if not isinstance(value, str):
                kind = type(value).__name__
                raise InvalidScanEvent(name, "bad_type", f"expected a string or None, got {kind}")
            value = _text(name, value)
        optional.append(value)
    return {
        "event_id": event_id,
        "occurred_at": occurred_at,
        "gtin": gtin,
        "organization_id": required[0],
        "brand_id": required[1],
        "digital_link": required[2],
        "link_type": optional[0],
        "client_ip": client_ip,
        "user_agent": optional[1],
        "referer": optional[2],
        "accept_language": optional[3],
        "status_code": _status_code(record.get("status_code")),
    }
