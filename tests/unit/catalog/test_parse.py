"""Rows to a checked catalog: every kind of error names its line and field; references resolve."""

from __future__ import annotations

import pytest

from scan_analytics.catalog.errors import CatalogFileError, ErrorLog, LineError
from scan_analytics.catalog.parse import resolve
from scan_analytics.catalog.readers import JSONL
from scan_analytics.catalog.records import BRAND, ORGANIZATION, Brand, Organization, Product
from tests.unit.catalog.helpers import GOOD_CSV, errors, parse_text

HEADER = "kind,organization_id,brand_id,gtin,name\n"


def test_a_combined_file_gives_every_kind_in_file_order() -> None:
    parsed = parse_text(GOOD_CSV)
    assert errors(parsed) == []
    assert parsed.catalog.organizations == [Organization("acme", "Acme Inc.")]
    assert parsed.catalog.brands == [Brand("acme-kids", "acme", "Acme Kids")]
    assert parsed.catalog.products == [
        Product("00012345678905", "acme-kids", "Juice, 1 l"),
        Product("00000096385074", "acme-kids", "Mini Juice"),
    ]
    assert parsed.unresolved == {ORGANIZATION: {}, BRAND: {}}


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("widget,beta,,,Beta", "kind", "expected one of organization, brand, product, got 'widget'"),
        (
            ",beta,,,Beta",
            "kind",
            "missing; give a kind (organization, brand, product) or exactly the fields of one: "
            "organization_id,name | brand_id,organization_id,name | gtin,brand_id,name",
        ),
        ("organization,,,,Beta", "organization_id", "required for an organization"),
        ("organization,beta,,,", "name", "required for an organization"),
        ("organization,beta,kids,,Beta", "brand_id", "not a field of an organization; leave it empty"),
        (
            "organization,be\x00ta,,,Beta",
            "organization_id",
            "contains a control character U+0000 at character 3",
        ),
        ("organization," + "o" * 129 + ",,,Beta", "organization_id", "129 characters, at most 128 allowed"),
        ("organization,beta,,,   ", "name", "empty"),
        ("organization,beta,,,Beta" + "!" * 600, "name", "604 characters, at most 512 allowed"),
        ("brand,,beta-kids,,Kids", "organization_id", "required for a brand"),
        ("brand,acme,beta-kids,96385074,Kids", "gtin", "not a field of a brand; leave it empty"),
        ("product,,kids,4006381333932,Juice", "gtin", "wrong check digit in 4006381333932"),
        ("product,,kids,12345678905,Juice", "gtin", "11 digits, expected 8, 12, 13 or 14"),
        ("product,,,96385074,Juice", "brand_id", "required for a product"),
        ("product,acme,kids,96385074,Juice", "organization_id", "not a field of a product; leave it empty"),
    ],
)
def test_each_bad_field_is_reported_with_line_and_field(row: str, field: str, message: str) -> None:
    parsed = parse_text(HEADER + "organization,acme,,,Acme\nbrand,acme,kids,,Kids\n" + row + "\n")
    assert errors(parsed) == [(4, field, message)]
    assert len(parsed.catalog) == 2  # the bad row is not kept


def test_all_problems_of_a_row_are_reported() -> None:
    parsed = parse_text(HEADER + "product,acme,b\x00,123,\n")
    assert errors(parsed) == [
        (2, "gtin", "3 digits, expected 8, 12, 13 or 14"),
        (2, "brand_id", "contains a control character U+0000 at character 2"),
        (2, "name", "required for a product"),
        (2, "organization_id", "not a field of a product; leave it empty"),
    ]


def test_duplicates_name_the_first_line_and_compare_normalized_gtins() -> None:
    parsed = parse_text(
        GOOD_CSV + "organization,acme,,,Acme again\nproduct,,acme-kids,0012345678905,Juice again\n"
    )
    assert errors(parsed) == [
        (6, "organization_id", "organization 'acme' is also on line 2"),
        (7, "gtin", "product '00012345678905' is also on line 4"),
    ]


def test_references_resolve_within_the_file_in_any_order() -> None:
    parsed = parse_text(
        HEADER + "product,,kids,96385074,Mini\nbrand,acme,kids,,Kids\norganization,acme,,,Acme\n"
    )
    assert errors(parsed) == []
    assert parsed.unresolved_ids(ORGANIZATION) == [] and parsed.unresolved_ids(BRAND) == []


def test_dangling_references_are_errors_unless_the_database_has_them() -> None:
    parsed = parse_text(
        HEADER + "brand,elsewhere,kids,,Kids\nproduct,,kids,96385074,Mini\n"
        "product,,gone,4006381333931,Lost\nproduct,,gone,012345678905,Lost too\n"
    )
    assert parsed.unresolved_ids(ORGANIZATION) == ["elsewhere"]
    assert parsed.unresolved_ids(BRAND) == ["gone"]
    resolve(parsed, {ORGANIZATION: {"elsewhere"}, BRAND: {"other"}})
    assert errors(parsed) == [
        (4, "brand_id", "brand 'gone' is neither in the file nor in the database"),
        (5, "brand_id", "brand 'gone' is neither in the file nor in the database"),
    ]


def test_an_id_defined_on_a_bad_line_does_not_make_its_users_dangle() -> None:
    parsed = parse_text(HEADER + "brand,acme,kids,,\nproduct,,kids,96385074,Mini\norganization,acme,,,Acme\n")
    resolve(parsed, {})
    assert errors(parsed) == [(2, "name", "required for a brand")]


def test_jsonl_fields_must_be_strings() -> None:
    parsed = parse_text(
        '{"kind": "product", "gtin": 4006381333931, "brand_id": "kids", "name": "Juice"}\n'
        '{"kind": 3, "organization_id": "acme", "name": "Acme"}\n',
        JSONL,
    )
    assert errors(parsed) == [
        (1, "gtin", "expected a string, got a number (write GTINs as strings: numbers lose leading zeros)"),
        (2, "kind", "expected one of organization, brand, product, got a number"),
    ]


def test_the_error_log_keeps_the_first_lines_and_counts_all() -> None:
    log = ErrorLog(keep=3)
    for line in (9, 2, 7, 5, 2, 11):
        log.add(LineError(line, "name", f"bad {line}"))
    assert log.total == 6
    assert [(e.line, e.message) for e in log.first()] == [(2, "bad 2"), (2, "bad 2"), (5, "bad 5")]


def test_the_file_error_shows_twenty_errors_and_counts_the_rest() -> None:
    parsed = parse_text(HEADER + "".join(f"organization,org-{i},,,\n" for i in range(25)))
    error = CatalogFileError("big.csv", parsed.errors)
    lines = str(error).splitlines()
    assert lines[0] == "big.csv: 25 errors, nothing written"
    assert lines[1] == "  line 2, field name: required for an organization"
    assert lines[20] == "  line 21, field name: required for an organization"
    assert lines[21:] == ["  ... and 5 more"]
    assert error.total == 25 and len(error.errors) == 20
