"""Fixtures of the dashboard's and the MCP server's tests: seeded scans and the API on real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from api.main import create_app
from scan_analytics.settings import REPO_ROOT, Settings
from tests.integration.api.conftest import UNLIMITED, insert_scans, seed_catalog
from tests.integration.api.served import serve
from tests.integration.conftest import isolated

TODAY = date(2026, 4, 17)
ARTIFACTS = REPO_ROOT / "test-artifacts" / "dashboard"
ACME, GLOBEX, QUIET = "dash-acme", "dash-globex", "dash-quiet"
ORGS = {
    ACME: {"acme-snacks": "Acme Snacks", "acme-drinks": "Acme Drinks"},
    GLOBEX: {"globex-tools": "Globex Tools"},
    QUIET: {"quiet-brand": "Quiet Brand"},
}
PRODUCTS = {
    "00012345678905": ("acme-snacks", "Acme Citric Acid 500g"),
    "00012345678912": ("acme-snacks", "Acme Salted Crisps 150g"),
    "00012345678929": ("acme-drinks", "Acme Cola 330ml"),
    "00098765432109": ("globex-tools", "Globex Hammer"),
}
MEMBERS = [("dana", ACME, True), ("dana", GLOBEX, False), ("eve", QUIET, True)]


def scan_rows() -> list[tuple[object, ...]]:
    """Scans over the last 120 days: a different mix per product, country, device and bot flag."""
    rows: list[tuple[object, ...]] = []
    mixes = [
        ("US", "mobile", False, 7),
        ("CA", "desktop", False, 3),
        ("GB", "tablet", False, 2),
        ("DE", "desktop", True, 5),
        ("unknown", "bot", True, 1),
    ]
    for back in range(120):
        day = TODAY - timedelta(days=back)
        for n, (gtin, (brand, _name)) in enumerate(PRODUCTS.items()):
            org = next(o for o, brands in ORGS.items() if brand in brands)
            for m, (country, device, bot, weight) in enumerate(mixes):
                scans = (weight * (n + 1) + back * (m + 1) + n * m) % (13 + 4 * n)
                if bot:
                    scans = scans * 6 if gtin.endswith("29") else scans // 4  # scrapers like one product
                if scans:
                    rows.append((day, org, brand, gtin, country, device, bot, scans))
    return rows


@pytest.fixture(scope="session")
def dash_settings(
    base_settings: Settings, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings with a fresh database and a development signing key of their own."""
    auth: Path = tmp_path_factory.mktemp("dashauth")
    with isolated(
        base_settings,
        f"{run_id}_dash",
        jwks_url=None,
        dev_auth=True,
        jwks_file=auth / "dev-jwks.json",
        dev_private_key_file=auth / "dev-key.pem",
        database_pool_min=1,
        database_pool_max=4,
        **UNLIMITED,
    ) as own:
        with psycopg.connect(own.database_url, autocommit=True) as db:
            seed_catalog(db, ORGS, PRODUCTS, MEMBERS)
            insert_scans(db, scan_rows())
        yield own


@pytest.fixture(scope="session")
def api_url(dash_settings: Settings) -> Iterator[str]:
    """The API with the dashboard on a loopback port, its today fixed."""
    with serve(create_app(dash_settings, today=lambda: TODAY)) as url:
        yield url
