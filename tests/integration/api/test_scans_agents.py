"""Who scanned: human and agent scans, each product's traffic classes and the top agents, exactly."""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import SCANS, insert_scans, refresh_places, seed_catalog
from tests.integration.api.reference import AgentRow, expected
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration

D = date.fromisoformat
G1, G2, G3 = "00000000010056", "00000000010063", "00000000010070"
ORG, RIVAL = "ag-org", "ag-rival"
PERSON = (False, "human", "", "", "", "")
CHATGPT_USER = (True, "ai_agent", "ai_assistant", "ChatGPT-User", "OpenAI", "unverified")
OAI_SEARCH = (True, "ai_agent", "ai_search", "OAI-SearchBot", "OpenAI", "verified")
GPTBOT = (True, "ai_agent", "ai_training_crawler", "GPTBot", "OpenAI", "verified")
OTHER_ASSISTANT = (True, "ai_agent", "ai_assistant", "other", "", "unverified")  # outside the catalog
GOOGLEBOT = (True, "bot", "search_crawler", "Googlebot", "Google", "verified")
SPOOFED = (True, "bot", "unknown_bot", "Googlebot", "Google", "spoofed")  # outside Google's ranges
AHREFS = (True, "bot", "seo_crawler", "AhrefsBot", "Ahrefs", "unverified")
HIGH_RATE = (True, "bot", "high_rate", "", "", "")  # a browser the rate rule flagged
NO_USER_AGENT = (True, "bot", "unknown_bot", "", "", "")


def row(day: str, brand: str, gtin: str, cc: str, device: str, who: tuple[Any, ...], n: int) -> AgentRow:
    org = RIVAL if brand == RIVAL else ORG
    return (D(day), org, brand, gtin, cc, device, *who, n)  # type: ignore[return-value]


ROWS: list[AgentRow] = [
    row("2026-04-10", "ag-one", G1, "US", "mobile", PERSON, 100),
    row("2026-04-10", "ag-one", G1, "US", "desktop", CHATGPT_USER, 30),
    row("2026-04-11", "ag-one", G1, "US", "desktop", CHATGPT_USER, 10),
    row("2026-04-10", "ag-one", G1, "US", "bot", OAI_SEARCH, 12),
    row("2026-04-10", "ag-one", G1, "US", "bot", GOOGLEBOT, 25),
    row("2026-04-12", "ag-one", G1, "DE", "bot", SPOOFED, 9),
    row("2026-04-12", "ag-one", G1, "unknown", "desktop", HIGH_RATE, 6),
    row("2026-03-17", "ag-one", G1, "US", "desktop", CHATGPT_USER, 1000),  # the day before the window
    row("2026-04-01", "ag-two", G2, "GB", "mobile", PERSON, 50),
    row("2026-04-01", "ag-two", G2, "GB", "bot", GPTBOT, 20),
    row("2026-04-02", "ag-two", G2, "GB", "other", NO_USER_AGENT, 4),
    row("2026-04-02", "ag-two", G2, "FR", "desktop", OTHER_ASSISTANT, 3),
    row("2026-04-03", "ag-two", G2, "US", "bot", GOOGLEBOT, 25),
    row("2026-04-05", "ag-one", G3, "US", "bot", AHREFS, 6),  # not in the catalog
    row("2026-04-05", "ag-one", G3, "US", "mobile", PERSON, 2),
    row("2026-04-10", RIVAL, G1, "US", "desktop", CHATGPT_USER, 500),  # same GTIN, other organization
]
NAMES = {G1: ("Oat Drink 1l", "One", ORG), G2: ("Rye Bread", "Two", ORG)}


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(
        db,
        {ORG: {"ag-one": "One", "ag-two": "Two"}, RIVAL: {RIVAL: "Rival"}},
        {G1: ("ag-one", "Oat Drink 1l"), G2: ("ag-two", "Rye Bread")},
        [("ag-user", ORG, True), ("ag-user", RIVAL, False)],
    )
    insert_scans(db, ROWS)


