"""Write the simulated catalog to PostgreSQL with upserts, so re-running is harmless."""

from __future__ import annotations

import psycopg

from simulator.catalog import Catalog
from simulator.errors import CatalogError

UPSERT_ORGANIZATION = """
INSERT INTO organizations (organization_id, name) VALUES (%s, %s)
ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name
"""
UPSERT_BRAND = """
INSERT INTO brands (brand_id, organization_id, name) VALUES (%s, %s, %s)
ON CONFLICT (brand_id) DO UPDATE SET organization_id = EXCLUDED.organization_id, name = EXCLUDED.name
"""
UPSERT_PRODUCT = """
INSERT INTO products (gtin, brand_id, name) VALUES (%s, %s, %s)
ON CONFLICT (gtin) DO UPDATE SET brand_id = EXCLUDED.brand_id, name = EXCLUDED.name
"""
# Any conflict (the membership exists, or the user already has another default)
# leaves what is there alone.
INSERT_MEMBERSHIP = """
INSERT INTO organization_memberships (user_id, organization_id, is_default) VALUES (%s, %s, %s)
ON CONFLICT DO NOTHING
"""


def seed_catalog(database_url: str, catalog: Catalog) -> None:
    """Upsert organizations, brands, products and demo memberships in one transaction."""
    try:
        with psycopg.connect(database_url) as conn, conn.cursor() as cur:
            cur.executemany(UPSERT_ORGANIZATION, [(o.organization_id, o.name) for o in catalog.organizations])
            cur.executemany(UPSERT_BRAND, [(b.brand_id, b.organization_id, b.name) for b in catalog.brands])
            cur.executemany(UPSERT_PRODUCT, [(p.gtin14, p.brand_id, p.name) for p in catalog.products])
            cur.executemany(
                INSERT_MEMBERSHIP, [(m.user_id, m.organization_id, m.is_default) for m in catalog.memberships]
            )
    except psycopg.Error as e:
        reason = " ".join(str(e).split())
        raise CatalogError(f"could not write the catalog to the database: {reason}") from e
