"""`catalog import` against the real database: counts, idempotence, updates, dry runs, rollbacks."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from scan_analytics.catalog import operations, store
from scan_analytics.catalog.errors import CatalogDatabaseError, CatalogFileError
from scan_analytics.catalog.store import Counts
from tests.integration.catalog.conftest import CATALOG_CSV, HEADER, table, write

pytestmark = pytest.mark.integration


def counts(
    inserted: tuple[int, int, int] = (0, 0, 0),
    updated: tuple[int, int, int] = (0, 0, 0),
    unchanged: tuple[int, int, int] = (0, 0, 0),
) -> dict[str, Counts]:
    """Counts by table from (organizations, brands, products) triples."""
    return {
        t: Counts(inserted[i], updated[i], unchanged[i])
        for i, t in enumerate(("organizations", "brands", "products"))
    }


def test_import_writes_every_row_and_a_reimport_changes_nothing(database_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "catalog.csv", CATALOG_CSV)
    assert operations.import_file(database_url, path) == counts(inserted=(2, 3, 4))
    assert table(database_url, "organizations") == [("acme", "Acme Inc."), ("rival", "Rival Ltd")]
    assert table(database_url, "brands") == [
        ("acme-home", "acme", "Acme Home"),
        ("acme-kids", "acme", "Acme Kids"),
        ("rival-soda", "rival", "Rival Soda"),
    ]
    assert table(database_url, "products") == [
        ("00000000000017", "rival-soda", "Cola"),
        ("00000096385074", "acme-kids", "Mini Juice"),
        ("00012345678905", "acme-kids", "Juice, 1 l"),
        ("04006381333931", "acme-home", "Soap"),
    ]
    with psycopg.connect(database_url) as conn:
        created = conn.execute("SELECT max(created_at) FROM products").fetchone()
    assert operations.import_file(database_url, path) == counts(unchanged=(2, 3, 4))
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT max(created_at) FROM products").fetchone() == created


def test_changed_names_and_moves_are_updates(database_url: str, tmp_path: Path) -> None:
    operations.import_file(database_url, write(tmp_path / "catalog.csv", CATALOG_CSV))
    changed = (
        CATALOG_CSV.replace("Rival Ltd", "Rival Group")
        .replace("product,,acme-kids,96385074,Mini Juice", "product,,acme-home,96385074,Mini Juice")
        .replace("Soap", "Soap 250 ml")
    )
    changed += "product,,acme-home,4006381333948,Sponge\n"
    assert operations.import_file(database_url, write(tmp_path / "changed.csv", changed)) == counts(
        inserted=(0, 0, 1), updated=(1, 0, 2), unchanged=(1, 3, 2)
    )
    assert ("rival", "Rival Group") in table(database_url, "organizations")
    products = table(database_url, "products")
    assert ("00000096385074", "acme-home", "Mini Juice") in products
    assert ("04006381333931", "acme-home", "Soap 250 ml") in products
    assert ("04006381333948", "acme-home", "Sponge") in products


def test_a_dry_run_counts_but_writes_nothing(database_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "catalog.csv", CATALOG_CSV)
    assert operations.import_file(database_url, path, dry_run=True) == counts(inserted=(2, 3, 4))
    assert table(database_url, "organizations") == table(database_url, "products") == []
    operations.import_file(database_url, path)
    renamed = write(tmp_path / "renamed.csv", CATALOG_CSV.replace("Cola", "Cola Zero"))
    assert operations.import_file(database_url, renamed, dry_run=True) == counts(
        updated=(0, 0, 1), unchanged=(2, 3, 3)
    )
    assert ("00000000000017", "rival-soda", "Cola") in table(database_url, "products")


def test_a_file_may_refer_to_rows_already_in_the_database(database_url: str, tmp_path: Path) -> None:
    operations.import_file(database_url, write(tmp_path / "orgs.csv", "organization_id,name\nacme,Acme\n"))
    brands = write(
        tmp_path / "brands.jsonl", '{"brand_id": "kids", "organization_id": "acme", "name": "Kids"}\n'
    )
    assert operations.import_file(database_url, brands)["brands"] == Counts(inserted=1)
    products = write(tmp_path / "products.csv", "gtin,brand_id,name\n96385074,kids,Mini\n")
    assert operations.import_file(database_url, products)["products"] == Counts(inserted=1)


def test_a_bad_line_anywhere_writes_nothing(database_url: str, tmp_path: Path) -> None:
    rows = "".join(f"organization,org-{i:03d},,,Org {i}\n" for i in range(200))
    bad = (
        HEADER + rows + "brand,org-001,b-1,,One\nproduct,,b-2,96385074,Dangling\nproduct,,b-1,96385075,Bad\n"
    )
    with pytest.raises(CatalogFileError) as caught:
        operations.import_file(database_url, write(tmp_path / "bad.csv", bad))
    assert [str(e) for e in caught.value.errors] == [
        "line 203, field brand_id: brand 'b-2' is neither in the file nor in the database",
        "line 204, field gtin: wrong check digit in 96385075",
    ]
    assert str(caught.value).startswith(f"{tmp_path / 'bad.csv'}: 2 errors, nothing written")
    assert table(database_url, "organizations") == table(database_url, "brands") == []


def test_a_database_failure_midway_rolls_back_the_tables_already_written(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "catalog.csv", CATALOG_CSV)
    monkeypatch.setitem(store.UPSERT, "products", "SELECT 1 / 0, 0")  # organizations and brands went first
    with pytest.raises(CatalogDatabaseError, match=r"cannot import .*division by zero; nothing written"):
        operations.import_file(database_url, path)
    assert table(database_url, "organizations") == table(database_url, "brands") == []


def test_a_large_file_imports_in_one_go(database_url: str, tmp_path: Path) -> None:
    rows = [HEADER, "organization,big,,,Big\n", "brand,big,big-1,,Big One\n"]
    for n in range(20_000):
        body = f"5{n:011d}"
        check = (10 - sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body))) % 10) % 10
        rows.append(f"product,,big-1,{body}{check},Product {n}\n")
    path = write(tmp_path / "big.csv", "".join(rows))
    assert operations.import_file(database_url, path)["products"] == Counts(inserted=20_000)
    assert operations.import_file(database_url, path)["products"] == Counts(unchanged=20_000)
