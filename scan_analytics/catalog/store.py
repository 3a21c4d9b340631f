"""The catalog's SQL: look up ids, upsert staged rows, read everything back for export."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import psycopg

from scan_analytics.catalog.records import BRAND, ORGANIZATION, Brand, Catalog, Organization, Product, Record

STAGE = """
CREATE TEMP TABLE staged_organizations (organization_id text NOT NULL, name text NOT NULL) ON COMMIT DROP;
CREATE TEMP TABLE staged_brands (brand_id text NOT NULL, organization_id text NOT NULL, name text NOT NULL)
    ON COMMIT DROP;
CREATE TEMP TABLE staged_products (gtin text NOT NULL, brand_id text NOT NULL, name text NOT NULL)
    ON COMMIT DROP;
"""
COPY = {
    "organizations": "COPY staged_organizations (organization_id, name) FROM STDIN",
    "brands": "COPY staged_brands (brand_id, organization_id, name) FROM STDIN",
    "products": "COPY staged_products (gtin, brand_id, name) FROM STDIN",
}
# Each upsert leaves identical rows untouched and counts what it wrote: a row
# version has xmax = 0 only when this statement inserted it. Rows are taken in key
# order so that two imports running at once lock them in the same order.
UPSERT = {
    "organizations": """
WITH written AS (
    INSERT INTO organizations AS t (organization_id, name)
    SELECT organization_id, name FROM staged_organizations ORDER BY organization_id
    ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name
    WHERE t.name IS DISTINCT FROM EXCLUDED.name
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
""",
    "brands": """
WITH written AS (
    INSERT INTO brands AS t (brand_id, organization_id, name)
    SELECT brand_id, organization_id, name FROM staged_brands ORDER BY brand_id
    ON CONFLICT (brand_id) DO UPDATE SET organization_id = EXCLUDED.organization_id, name = EXCLUDED.name
    WHERE (t.organization_id, t.name) IS DISTINCT FROM (EXCLUDED.organization_id, EXCLUDED.name)
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
""",
    "products": """
WITH written AS (
    INSERT INTO products AS t (gtin, brand_id, name)
    SELECT gtin, brand_id, name FROM staged_products ORDER BY gtin
    ON CONFLICT (gtin) DO UPDATE SET brand_id = EXCLUDED.brand_id, name = EXCLUDED.name
    WHERE (t.brand_id, t.name) IS DISTINCT FROM (EXCLUDED.brand_id, EXCLUDED.name)
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
""",
}
EXISTING = {
    ORGANIZATION: "SELECT organization_id FROM organizations WHERE organization_id = ANY(%s)",
    BRAND: "SELECT brand_id FROM brands WHERE brand_id = ANY(%s)",
}
COUNT_ALL = """
SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM brands) + (SELECT count(*) FROM products)
"""
EXPORT: list[tuple[str, Callable[..., Record]]] = [
    ("SELECT organization_id, name FROM organizations ORDER BY organization_id", Organization),
    ("SELECT brand_id, organization_id, name FROM brands ORDER BY brand_id", Brand),
    ("SELECT gtin, brand_id, name FROM products ORDER BY gtin", Product),
]
EXPORT_BATCH = 10_000


@dataclass(frozen=True)
class Counts:
    """What an import did (or would do) to one table."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def existing_ids(conn: psycopg.Connection, kind: str, ids: Sequence[str]) -> set[str]:
    """Return those of `ids` that the database has, for an organization or brand."""
    if not ids:
        return set()
    return {row[0] for row in conn.execute(EXISTING[kind], (list(ids),))}


def upsert(conn: psycopg.Connection, catalog: Catalog, on_row: Callable[[int], object]) -> dict[str, Counts]:
    """Stage the catalog with COPY, then upsert each table; return counts by table. Call in a transaction."""
    tables: dict[str, Sequence[Record]] = {
        "organizations": catalog.organizations,
        "brands": catalog.brands,
        "products": catalog.products,
    }
    conn.execute(STAGE)
    counts: dict[str, Counts] = {}
    with conn.cursor() as cur:
        for table, records in tables.items():
            with cur.copy(COPY[table]) as copy:
                for i, record in enumerate(records, 1):
                    copy.write_row(record)
                    if i % 1000 == 0:
                        on_row(1000)
                on_row(len(records) % 1000)
            row = cur.execute(UPSERT[table]).fetchone()
            inserted, updated = row if row else (0, 0)
            counts[table] = Counts(inserted, updated, len(records) - inserted - updated)
    return counts


def count_all(conn: psycopg.Connection) -> int:
    """Return how many organizations, brands and products there are together."""
    row = conn.execute(COUNT_ALL).fetchone()
    return int(row[0]) if row else 0


def read_all(conn: psycopg.Connection) -> Iterator[Record]:
    """Yield every organization, brand and product, each kind in key order. Call in a transaction."""
    for query, make in EXPORT:
        with conn.cursor(name="catalog_export") as cur:
            cur.itersize = EXPORT_BATCH
            cur.execute(query)
            for row in cur:
                yield make(*row)