def get(client: TestClient, issuer: Issuer, **params: str) -> dict[str, Any]:
    resp = client.get(SCANS, params=params, headers={"Authorization": f"Bearer {issuer.token('ag-user')}"})
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def agent(who: tuple[Any, ...], scans: int) -> dict[str, Any]:
    _bot, traffic_class, category, name, operator, verification = who
    return {
        "name": name or None,
        "category": category or None,
        "operator": operator or None,
        "verification": verification or None,
        "traffic_class": traffic_class,
        "scans": scans,
    }


def test_an_organization_with_assistants_crawlers_and_spoofed_googlebots(
    client: TestClient, issuer: Issuer
) -> None:
    body = get(client, issuer)
    # the contract's fields keep their meaning: bot_scans is every automated scan, agents included
    assert (body["total_scans"], body["billable_scans"], body["bot_scans"]) == (302, 152, 150)
    assert body["total_scans"] == body["billable_scans"] + body["bot_scans"]
    assert body["human_scans"] == body["billable_scans"] == 152
    assert body["agent_scans"] == 30 + 10 + 12 + 20 + 3
    assert body["top_agents"] == [
        agent(GOOGLEBOT, 50),
        agent(CHATGPT_USER, 40),
        agent(GPTBOT, 20),
        agent(OAI_SEARCH, 12),
        agent(SPOOFED, 9),
        agent(AHREFS, 6),  # a name before none at equal scans
        agent(HIGH_RATE, 6),
        agent(NO_USER_AGENT, 4),
        agent(OTHER_ASSISTANT, 3),
    ]
    assert [(p["gtin"], p["scans"], p["by_traffic_class"]) for p in body["top_products"]] == [
        (G1, 192, {"human": 100, "ai_agent": 52, "bot": 40}),
        (G2, 102, {"human": 50, "ai_agent": 23, "bot": 29}),
        (G3, 8, {"human": 2, "ai_agent": 0, "bot": 6}),
    ]
    for p in body["top_products"]:
        assert sum(p["by_traffic_class"].values()) == p["scans"]
        assert p["by_traffic_class"]["human"] == p["billable_scans"]
    # every automated scan is under one entry of top_agents when the list is not cut
    assert sum(a["scans"] for a in body["top_agents"]) == body["bot_scans"]
    agents = [a for a in body["top_agents"] if a["traffic_class"] == "ai_agent"]
    assert sum(a["scans"] for a in agents) == body["agent_scans"]
    # '' of the summary's key columns is null in the answer, never ""
    assert "" not in {v for a in body["top_agents"] for v in a.values()}
    assert body == expected(ROWS, NAMES, ORG, None, D("2026-03-18"), D("2026-04-17"), 20)


def test_the_spoofed_googlebot_is_its_own_entry(client: TestClient, issuer: Issuer) -> None:
    googlebots = [a for a in get(client, issuer)["top_agents"] if a["name"] == "Googlebot"]
    assert googlebots == [
        {
            "name": "Googlebot",
            "category": "search_crawler",
            "operator": "Google",
            "verification": "verified",
            "traffic_class": "bot",
            "scans": 50,
        },
        {
            "name": "Googlebot",
            "category": "unknown_bot",
            "operator": "Google",
            "verification": "spoofed",
            "traffic_class": "bot",
            "scans": 9,
        },
    ]


@pytest.mark.parametrize("n", [1, 2, 6, 7, 9, 100])
def test_top_agents_bounds_the_list(client: TestClient, issuer: Issuer, n: int) -> None:
    body = get(client, issuer, top_agents=str(n))
    everyone = get(client, issuer)["top_agents"]
    assert body["top_agents"] == everyone[:n]
    # the bound changes nothing else
    assert {k: v for k, v in body.items() if k != "top_agents"} == {
        k: v for k, v in get(client, issuer).items() if k != "top_agents"
    }


