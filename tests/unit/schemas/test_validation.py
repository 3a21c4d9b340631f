"""Validation and normalisation of ScanEvent records."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import producers
from schemas.errors import ContractError, InvalidScanEvent
from schemas.validation import (
    MAX_LENGTH,
    gtin_check_digit,
    normalize_gtin,
    to_datetime,
    to_millis,
    validate_scan_event,
)

from .conftest import NOW

NOW_MS = to_millis(NOW)


def event(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": "0b1e5c7e-4a8a-4c61-9a3e-1f6f2b1d2c3a",
        "occurred_at": NOW - timedelta(minutes=5),
        "gtin": "4006381333931",
        "organization_id": "org-1",
        "brand_id": "brand-1",
        "digital_link": "https://id.example.com/01/04006381333931",
        "client_ip": "203.0.113.7",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


@pytest.mark.parametrize(
    ("gtin", "expected"),
    [
        ("96385074", "00000096385074"),  # GTIN-8
        ("036000291452", "00036000291452"),  # GTIN-12 (UPC-A)
        ("4006381333931", "04006381333931"),  # GTIN-13
        ("10614141000415", "10614141000415"),  # GTIN-14
        ("00000096385074", "00000096385074"),  # already padded
    ],
)
def test_normalize_gtin_pads_to_14(gtin: str, expected: str) -> None:
    assert normalize_gtin(gtin) == expected


@pytest.mark.parametrize(
    "gtin",
    [
        "4006381333932",
        "12345",
        "123456789",
        "400638133393a",
        "",
        " 4006381333931",
        "\uff14006381333931",
        "123456789012345",
    ],
)
def test_normalize_gtin_rejects(gtin: str) -> None:
    with pytest.raises(InvalidScanEvent) as info:
        normalize_gtin(gtin)
    assert (info.value.field, info.value.reason) == ("gtin", "bad_gtin")


@pytest.mark.parametrize(("body", "digit"), [("400638133393", 1), ("9638507", 4), ("1061414100041", 5)])
def test_gtin_check_digit(body: str, digit: int) -> None:
    assert gtin_check_digit(body) == digit


@given(st.text(alphabet="0123456789", min_size=7, max_size=13).filter(lambda s: len(s) in (7, 11, 12, 13)))
def test_any_body_with_its_check_digit_normalises_and_is_idempotent(body: str) -> None:
    gtin = body + str(gtin_check_digit(body))
    normal = normalize_gtin(gtin)
    assert len(normal) == 14 and normal.lstrip("0") == gtin.lstrip("0")
    assert normalize_gtin(normal) == normal


@given(st.text(alphabet="0123456789", min_size=13, max_size=13), st.integers(1, 9))
def test_a_wrong_check_digit_is_always_rejected(body: str, shift: int) -> None:
    wrong = (gtin_check_digit(body) + shift) % 10
    with pytest.raises(InvalidScanEvent):
        normalize_gtin(body + str(wrong))


def test_valid_event_is_normalised() -> None:
    out = validate_scan_event(
        event(event_id="0B1E5C7E-4A8A-4C61-9A3E-1F6F2B1D2C3A", client_ip="2001:DB8:0::1", status_code=307),
        now_ms=NOW_MS,
    )
    assert out["event_id"] == "0b1e5c7e-4a8a-4c61-9a3e-1f6f2b1d2c3a"
    assert out["gtin"] == "04006381333931"
    assert out["client_ip"] == "2001:db8::1"
    assert out["status_code"] == 307
    assert out["user_agent"] is None and out["link_type"] is None
    assert out["occurred_at"] == NOW_MS - 5 * 60_000


def test_uuid_objects_and_epoch_millis_are_accepted() -> None:
    moment = NOW - timedelta(days=1)
    out = validate_scan_event(event(event_id=uuid.UUID(int=5), occurred_at=to_millis(moment)), now_ms=NOW_MS)
    assert out["event_id"] == str(uuid.UUID(int=5))
    assert out["occurred_at"] == to_millis(moment)


def test_other_timezones_are_converted_to_utc() -> None:
    cet = timezone(timedelta(hours=1))
    out = validate_scan_event(event(occurred_at=datetime(2026, 6, 1, 13, 0, tzinfo=cet)), now_ms=NOW_MS)
    assert out["occurred_at"] == NOW_MS


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"event_id": ...}, "event_id", "missing_field"),
        ({"event_id": "not-a-uuid"}, "event_id", "bad_event_id"),
        ({"event_id": 7}, "event_id", "bad_event_id"),
        ({"gtin": ...}, "gtin", "missing_field"),
        ({"gtin": "4006381333932"}, "gtin", "bad_gtin"),
        ({"gtin": 4006381333931}, "gtin", "bad_gtin"),
        ({"client_ip": "999.1.1.1"}, "client_ip", "bad_ip"),
        ({"client_ip": "example.com"}, "client_ip", "bad_ip"),
        ({"client_ip": None}, "client_ip", "missing_field"),
        ({"occurred_at": ...}, "occurred_at", "missing_field"),
        ({"occurred_at": datetime(1999, 12, 31, 23, 59, tzinfo=UTC)}, "occurred_at", "bad_timestamp"),
        ({"occurred_at": NOW + timedelta(hours=1, seconds=1)}, "occurred_at", "bad_timestamp"),
        ({"occurred_at": datetime(2026, 6, 1)}, "occurred_at", "bad_timestamp"),
        ({"occurred_at": "2026-06-01T12:00:00Z"}, "occurred_at", "bad_timestamp"),
        ({"occurred_at": True}, "occurred_at", "bad_timestamp"),
        ({"occurred_at": 10**20}, "occurred_at", "bad_timestamp"),
        ({"organization_id": ""}, "organization_id", "missing_field"),
        ({"brand_id": "   "}, "brand_id", "missing_field"),
        ({"digital_link": ...}, "digital_link", "missing_field"),
        ({"brand_id": 3}, "brand_id", "bad_type"),
        ({"user_agent": b"curl/8"}, "user_agent", "bad_type"),
        ({"status_code": "307"}, "status_code", "bad_type"),
        ({"status_code": 99}, "status_code", "bad_status_code"),
        ({"colour": "red"}, "colour", "unknown_field"),
    ],
)
def test_invalid_events_name_the_field(changes: dict[str, Any], field: str, reason: str) -> None:
    with pytest.raises(InvalidScanEvent) as info:
        validate_scan_event(event(**changes), now_ms=NOW_MS)
    assert (info.value.field, info.value.reason) == (field, reason)
    assert repr(field) in str(info.value)


def test_exception_hierarchy() -> None:
    assert issubclass(InvalidScanEvent, ContractError) and issubclass(InvalidScanEvent, ValueError)
    # the publisher's own error is both its library's error and the contract's
    assert issubclass(producers.InvalidScanEvent, producers.ProducerError)
    assert issubclass(producers.InvalidScanEvent, InvalidScanEvent)


def test_no_future_limit_without_a_clock() -> None:
    far = NOW_MS + 10 * 86_400_000
    assert validate_scan_event(event(occurred_at=far))["occurred_at"] == far


@pytest.mark.parametrize("field", ["organization_id", "brand_id", "digital_link", "user_agent", "referer"])
@pytest.mark.parametrize("char", ["\x00", "\n", "\r", "\x1b", "\x7f"])
def test_control_characters_are_refused(field: str, char: str) -> None:
    with pytest.raises(InvalidScanEvent) as info:
        validate_scan_event(event(**{field: f"a{char}b"}), now_ms=NOW_MS)
    assert (info.value.field, info.value.reason) == (field, "bad_text")
    assert f"U+{ord(char):04X}" in str(info.value)


def test_a_tab_in_a_header_is_kept() -> None:
    assert validate_scan_event(event(user_agent="a\tb"))["user_agent"] == "a\tb"


@pytest.mark.parametrize(("field", "limit"), sorted(MAX_LENGTH.items()))
def test_over_long_text_is_refused_at_its_documented_limit(field: str, limit: int) -> None:
    assert validate_scan_event(event(**{field: "x" * limit}))[field] == "x" * limit  # type: ignore[literal-required]
    with pytest.raises(InvalidScanEvent) as info:
        validate_scan_event(event(**{field: "x" * (limit + 1)}))
    assert (info.value.field, info.value.reason) == (field, "too_long")


def test_an_over_long_address_is_refused_without_echoing_it() -> None:
    with pytest.raises(InvalidScanEvent) as info:
        validate_scan_event(event(client_ip="1" * 10_000))
    assert info.value.reason == "bad_ip" and len(str(info.value)) < 200


def test_not_a_mapping_is_rejected() -> None:
    with pytest.raises(InvalidScanEvent):
        validate_scan_event(["a"], now_ms=NOW_MS)  # type: ignore[arg-type]


def test_timestamp_exactly_one_hour_ahead_is_accepted() -> None:
    validate_scan_event(event(occurred_at=NOW + timedelta(hours=1)), now_ms=NOW_MS)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_millis_round_trip(moment: datetime) -> None:
    millis = to_millis(moment)
    assert to_millis(to_datetime(millis)) == millis


@given(st.ip_addresses())
def test_addresses_come_out_as_ipaddress_prints_them(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    for text in {str(address), address.exploded, str(address).upper()}:
        assert validate_scan_event(event(client_ip=text), now_ms=NOW_MS)["client_ip"] == str(address)


@given(st.uuids())
def test_event_ids_come_out_canonical(value: uuid.UUID) -> None:
    for text in (str(value), str(value).upper(), value.hex):
        assert validate_scan_event(event(event_id=text), now_ms=NOW_MS)["event_id"] == str(value)


@pytest.mark.parametrize(
    "text", ["01.2.3.4", "1.2.3", "1.2.3.4.5", "::ffff:1.2.3.256", "1::2::3", "fe80::1%eth0x"]
)
def test_odd_address_texts_are_rejected(text: str) -> None:
    with pytest.raises(InvalidScanEvent):
        validate_scan_event(event(client_ip=text), now_ms=NOW_MS)
