"""The answer's bytes: the daily statement writes most of the document as JSON text (queries._JSON_ANSWER).

What it writes must be what JSONResponse writes for the same document: json.dumps with
ensure_ascii=False and no spaces, keys in the answer's order, dictionaries by count then key.
Names with quotes, backslashes, control characters and characters outside ASCII come from the
catalog and from the agents' columns, the only free text in an answer.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import SCANS, insert_scans, seed_catalog
from tests.integration.api.reference import AgentRow, expected
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration

D = date.fromisoformat
G1, G2, G3 = "00000000040013", "00000000040020", "00000000040037"
# every character JSON escapes, those it does not (DEL, U+2028), and text outside ASCII
ODD = 'q"b\\s/ \b\f\n\r\t\x01\x1f\x7f é 日本 😀 \u2028 <>&'
ORGS = {"doc-org": {"doc-brand": f"Brand {ODD}", "doc-other": "Other"}}
CATALOG = {G1: ("doc-brand", f"Product {ODD}"), G2: ("doc-other", "")}  # G3: not in the catalog
NAMES = {G1: (f"Product {ODD}", f"Brand {ODD}", "doc-org"), G2: ("", "Other", "doc-org")}
ROWS: list[AgentRow] = [
    (D("2026-04-01"), "doc-org", "doc-brand", G1, "US", "mobile", False, "human", "", "", "", "", 9),
    (D("2026-04-01"), "doc-org", "doc-brand", G1, "DE", "desktop", False, "human", "", "", "", "", 9),
    (D("2026-04-02"), "doc-org", "doc-brand", G1, "unknown", "tablet", False, "human", "", "", "", "", 2),
    (D("2026-04-02"), "doc-org", "doc-other", G2, "FR", "mobile", False, "human", "", "", "", "", 9),
    (
        D("2026-04-03"),
        "doc-org",
        "doc-other",
        G3,
        "US",
        "bot",
        True,
        "bot",
        "search_crawler",
        ODD,
        ODD,
        "",
        4,
    ),
    (
        D("2026-04-03"),
        "doc-org",
        "doc-other",
        G3,
        "US",
        "bot",
        True,
        "ai_agent",
        "ai_search",
        "Zed",
        "Op",
        "verified",
        4,
    ),
    (D("2026-04-03"), "doc-org", "doc-other", G3, "GB", "bot", True, "bot", "unknown_bot", "", "", "", 3),
    (
        D("2026-04-03"),
        "doc-org",
        "doc-brand",
        G1,
        "US",
        "bot",
        True,
        "ai_agent",
        "ai_assistant",
        "é",
        "",
        "",
        1,
    ),
]


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(db, ORGS, CATALOG, [("doc-user", "doc-org", True)])
    insert_scans(db, ROWS)


def ranked(counts: dict[str, int]) -> bool:
    """Whether a dictionary of counts is in the answer's order: count descending, then key."""
    return list(counts.items()) == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def get(client: TestClient, issuer: Issuer, **params: str) -> tuple[bytes, dict[str, Any]]:
    resp = client.get(SCANS, params=params, headers={"Authorization": f"Bearer {issuer.token('doc-user')}"})
    assert resp.status_code == 200, resp.text
    return resp.content, resp.json()


@pytest.mark.parametrize("places", [None, "true"])
@pytest.mark.parametrize("brand", [None, "doc-brand", "doc-other"])
@pytest.mark.parametrize(("since", "until"), [("2026-03-30", "2026-04-05"), ("2026-04-03", "2026-04-03")])
def test_the_bytes_are_json_responses(
    client: TestClient, issuer: Issuer, places: str | None, brand: str | None, since: str, until: str
) -> None:
    params = {"since": since, "until": until, "top_agents": "100"}
    params |= {"places": places} if places else {}
    params |= {"brand_id": brand} if brand else {}
    content, body = get(client, issuer, **params)
    # JSONResponse's rendering of the same document, key for key in the same order
    assert content == json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    assert body == expected(
        ROWS, NAMES, "doc-org", brand, D(since), D(until), 20, 100, with_places=places is not None
    )
    places_keys = ["by_region", "by_city"] if places else []
    assert list(body) == [
        "organization_id",
        "window",
        "total_scans",
        "billable_scans",
        "bot_scans",
        "human_scans",
        "agent_scans",
        "top_products",
        "top_agents",
        "by_country",
        "by_day",
        *places_keys,
    ]
    assert ranked(body["by_country"])
    for product in body["top_products"]:
        assert list(product) == [
            "gtin",
            "product_name",
            "brand",
            "scans",
            "billable_scans",
            "by_country",
            "by_device",
            "by_traffic_class",
            *places_keys,
        ]
        assert ranked(product["by_country"]) and ranked(product["by_device"])
        assert list(product["by_traffic_class"]) == ["human", "ai_agent", "bot"]
    for agent in body["top_agents"]:
        assert list(agent) == ["name", "category", "operator", "verification", "traffic_class", "scans"]


def test_odd_names_are_escaped_as_json_dumps_escapes_them(client: TestClient, issuer: Issuer) -> None:
    content, body = get(client, issuer, since="2026-04-01", until="2026-04-03")
    product = next(p for p in body["top_products"] if p["gtin"] == G1)
    assert product["product_name"] == f"Product {ODD}" and product["brand"] == f"Brand {ODD}"
    assert json.dumps(f"Product {ODD}", ensure_ascii=False).encode() in content
    assert json.dumps(ODD, ensure_ascii=False).encode() in content  # the agent's name and operator
    assert {
        k: v
        for a in body["top_agents"]
        if a["category"] == "search_crawler"
        for k, v in a.items()
        if k in ("name", "operator")
    } == {"name": ODD, "operator": ODD}
    # a product whose catalog name is empty, one outside the catalog
    assert next(p for p in body["top_products"] if p["gtin"] == G2)["product_name"] == ""
    assert next(p for p in body["top_products"] if p["gtin"] == G3)["product_name"] is None


def test_an_empty_window(client: TestClient, issuer: Issuer) -> None:
    content, body = get(client, issuer, since="2026-01-01", until="2026-01-02", brand_id="doc-brand")
    assert content == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert body["top_products"] == [] and body["top_agents"] == [] and body["by_country"] == {}
    assert body["by_day"] == [{"date": "2026-01-01", "scans": 0}, {"date": "2026-01-02", "scans": 0}]
    assert body["total_scans"] == body["agent_scans"] == 0