def test_the_default_is_ten(client: TestClient, issuer: Issuer, db: psycopg.Connection) -> None:
    monitors = [(True, "bot", "monitoring", f"Monitor{i:02d}", "", "unverified") for i in range(5)]
    extra = [row("2026-04-15", "ag-two", G2, "US", "bot", who, 1) for who in monitors]
    insert_scans(db, extra)
    try:
        body = get(client, issuer)
        assert len(body["top_agents"]) == 10
        assert body["top_agents"][-2:] == [
            agent(OTHER_ASSISTANT, 3),
            agent(monitors[0], 1),
        ]
        assert len(get(client, issuer, top_agents="100")["top_agents"]) == 14
    finally:
        db.execute(
            "DELETE FROM scan_daily_summary WHERE organization_id = %s AND category = 'monitoring'", (ORG,)
        )
        refresh_places(db, [ORG])


def test_a_brand(client: TestClient, issuer: Issuer) -> None:
    body = get(client, issuer, brand_id="ag-two")
    totals = ("total_scans", "human_scans", "agent_scans", "bot_scans")
    assert [body[k] for k in totals] == [102, 50, 23, 52]
    assert body["top_agents"] == [
        agent(GOOGLEBOT, 25),
        agent(GPTBOT, 20),
        agent(NO_USER_AGENT, 4),
        agent(OTHER_ASSISTANT, 3),
    ]
    assert [p["by_traffic_class"] for p in body["top_products"]] == [{"human": 50, "ai_agent": 23, "bot": 29}]
    assert body == expected(ROWS, NAMES, ORG, "ag-two", D("2026-03-18"), D("2026-04-17"), 20)


def test_the_window(client: TestClient, issuer: Issuer) -> None:
    body = get(client, issuer, since="2026-04-11", until="2026-04-12")
    assert (body["total_scans"], body["human_scans"], body["agent_scans"]) == (25, 0, 10)
    assert body["top_agents"] == [agent(CHATGPT_USER, 10), agent(SPOOFED, 9), agent(HIGH_RATE, 6)]
    # a window over months (the rollups' monthly layers) and the day before the default window
    long = get(client, issuer, since="2026-01-01")
    assert long["agent_scans"] == 75 + 1000
    assert long["top_agents"][0] == agent(CHATGPT_USER, 1040)


def test_an_organization_without_agents(client: TestClient, issuer: Issuer) -> None:
    body = get(client, issuer, since="2020-01-01", until="2020-01-31")
    assert (body["human_scans"], body["agent_scans"], body["top_agents"]) == (0, 0, [])
    rival = get(client, issuer, organization_id=RIVAL)
    assert (rival["agent_scans"], rival["top_agents"]) == (500, [agent(CHATGPT_USER, 500)])
    assert rival["top_products"][0]["by_traffic_class"] == {"human": 0, "ai_agent": 500, "bot": 0}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"top": "1", "top_agents": "1"},
        {"brand_id": "ag-one"},
        {"since": "2026-01-01", "until": "2026-04-30"},
        {"since": "2026-04-10", "until": "2026-04-10"},
        {"organization_id": RIVAL},
    ],
)
def test_matches_reference(client: TestClient, issuer: Issuer, params: dict[str, str]) -> None:
    want = expected(
        ROWS,
        NAMES,
        params.get("organization_id", ORG),
        params.get("brand_id"),
        D(params.get("since", "2026-03-18")),
        D(params.get("until", "2026-04-17")),
        int(params.get("top", "20")),
        int(params.get("top_agents", "10")),
    )
    assert get(client, issuer, **params) == want


@pytest.mark.parametrize("bad", ["0", "101", "-3", "1.5", "many", ""])
def test_a_bad_top_agents_is_a_400(client: TestClient, issuer: Issuer, bad: str) -> None:
    resp = client.get(
        SCANS, params={"top_agents": bad}, headers={"Authorization": f"Bearer {issuer.token('ag-user')}"}
    )
    assert resp.status_code == 400 and resp.headers["content-type"] == "application/problem+json"
    assert "top_agents must be a whole number from 1 to 100" in resp.json()["detail"]
