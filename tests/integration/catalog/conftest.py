"""Fixtures of the catalog's integration tests: a fresh migrated database per test, catalog files."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from scan_analytics.settings import Settings
from tests.integration.conftest import isolated

HEADER = "kind,organization_id,brand_id,gtin,name\n"
CATALOG_CSV = HEADER + (
    "organization,acme,,,Acme Inc.\n"
    "organization,rival,,,Rival Ltd\n"
    "brand,acme,acme-kids,,Acme Kids\n"
    "brand,acme,acme-home,,Acme Home\n"
    "brand,rival,rival-soda,,Rival Soda\n"
    'product,,acme-kids,012345678905,"Juice, 1 l"\n'
    "product,,acme-kids,96385074,Mini Juice\n"
    "product,,acme-home,4006381333931,Soap\n"
    "product,,rival-soda,00000000000017,Cola\n"
)


@pytest.fixture()
def catalog_settings(base_settings: Settings, run_id: str) -> Iterator[Settings]:
    """Settings pointing at a fresh, migrated database of this test's own."""
    with isolated(base_settings, f"{run_id}_catalog_{uuid.uuid4().hex[:6]}") as own:
        yield own


@pytest.fixture()
def database_url(catalog_settings: Settings) -> str:
    return catalog_settings.database_url


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def table(database_url: str, name: str) -> list[tuple[str, ...]]:
    """Return a catalog table's rows (without created_at), by key."""
    columns = {
        "organizations": "organization_id, name",
        "brands": "brand_id, organization_id, name",
        "products": "gtin, brand_id, name",
    }[name]
    with psycopg.connect(database_url) as conn:
        return [tuple(row) for row in conn.execute(f"SELECT {columns} FROM {name} ORDER BY 1")]
