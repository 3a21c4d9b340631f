"""Exact answers on a hand-made dataset, written out by hand and checked against the reference."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import SCANS, insert_scans, seed_catalog
from tests.integration.api.reference import ScanRow, expected, without_places
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration

D = date.fromisoformat
G1, G2, G3, G4, G9 = "00012345678905", "00000000000017", "00000000000024", "00000000000031", "00000000000048"
ROWS: list[ScanRow] = [
    (D("2026-03-17"), "ex-acme", "ex-acme", G1, "US", "mobile", False, 100),  # the day before the default
    (D("2026-03-18"), "ex-acme", "ex-acme", G1, "US", "mobile", False, 10),
    (D("2026-03-18"), "ex-acme", "ex-acme", G1, "CA", "desktop", True, 2),  # scraper with a browser UA
    (D("2026-04-01"), "ex-acme", "ex-acme", G1, "unknown", "bot", True, 3),
    (D("2026-04-17"), "ex-acme", "ex-kids", G2, "US", "mobile", False, 7),
    (D("2026-04-17"), "ex-acme", "ex-kids", G2, "DE", "tablet", False, 5),
    (D("2026-04-10"), "ex-acme", "ex-acme", G3, "GB", "other", False, 1),  # not in the catalog
    (D("2026-04-02"), "ex-acme", "ex-acme", G4, "US", "mobile", False, 0),  # a zero row
    (D("2026-04-18"), "ex-acme", "ex-acme", G1, "US", "mobile", False, 1000),  # after today
    (D("2026-01-05"), "ex-acme", "ex-acme", G1, "FR", "mobile", False, 40),
    (D("2026-02-28"), "ex-acme", "ex-kids", G2, "FR", "mobile", True, 8),
    (D("2026-04-01"), "ex-rival", "ex-rival", G9, "US", "mobile", False, 5000),
    (D("2026-04-01"), "ex-rival", "ex-rival", G1, "US", "desktop", False, 777),  # same GTIN, other org
]
NAMES = {
    G1: ("Citric Acid 500g", "Acme", "ex-acme"),
    G2: ("Kids Juice", "Acme Kids", "ex-acme"),
    G9: ("Rival Soda", "Rival", "ex-rival"),
}


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(
        db,
        {"ex-acme": {"ex-acme": "Acme", "ex-kids": "Acme Kids"}, "ex-rival": {"ex-rival": "Rival"}},
        {G1: ("ex-acme", "Citric Acid 500g"), G2: ("ex-kids", "Kids Juice"), G9: ("ex-rival", "Rival Soda")},
        [("ex-alice", "ex-acme", True), ("ex-alice", "ex-rival", False)],
    )
    insert_scans(db, ROWS)


def get(client: TestClient, issuer: Issuer, **params: str) -> dict[str, object]:
    resp = client.get(SCANS, params=params, headers={"Authorization": f"Bearer {issuer.token('ex-alice')}"})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/json"
    body: dict[str, object] = resp.json()
    return body


# the test data's places (conftest.place_for): by the GTIN's last digit and the device
US_R1 = {"code": "US-R1", "name": "Region 1 of US", "country_code": "US"}
TOWN_2 = {
    "name": "Town 2",
    "region_code": "US-R1",
    "region_name": "Region 1 of US",
    "country_code": "US",
    "scans": 10,
}


def test_defaults(client: TestClient, issuer: Issuer) -> None:
    days = {"2026-03-18": 12, "2026-04-01": 3, "2026-04-10": 1, "2026-04-17": 12}
    full = {
        "organization_id": "ex-acme",
        "window": {"since": "2026-03-18", "until": "2026-04-17", "tz": "UTC"},
        "total_scans": 28,
        "billable_scans": 23,
        "bot_scans": 5,
        "human_scans": 23,
        "agent_scans": 0,
        "top_products": [
            {
                "gtin": G1,
                "product_name": "Citric Acid 500g",
                "brand": "Acme",
                "scans": 15,
                "billable_scans": 10,
                "by_country": {"US": 10, "unknown": 3, "CA": 2},
                "by_device": {"mobile": 10, "bot": 3, "desktop": 2},
                "by_traffic_class": {"human": 10, "ai_agent": 0, "bot": 5},
                "by_region": {"regions": [US_R1 | {"scans": 10}], "other": 2, "unknown": 3},
                "by_city": {"cities": [TOWN_2], "other": 0, "unknown": 5},
            },
            {
                "gtin": G2,
                "product_name": "Kids Juice",
                "brand": "Acme Kids",
                "scans": 12,
                "billable_scans": 12,
                "by_country": {"US": 7, "DE": 5},
                "by_device": {"mobile": 7, "tablet": 5},
                "by_traffic_class": {"human": 12, "ai_agent": 0, "bot": 0},
                # Town 1 of US (7 scans) and of DE (5): fewer than 10 each, not named
                "by_region": {"regions": [], "other": 12, "unknown": 0},
                "by_city": {"cities": [], "other": 12, "unknown": 0},
            },
            {
                "gtin": G3,
                "product_name": None,
                "brand": None,
                "scans": 1,
                "billable_scans": 1,
                "by_country": {"GB": 1},
                "by_device": {"other": 1},
                "by_traffic_class": {"human": 1, "ai_agent": 0, "bot": 0},
                "by_region": {"regions": [], "other": 0, "unknown": 1},
                "by_city": {"cities": [], "other": 0, "unknown": 1},
            },
        ],
        # bots counted before agents were recorded: no name, no category
        "top_agents": [
            {
                "name": None,
                "category": None,
                "operator": None,
                "verification": None,
                "traffic_class": "bot",
                "scans": 5,
            }
        ],
        "by_country": {"US": 17, "DE": 5, "unknown": 3, "CA": 2, "GB": 1},
        # DE-R1 (5) and CA-R1 (2) fold into other; CA-R1's 2 scans have no city
        "by_region": {"regions": [US_R1 | {"scans": 17}], "other": 7, "unknown": 4},
        "by_city": {"cities": [TOWN_2], "other": 12, "unknown": 6},
        "by_day": [
            {"date": f"2026-{m:02d}-{d:02d}", "scans": days.get(f"2026-{m:02d}-{d:02d}", 0)}
            for m, d in [(3, d) for d in range(18, 32)] + [(4, d) for d in range(1, 18)]
        ],
    }
    assert get(client, issuer, places="true") == full
    assert get(client, issuer) == without_places(full)  # places only when asked for


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"top": "1"},
        {"brand_id": "ex-kids"},
        {"brand_id": "ex-acme", "top": "2"},
        {"since": "2026-01-01"},  # whole months from the monthly rollup
        {"since": "2026-01-05", "until": "2026-03-17"},
        {"since": "2026-02-28", "until": "2026-02-28"},
        {"since": "2025-12-15", "until": "2026-05-31"},
        {"since": "2024-05-01", "until": "2026-04-30"},  # the longest window: 2025 a whole year
        {"since": "2025-04-18"},  # a year up to today: 2026 less the months after today
        {"since": "2026-04-18", "until": "2026-04-18"},
        {"since": "2020-01-01", "until": "2020-01-31"},  # nothing at all
        {"organization_id": "ex-rival"},
    ],
)
@pytest.mark.parametrize("places", [False, True])
def test_matches_reference(client: TestClient, issuer: Issuer, params: dict[str, str], places: bool) -> None:
    """Whatever the window's cover reads (days, weeks, months, years, added or taken away)."""
    since = D(params.get("since", "2026-03-18"))
    until = D(params.get("until", "2026-04-17"))
    want = expected(
        ROWS,
        NAMES,
        params.get("organization_id", "ex-acme"),
        params.get("brand_id"),
        since,
        until,
        int(params.get("top", "20")),
        with_places=places,
    )
    assert get(client, issuer, **params, **({"places": "true"} if places else {})) == want


def test_a_year_uses_the_rollups_and_agrees_with_the_days(client: TestClient, issuer: Issuer) -> None:
    body = get(client, issuer, since="2025-04-18")
    assert body["total_scans"] == 100 + 28 + 40 + 8
    assert sum(d["scans"] for d in body["by_day"]) == body["total_scans"]  # type: ignore[index, union-attr]
