"""Fixtures of the read API's integration tests: a database of their own, a token issuer, a client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from scan_analytics.settings import Settings
from stream_processors.sink import KEY_COLUMNS, UPSERT
from tests.integration.conftest import isolated
from tests.unit.api.tokenkit import AUDIENCE, ISSUER, Issuer

TODAY = date(2026, 4, 17)
SCANS = "/dashboard/api/v1/brand-analytics/scans"
UNLIMITED = {
    "api_user_rate": 1e6,
    "api_user_burst": 10**6,
    "api_user_concurrency": 1000,
    "api_org_rate": 1e6,
    "api_org_burst": 10**6,
    "api_org_concurrency": 1000,
}


@pytest.fixture(scope="session")
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture(scope="session")
def api_settings(
    base_settings: Settings, run_id: str, issuer: Issuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings with a fresh migrated database and the test issuer's JWKS file."""
    auth: Path = tmp_path_factory.mktemp("auth")
    with isolated(
        base_settings,
        f"{run_id}_api",
        jwks_url=None,
        dev_auth=True,
        jwks_file=issuer.write_jwks(auth / "jwks.json"),
        dev_private_key_file=auth / "dev-key.pem",
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        database_pool_min=1,
        database_pool_max=4,
        **UNLIMITED,  # tests of the limits set their own
    ) as own:
        yield own


@pytest.fixture(scope="session")
def db(api_settings: Settings) -> Iterator[psycopg.Connection]:
    with psycopg.connect(api_settings.database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def client(api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings, today=lambda: TODAY), raise_server_exceptions=False) as c:
        yield c


def seed_catalog(
    db: psycopg.Connection,
    orgs: dict[str, dict[str, str]],
    products: dict[str, tuple[str, str]],
    members: list[tuple[str, str, bool]],
) -> None:
    """Insert organizations {org: {brand_id: brand name}}, products {gtin: (brand_id, name)}, members."""
    with db.cursor() as cur:
        cur.executemany(
            "INSERT INTO organizations (organization_id, name) VALUES (%s, %s)",
            [(org, org.title()) for org in orgs],
        )
        cur.executemany(
            "INSERT INTO brands (brand_id, organization_id, name) VALUES (%s, %s, %s)",
            [(b, org, name) for org, brands in orgs.items() for b, name in brands.items()],
        )
        cur.executemany(
            "INSERT INTO products (gtin, brand_id, name) VALUES (%s, %s, %s)",
            [(g, b, name) for g, (b, name) in products.items()],
        )
        cur.executemany(
            "INSERT INTO organization_memberships (user_id, organization_id, is_default) VALUES (%s, %s, %s)",
            members,
        )


def full_row(row: tuple[object, ...]) -> tuple[object, ...]:
    """Return a scan row with the whole key of migration 0008, then scans.

    Rows of 8 (day, org, brand, gtin, country, device, is_bot, scans) are people (is_bot false)
    or bots that declared nothing, as the sink wrote them before 0008; rows of 13 are complete.
    """
    if len(row) == len(KEY_COLUMNS) + 1:
        return row
    *head, is_bot, scans = row
    return (*head, is_bot, "bot" if is_bot else "human", "", "", "", "", scans)


def place_for(gtin: str, country: str, device: str) -> tuple[str, str, str]:
    """The place (region code, region name, city) the test data gives a daily row's scans.

    Rows of unknown country or of other devices have no place; desktops and bots a region;
    phones and tablets a town in it. `PLACES` computes the same in SQL.
    """
    if country == "unknown" or device == "other":
        return ("", "", "")
    d = int(gtin[-1])
    return (
        f"{country}-R{d % 2}",
        f"Region {d % 2} of {country}",
        f"Town {d % 3}" if device in ("mobile", "tablet") else "",
    )


PLACES = """
DELETE FROM scan_daily_place_summary WHERE organization_id = ANY(%(orgs)s);
INSERT INTO scan_daily_place_summary
    (day, organization_id, brand_id, gtin, country_code, is_bot, region_code, region_name, city, scans)
SELECT day, organization_id, brand_id, gtin, country_code, is_bot, region_code, region_name, city, sum(scans)
FROM (
    SELECT s.*,
           CASE WHEN nowhere THEN '' ELSE country_code || '-R' || (right(gtin, 1)::int %% 2) END
               AS region_code,
           CASE WHEN nowhere THEN ''
                ELSE 'Region ' || (right(gtin, 1)::int %% 2) || ' of ' || country_code END AS region_name,
           CASE WHEN nowhere OR device_class NOT IN ('mobile', 'tablet') THEN ''
                ELSE 'Town ' || (right(gtin, 1)::int %% 3) END AS city
    FROM (SELECT *, country_code = 'unknown' OR device_class = 'other' AS nowhere
          FROM scan_daily_summary WHERE organization_id = ANY(%(orgs)s)) s
) placed
GROUP BY day, organization_id, brand_id, gtin, country_code, is_bot, region_code, region_name, city
HAVING sum(scans) > 0
"""


def insert_scans(db: psycopg.Connection, rows: list[tuple[object, ...]]) -> None:
    """Upsert scan rows (see `full_row`) as absolute counts with the sink's statement.

    The last row of a key wins, as the sink's newest count does. The organizations' place
    counts are then rewritten from their daily rows (`place_for`).
    """
    keyed = {r[:-1]: r for r in map(full_row, rows)}
    if keyed:
        db.execute(UPSERT, [list(c) for c in zip(*keyed.values(), strict=True)])
        refresh_places(db, sorted({str(r[1]) for r in keyed.values()}))


def refresh_places(db: psycopg.Connection, orgs: list[str]) -> None:
    """Rewrite the organizations' place counts from their daily rows (`place_for`)."""
    for statement in PLACES.split(";\n"):
        db.execute(statement, {"orgs": orgs})
