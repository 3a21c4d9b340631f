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


PERSON = (False, "human", "", "", "", "")
CHATGPT_USER = (True, "ai_agent", "ai_assistant", "ChatGPT-User", "OpenAI", "verified")
GPTBOT = (True, "ai_agent", "ai_training_crawler", "GPTBot", "OpenAI", "verified")
SPOOFED_GOOGLEBOT = (True, "bot", "unknown_bot", "Googlebot", "Google", "spoofed")
SCRAPER = (True, "bot", "high_rate", "", "", "")  # a desktop browser the rate rule flagged


def scan_rows() -> list[tuple[object, ...]]:
    """Scans over the last 120 days: a different mix per product, country, device and who scanned."""
    rows: list[tuple[object, ...]] = []
    mixes = [
        ("US", "mobile", PERSON, 7),
        ("CA", "desktop", PERSON, 3),
        ("GB", "tablet", PERSON, 2),
        ("DE", "desktop", SCRAPER, 5),
        ("unknown", "bot", SPOOFED_GOOGLEBOT, 1),
        ("US", "desktop", CHATGPT_USER, 2),
        ("US", "bot", GPTBOT, 4),
    ]
    for back in range(120):
        day = TODAY - timedelta(days=back)
        for n, (gtin, (brand, _name)) in enumerate(PRODUCTS.items()):
            org = next(o for o, brands in ORGS.items() if brand in brands)
            for m, (country, device, who, weight) in enumerate(mixes):
                scans = (weight * (n + 1) + back * (m + 1) + n * m) % (13 + 4 * n)
                if who[0]:
                    scans = scans * 6 if gtin.endswith("29") else scans // 4  # scrapers like one product
                if scans:
                    rows.append((day, org, brand, gtin, country, device, *who, scans))
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
