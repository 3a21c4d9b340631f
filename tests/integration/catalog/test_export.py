"""`catalog export` writes the import format; importing an export changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from scan_analytics.catalog import operations
from scan_analytics.catalog.store import Counts
from tests.integration.catalog.conftest import CATALOG_CSV, write

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("name", ["export.csv", "export.jsonl", "export.ndjson"])
def test_export_then_import_is_a_no_op(database_url: str, tmp_path: Path, name: str) -> None:
    operations.import_file(database_url, write(tmp_path / "catalog.csv", CATALOG_CSV))
    with psycopg.connect(database_url) as conn:  # a row the import did not write, with a name to quote
        conn.execute(
            "UPDATE products SET name = %s WHERE gtin = '00000000000017'", ('Cola "classic", 33 cl',)
        )
    exported = tmp_path / name
    assert operations.export_file(database_url, str(exported)) == 9
    result = operations.import_file(database_url, str(exported))
    assert result == {
        "organizations": Counts(unchanged=2),
        "brands": Counts(unchanged=3),
        "products": Counts(unchanged=4),
    }


def test_export_lists_each_kind_in_key_order(database_url: str, tmp_path: Path) -> None:
    operations.import_file(database_url, write(tmp_path / "catalog.csv", CATALOG_CSV))
    exported = tmp_path / "export.jsonl"
    operations.export_file(database_url, str(exported))
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    key = {"organization": "organization_id", "brand": "brand_id", "product": "gtin"}
    assert [(row["kind"], row[key[row["kind"]]]) for row in lines] == [
        ("organization", "acme"),
        ("organization", "rival"),
        ("brand", "acme-home"),
        ("brand", "acme-kids"),
        ("brand", "rival-soda"),
        ("product", "00000000000017"),
        ("product", "00000096385074"),
        ("product", "00012345678905"),
        ("product", "04006381333931"),
    ]


def test_an_empty_catalog_exports_a_header_only(database_url: str, tmp_path: Path) -> None:
    exported = tmp_path / "empty.csv"
    assert operations.export_file(database_url, str(exported)) == 0
    assert exported.read_text() == "kind,organization_id,brand_id,gtin,name\n"
    assert operations.import_file(database_url, str(exported)) == {
        table: Counts() for table in ("organizations", "brands", "products")
    }
