"""Scans by region and city: named above the threshold, bounded by top_places, sums whole."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from scan_analytics.settings import Settings
from tests.integration.api.conftest import SCANS, TODAY, insert_scans, seed_catalog
from tests.integration.api.reference import expected
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration

D = date.fromisoformat
ORG = "pl-org"
# GTINs ending in 1, 2 and 3: towns 1, 2 and 0 of region 1, 0 and 1 (conftest.place_for)
G1, G2, G3 = "00000000030011", "00000000030022", "00000000030033"
NAMES = {G1: ("Oats", "One", ORG), G2: ("Rye", "One", ORG), G3: ("Spelt", "Two", ORG)}
ROWS = [
    (D("2026-04-10"), ORG, "pl-one", G1, "US", "mobile", False, 40),
    (D("2026-04-11"), ORG, "pl-one", G1, "US", "tablet", False, 15),
    (D("2026-04-11"), ORG, "pl-one", G1, "DE", "mobile", False, 9),  # one scan short of being named
    (D("2026-04-12"), ORG, "pl-one", G1, "FR", "desktop", True, 30),  # a region, no city
    (D("2026-04-12"), ORG, "pl-one", G2, "US", "mobile", False, 12),
    (D("2026-04-12"), ORG, "pl-one", G2, "JP", "mobile", False, 1),  # a single shopper
    (D("2026-04-13"), ORG, "pl-two", G3, "US", "mobile", False, 25),
    (D("2026-04-13"), ORG, "pl-two", G3, "unknown", "mobile", False, 6),
    (D("2026-04-14"), ORG, "pl-two", G3, "GB", "other", False, 3),  # no place
]


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(
        db,
        {ORG: {"pl-one": "One", "pl-two": "Two"}},
        {G1: ("pl-one", "Oats"), G2: ("pl-one", "Rye"), G3: ("pl-two", "Spelt")},
        [("pl-user", ORG, True)],
    )
    insert_scans(db, ROWS)


def get(client: TestClient, issuer: Issuer, **params: str) -> dict[str, Any]:
    params.setdefault("places", "true")
    resp = client.get(SCANS, params=params, headers={"Authorization": f"Bearer {issuer.token('pl-user')}"})
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def city(name: str, code: str, scans: int) -> dict[str, Any]:
    region = f"Region {code[-1]} of {code[:2]}"
    return {
        "name": name,
        "region_code": code,
        "region_name": region,
        "country_code": code[:2],
        "scans": scans,
    }


def test_cities_and_regions_of_the_organization(client: TestClient, issuer: Issuer) -> None:
    body = get(client, issuer)
    assert body["by_city"] == {
        "cities": [city("Town 1", "US-R1", 55), city("Town 0", "US-R1", 25), city("Town 2", "US-R0", 12)],
        "other": 10,  # Town 1 of DE-R1 (9) and Town 2 of JP-R0 (1)
        "unknown": 39,  # FR's desktops (a region only), the unknown country, GB's other device
    }
    assert body["by_region"] == {
        "regions": [
            {"code": "US-R1", "name": "Region 1 of US", "country_code": "US", "scans": 80},
            {"code": "FR-R1", "name": "Region 1 of FR", "country_code": "FR", "scans": 30},
            {"code": "US-R0", "name": "Region 0 of US", "country_code": "US", "scans": 12},
        ],
        "other": 10,
        "unknown": 9,
    }
    for part in (body["by_city"], body["by_region"]):
        assert sum(e["scans"] for e in next(iter(part.values()))) + part["other"] + part["unknown"] == 141
    oats = body["top_products"][0]
    assert oats["gtin"] == G1 and oats["by_city"] == {
        "cities": [city("Town 1", "US-R1", 55)],
        "other": 9,
        "unknown": 30,
    }
    assert body == expected(ROWS, NAMES, ORG, None, D("2026-03-18"), TODAY, 20, with_places=True)


def test_top_places_bounds_the_names_and_the_rest_is_other(client: TestClient, issuer: Issuer) -> None:
    body = get(client, issuer, top_places="1")
    assert body["by_city"] == {"cities": [city("Town 1", "US-R1", 55)], "other": 47, "unknown": 39}
    assert body == expected(
        ROWS, NAMES, ORG, None, D("2026-03-18"), TODAY, 20, top_places=1, with_places=True
    )
    brand = get(client, issuer, brand_id="pl-two", top_places="2")
    assert brand == expected(
        ROWS, NAMES, ORG, "pl-two", D("2026-03-18"), TODAY, 20, top_places=2, with_places=True
    )
    assert brand["by_city"]["cities"] == [city("Town 0", "US-R1", 25)]


@pytest.fixture()
def everyone_named(api_settings: Settings) -> Iterator[TestClient]:
    settings = api_settings.model_copy(update={"api_place_min_scans": 1})
    with TestClient(create_app(settings, today=lambda: TODAY), raise_server_exceptions=False) as c:
        yield c


def test_the_threshold_is_a_setting(everyone_named: TestClient, issuer: Issuer) -> None:
    body = get(everyone_named, issuer)
    assert [c["name"] for c in body["by_city"]["cities"]] == [
        "Town 1",
        "Town 0",
        "Town 2",
        "Town 1",
        "Town 2",
    ]
    assert body["by_city"]["other"] == 0
    assert body == expected(
        ROWS, NAMES, ORG, None, D("2026-03-18"), TODAY, 20, min_place_scans=1, with_places=True
    )


def test_places_answer_utc_days_only(client: TestClient, issuer: Issuer) -> None:
    hours = get(client, issuer, since="2026-04-10", until="2026-04-14", granularity="hour")
    assert hours["by_city"] == get(client, issuer, since="2026-04-10", until="2026-04-14")["by_city"]
    chicago = get(client, issuer, since="2026-04-10", until="2026-04-14", tz="America/Chicago")
    assert chicago["by_city"] is None and chicago["by_region"] is None
    assert all(p["by_city"] is None for p in chicago["top_products"])


def test_places_only_when_asked_for(client: TestClient, issuer: Issuer) -> None:
    plain = get(client, issuer, places="false")
    assert "by_city" not in plain and "by_region" not in plain
    assert all("by_city" not in p for p in plain["top_products"])
    assert plain == expected(ROWS, NAMES, ORG, None, D("2026-03-18"), TODAY, 20)
    resp = client.get(
        SCANS, params={"places": "yes"}, headers={"Authorization": f"Bearer {issuer.token('pl-user')}"}
    )
    assert resp.status_code == 400 and "places must be true or false" in resp.json()["detail"]


@pytest.mark.parametrize("raw", ["0", "101", "ten", ""])
def test_top_places_is_checked(client: TestClient, issuer: Issuer, raw: str) -> None:
    resp = client.get(
        SCANS, params={"top_places": raw}, headers={"Authorization": f"Bearer {issuer.token('pl-user')}"}
    )
    assert resp.status_code == 400 and "top_places" in resp.json()["detail"]


TIE_ORG, TIE_GTIN = "pl-ties", "00000000030044"


def test_ties_are_named_in_code_point_order(
    db: psycopg.Connection, client: TestClient, issuer: Issuer
) -> None:
    """Places with as many scans are named by name (then code), each character by its code point."""
    seed_catalog(
        db, {TIE_ORG: {"pl-tie": "Tie"}}, {TIE_GTIN: ("pl-tie", "Barley")}, [("pl-tied", TIE_ORG, True)]
    )
    insert_scans(db, [(D("2026-04-10"), TIE_ORG, "pl-tie", TIE_GTIN, "CH", "mobile", False, 50)])
    towns = [
        ("CH", "CH-ZH", "Zürich", "Zürich"),
        ("CH", "CH-ZG", "Zug", "Zug"),
        ("FR", "FR-IDF", "Île", "Île"),
    ]
    towns += [("DE", "DE-BW", "aalen", "aalen"), ("US", "US-TX", "Austin", "Austin")]
    db.execute("DELETE FROM scan_daily_place_summary WHERE organization_id = %s", (TIE_ORG,))
    for country, code, region, town in towns:
        db.execute(
            "INSERT INTO scan_daily_place_summary (day, organization_id, brand_id, gtin, country_code,"
            " is_bot, region_code, region_name, city, scans)"
            " VALUES (%s, %s, 'pl-tie', %s, %s, false, %s, %s, %s, 10)",
            (D("2026-04-10"), TIE_ORG, TIE_GTIN, country, code, region, town),
        )
    resp = client.get(
        SCANS,
        params={"places": "true", "top_places": "4", "since": "2026-04-01", "until": "2026-04-20"},
        headers={"Authorization": f"Bearer {issuer.token('pl-tied')}"},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    named = ["Austin", "Zug", "Zürich", "aalen"]  # "Île" folds into other: its Î comes after them all
    assert [c["name"] for c in body["by_city"]["cities"]] == named
    assert [r["name"] for r in body["by_region"]["regions"]] == named
    assert body["by_city"]["other"] == body["by_region"]["other"] == 10
    product = body["top_products"][0]
    assert [c["name"] for c in product["by_city"]["cities"]] == named
