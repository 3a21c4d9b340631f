"""Formats, headers, line numbers and syntax errors of CSV and JSON Lines files."""

from __future__ import annotations

import pytest

from scan_analytics.catalog.errors import CatalogError
from scan_analytics.catalog.readers import CSV, JSONL, format_of
from scan_analytics.catalog.records import Brand, Organization, Product
from tests.unit.catalog.helpers import errors, parse_text


@pytest.mark.parametrize(
    ("path", "explicit", "fmt"),
    [
        ("catalog.csv", None, CSV),
        ("export/CATALOG.CSV", None, CSV),
        ("catalog.jsonl", None, JSONL),
        ("catalog.ndjson", None, JSONL),
        ("catalog.txt", "csv", CSV),
        ("catalog.csv", "jsonl", JSONL),
    ],
)
def test_format_comes_from_the_option_or_the_extension(path: str, explicit: str | None, fmt: str) -> None:
    assert format_of(path, explicit) == fmt


def test_an_unknown_extension_asks_for_the_format() -> None:
    with pytest.raises(CatalogError, match=r"cannot tell the format of 'catalog\.txt'.*give --format"):
        format_of("catalog.txt")


@pytest.mark.parametrize(
    ("text", "records"),
    [
        ("organization_id,name\nacme,Acme\n", [Organization("acme", "Acme")]),
        ("name,organization_id,brand_id\nKids,acme,kids\n", [Brand("kids", "acme", "Kids")]),
        ("gtin,brand_id,name\n96385074,kids,Mini\n", [Product("00000096385074", "kids", "Mini")]),
    ],
)
def test_a_csv_without_kind_is_of_the_kind_its_header_names(text: str, records: list[object]) -> None:
    parsed = parse_text(text)
    assert errors(parsed) == []
    assert list(parsed.catalog) == records


def test_an_empty_file_has_no_header() -> None:
    assert errors(parse_text("")) == [(1, None, "empty file: expected a header line naming the columns")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "kind,organization_id,name,colour\n",
            [
                (
                    1,
                    "colour",
                    "unknown column 'colour'; columns are kind, organization_id, brand_id, gtin, name",
                )
            ],
        ),
        ("kind,name,name\n", [(1, "name", "column appears twice")]),
        (
            "gtin,name\n",
            [
                (
                    1,
                    "kind",
                    "no kind column, so the columns must be exactly those of one kind: "
                    "organization_id,name | brand_id,organization_id,name | gtin,brand_id,name",
                )
            ],
        ),
    ],
)
def test_bad_headers_stop_the_file(text: str, expected: list[tuple[int, str | None, str]]) -> None:
    assert errors(parse_text(text + "organization,acme,Acme\n")) == expected


def test_csv_lines_are_counted_from_the_header_across_blank_lines_and_quoted_newlines() -> None:
    text = (
        "kind,organization_id,name\n"
        "\n"
        'organization,acme,"Acme\nwith a newline"\n'
        "organization,,Nobody\n"
        "organization,x,y,z\n"
    )
    assert errors(parse_text(text)) == [
        (3, "name", "contains a control character U+000A at character 5"),
        (5, "organization_id", "required for an organization"),
        (6, None, "4 fields, but the header has 3"),
    ]


def test_a_byte_order_mark_is_ignored() -> None:
    parsed = parse_text(b"\xef\xbb\xbforganization_id,name\nacme,Acme\n")
    assert list(parsed.catalog) == [Organization("acme", "Acme")]
    parsed = parse_text(b'\xef\xbb\xbf{"organization_id": "acme", "name": "Acme"}\n', JSONL)
    assert list(parsed.catalog) == [Organization("acme", "Acme")]


def test_invalid_utf8_in_csv_names_line_and_field() -> None:
    parsed = parse_text(b"organization_id,name\nacme,Acme \xff\n")
    assert errors(parsed) == [
        (2, "name", "contains invalid UTF-8 or a lone surrogate (U+DCFF) at character 6")
    ]


def test_malformed_csv_quoting_is_reported_and_reading_goes_on() -> None:
    parsed = parse_text('organization_id,name\nacme,"Acme" Inc\nbeta,\x00Beta\n')
    assert errors(parsed) == [
        (2, None, "malformed CSV: ',' expected after '\"'"),
        (3, "name", "contains a control character U+0000 at character 1"),
    ]


def test_jsonl_rows_take_their_kind_from_the_kind_key_or_their_keys() -> None:
    text = (
        '{"kind": "organization", "organization_id": "acme", "name": "Acme"}\n'
        "\n"
        '{"brand_id": "kids", "organization_id": "acme", "name": "Kids", "gtin": null}\n'
        '{"gtin": "96385074", "brand_id": "kids", "name": "Mini"}\n'
    )
    parsed = parse_text(text, JSONL)
    assert errors(parsed) == []
    assert list(parsed.catalog) == [
        Organization("acme", "Acme"),
        Brand("kids", "acme", "Kids"),
        Product("00000096385074", "kids", "Mini"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            b'{"organization_id": "acme", "name": "Acme"',
            (1, None, "not valid JSON: Expecting ',' delimiter at column 43"),
        ),
        (b'["organization", "acme", "Acme"]', (1, None, "expected a JSON object, got an array")),
        (
            b'{"organization_id": "acme", "name": "A", "name": "B"}',
            (1, "name", "appears twice in the object"),
        ),
        (
            b'{"organization_id": "acme", "name": "Acme \xc3"}',
            (1, None, "not valid UTF-8 (byte 0xC3 at byte 43)"),
        ),
        (
            b'{"organization_id": "ac\\u0000me", "name": "Acme"}',
            (1, "organization_id", "contains a control character U+0000 at character 3"),
        ),
        (
            b'{"organization_id": "acme", "title": "Acme"}',
            (1, "title", "unknown field; fields are kind, organization_id, brand_id, gtin, name"),
        ),
    ],
)
def test_bad_json_lines(line: bytes, expected: tuple[int, str | None, str]) -> None:
    assert expected in errors(parse_text(line + b"\n", JSONL))
