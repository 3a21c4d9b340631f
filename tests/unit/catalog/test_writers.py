"""What the export writes, the import reads back unchanged."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scan_analytics.catalog.fields import MAX_ID_LENGTH, MAX_NAME_LENGTH
from scan_analytics.catalog.readers import CSV, FORMATS, JSONL
from scan_analytics.catalog.records import Brand, Catalog, Organization, Product
from scan_analytics.catalog.writers import WRITERS
from tests.unit.catalog.helpers import errors, parse_text

CATALOG = Catalog(
    [Organization("acme", "Acme, Inc.")],
    [Brand("acme-kids", "acme", 'The "Kids" line')],
    [Product("00012345678905", "acme-kids", "Jüice 1 l"), Product("00000096385074", "acme-kids", "Mini")],
)


def written(catalog: Catalog, fmt: str) -> str:
    out = io.StringIO(newline="")
    assert WRITERS[fmt](out, catalog) == len(catalog)
    return out.getvalue()


def test_csv_has_the_combined_header_and_empty_unused_columns() -> None:
    assert written(CATALOG, CSV).splitlines() == [
        "kind,organization_id,brand_id,gtin,name",
        'organization,acme,,,"Acme, Inc."',
        'brand,acme,acme-kids,,"The ""Kids"" line"',
        "product,,acme-kids,00012345678905,Jüice 1 l",
        "product,,acme-kids,00000096385074,Mini",
    ]


def test_jsonl_has_only_the_fields_of_each_kind() -> None:
    lines = [json.loads(line) for line in written(CATALOG, JSONL).splitlines()]
    assert lines[0] == {"kind": "organization", "organization_id": "acme", "name": "Acme, Inc."}
    assert lines[1] == {
        "kind": "brand",
        "brand_id": "acme-kids",
        "organization_id": "acme",
        "name": 'The "Kids" line',
    }
    assert lines[2] == {
        "kind": "product",
        "gtin": "00012345678905",
        "brand_id": "acme-kids",
        "name": "Jüice 1 l",
    }


# Text the import accepts: no control characters or surrogates, not blank; ids not padded.
_chars = st.characters(exclude_categories=("Cc", "Cs"))
names = st.text(_chars, min_size=1, max_size=MAX_NAME_LENGTH).filter(str.strip)
ids = st.text(_chars, min_size=1, max_size=MAX_ID_LENGTH).filter(lambda s: s.strip() == s != "")


@given(
    st.lists(st.tuples(ids, names), min_size=1, max_size=5, unique_by=lambda t: t[0]),
    names,
    st.sampled_from(FORMATS),
)
def test_any_valid_catalog_survives_a_round_trip(orgs: list[tuple[str, str]], name: str, fmt: str) -> None:
    catalog = Catalog(
        [Organization(o, n) for o, n in orgs],
        [Brand(f"b-{i}", o, n) for i, (o, n) in enumerate(orgs)],
        [Product("00012345678905", "b-0", name)],
    )
    parsed = parse_text(written(catalog, fmt), fmt)
    assert errors(parsed) == []
    assert parsed.catalog == catalog


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_catalog_round_trips(fmt: str) -> None:
    parsed = parse_text(written(Catalog(), fmt), fmt)
    assert errors(parsed) == [] and len(parsed.catalog) == 0
