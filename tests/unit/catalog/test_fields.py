"""Field rules: types, emptiness, control characters, lengths, GTIN normalisation."""

from __future__ import annotations

import pytest

from scan_analytics.catalog import fields
from scan_analytics.catalog.fields import MAX_ID_LENGTH, MAX_NAME_LENGTH, FieldError


@pytest.mark.parametrize("value", ["acme", "org-01", "a" * MAX_ID_LENGTH, "Café Ünïcode", "a b"])
def test_good_identifiers_are_kept(value: str) -> None:
    assert fields.identifier(value, "brand_id") == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a" * (MAX_ID_LENGTH + 1), f"{MAX_ID_LENGTH + 1} characters, at most {MAX_ID_LENGTH} allowed"),
        ("ac\x00me", "contains a control character U+0000 at character 3"),
        ("acme\t", "contains a control character U+0009 at character 5"),
        ("\x7facme", "contains a control character U+007F at character 1"),
        ("ac\x85me", "contains a control character U+0085 at character 3"),
        ("ac\udcffme", "contains invalid UTF-8 or a lone surrogate (U+DCFF) at character 3"),
        (" acme", "starts or ends with whitespace: ' acme'"),
        ("acme ", "starts or ends with whitespace: 'acme '"),
        (42, "expected a string, got a number"),
        (True, "expected a string, got a boolean"),
        (["acme"], "expected a string, got an array"),
    ],
)
def test_bad_identifiers_name_the_field_and_the_reason(value: object, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        fields.identifier(value, "brand_id")
    assert (caught.value.field, caught.value.message) == ("brand_id", message)


@pytest.mark.parametrize(
    "value",
    [
        "Juice",
        " Juice with a leading space",
        "x" * MAX_NAME_LENGTH,
        "Crème brûlée\u00a0200 g",
        '"quoted", with commas',
    ],
)
def test_names_are_kept_exactly(value: str) -> None:
    assert fields.name(value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * (MAX_NAME_LENGTH + 1), f"{MAX_NAME_LENGTH + 1} characters, at most {MAX_NAME_LENGTH} allowed"),
        ("two\nlines", "contains a control character U+000A at character 4"),
        ("nul\x00", "contains a control character U+0000 at character 4"),
        ("\t", "empty"),
    ],
)
def test_bad_names(value: str, message: str) -> None:
    with pytest.raises(FieldError, match=r"^name: ") as caught:
        fields.name(value)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("96385074", "00000096385074"),  # GTIN-8
        ("012345678905", "00012345678905"),  # GTIN-12 (UPC-A)
        ("4006381333931", "04006381333931"),  # GTIN-13 (EAN-13)
        ("00012345678905", "00012345678905"),  # GTIN-14
    ],
)
def test_gtins_are_normalized_to_14_digits(value: str, normalized: str) -> None:
    assert fields.gtin(value) == normalized


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4006381333932", "wrong check digit in 4006381333932"),
        ("12345678905", "11 digits, expected 8, 12, 13 or 14"),
        ("4006381x33931", "not all digits: '4006381x33931'"),
        ("", "empty"),
        (
            4006381333931,
            "expected a string, got a number (write GTINs as strings: numbers lose leading zeros)",
        ),
    ],
)
def test_bad_gtins(value: object, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        fields.gtin(value)
    assert (caught.value.field, caught.value.message) == ("gtin", message)
