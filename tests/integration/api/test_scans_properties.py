"""The contract's invariants, and agreement with the reference, over generated datasets."""

from __future__ import annotations

import json
from datetime import date, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.api.conftest import SCANS, TODAY, insert_scans, refresh_places, seed_catalog
from tests.integration.api.reference import AgentRow, expected
from tests.integration.api.test_rollups import TRAFFIC
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration

ORGS = {"pr-a": {"pr-a1": "A One", "pr-a2": "A Two"}, "pr-b": {"pr-b1": "B One"}}
GTINS = [f"{i:013d}0" for i in range(1, 7)]
CATALOG = {GTINS[0]: ("pr-a1", "first"), GTINS[1]: ("pr-a2", "second"), GTINS[2]: ("pr-b1", "third")}
NAMES = {g: (name, ORGS[b[:4]][b], b[:4]) for g, (b, name) in CATALOG.items()}
START = date(2025, 12, 20)  # rows span three month boundaries up to TODAY

rows_strategy = st.lists(
    st.tuples(
        st.integers(0, (TODAY - START).days),
        st.sampled_from([("pr-a", "pr-a1"), ("pr-a", "pr-a2"), ("pr-b", "pr-b1")]),
        st.sampled_from(GTINS),
        st.sampled_from(["US", "DE", "unknown"]),
        st.sampled_from(["mobile", "desktop", "bot", "other"]),
        st.sampled_from(
            [
                *TRAFFIC,
                (True, "ai_agent", "ai_search", "PerplexityBot", "Perplexity", "verified"),
                (True, "bot", "high_rate", "", "", ""),
                (True, "bot", "unknown_bot", "", "", ""),  # no User-Agent
            ]
        ),
        st.integers(0, 50),
    ),
    max_size=40,
)


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(db, ORGS, CATALOG, [("pr-user", "pr-a", True), ("pr-user", "pr-b", False)])


Generated = tuple[int, tuple[str, str], str, str, str, tuple[bool, str, str, str, str, str], int]


def to_rows(generated: list[Generated]) -> list[AgentRow]:
    """Key the generated rows; a later row with the same key replaces the earlier (an upsert)."""
    keyed: dict[tuple[object, ...], AgentRow] = {}
    for offset, (org, brand), gtin, cc, device, traffic, n in generated:
        row: AgentRow = (START + timedelta(days=offset), org, brand, gtin, cc, device, *traffic, n)
        keyed[row[:-1]] = row
    return list(keyed.values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=rows_strategy,
    second=rows_strategy,
    since_offset=st.integers(0, 150),
    length=st.integers(0, 140),
    top=st.integers(1, 8),
    top_agents=st.integers(1, 8),
    org=st.sampled_from(["pr-a", "pr-b"]),
    brand=st.sampled_from([None, "pr-a1", "pr-a2", "pr-b1"]),
    places=st.booleans(),
)
def test_invariants_and_reference(
    db: psycopg.Connection,
    client: TestClient,
    issuer: Issuer,
    first: list,
    second: list,
    since_offset: int,
    length: int,
    top: int,
    top_agents: int,
    org: str,
    brand: str | None,
    places: bool,
) -> None:
    db.execute("DELETE FROM scan_daily_summary WHERE organization_id IN ('pr-a', 'pr-b')")
    # two rounds of upserts of absolute counts, as a sink writes them, and a deletion
    insert_scans(db, to_rows(first))
    rows = to_rows(first + second)
    insert_scans(db, to_rows(second))
    if rows:
        gone = rows.pop()
        db.execute(
            "DELETE FROM scan_daily_summary WHERE day = %s AND organization_id = %s AND brand_id = %s"
            " AND gtin = %s AND country_code = %s AND device_class = %s AND is_bot = %s"
            " AND traffic_class = %s AND category = %s AND agent = %s AND operator = %s"
            " AND verification = %s",
            gone[:-1],
        )
    refresh_places(db, ["pr-a", "pr-b"])
    since = START - timedelta(days=20) + timedelta(days=since_offset)
    until = since + timedelta(days=length)
    params = {
        "organization_id": org,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "top": str(top),
        "top_agents": str(top_agents),
    }
    if places:
        params["places"] = "true"
    if brand is not None:
        params["brand_id"] = brand
    resp = client.get(SCANS, params=params, headers={"Authorization": f"Bearer {issuer.token('pr-user')}"})
    if brand is not None and not brand.startswith(org):
        assert resp.status_code == 403
        return
    assert resp.status_code == 200, resp.text
    body = resp.json()
    # the bytes JSONResponse writes for the document (no spaces, keys in the answer's order)
    assert resp.content == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    # the contract's invariants
    assert body["total_scans"] == body["billable_scans"] + body["bot_scans"]
    assert len(body["top_products"]) <= top
    assert [p["scans"] for p in body["top_products"]] == sorted(
        (p["scans"] for p in body["top_products"]), reverse=True
    )
    for p in body["top_products"]:
        assert sum(p["by_country"].values()) == p["scans"] == sum(p["by_device"].values())
        assert 0 <= p["billable_scans"] <= p["scans"]
        assert sum(p["by_traffic_class"].values()) == p["scans"]
        assert p["by_traffic_class"]["human"] == p["billable_scans"]
        assert min(p["by_traffic_class"].values()) >= 0
    # the traffic classes
    assert body["human_scans"] == body["billable_scans"]
    assert 0 <= body["agent_scans"] <= body["bot_scans"]
    assert len(body["top_agents"]) <= top_agents
    assert [a["scans"] for a in body["top_agents"]] == sorted(
        (a["scans"] for a in body["top_agents"]), reverse=True
    )
    assert all(a["scans"] > 0 and a["traffic_class"] in ("ai_agent", "bot") for a in body["top_agents"])
    assert sum(body["by_country"].values()) == body["total_scans"]
    assert [d["date"] for d in body["by_day"]] == [
        (since + timedelta(days=i)).isoformat() for i in range(length + 1)
    ]
    assert sum(d["scans"] for d in body["by_day"]) == body["total_scans"]
    # places: named ones at least the threshold, and whole sums
    for part, named, whole in (
        []
        if not places
        else [
            *((p["by_region"], "regions", p["scans"]) for p in body["top_products"]),
            *((p["by_city"], "cities", p["scans"]) for p in body["top_products"]),
            (body["by_region"], "regions", body["total_scans"]),
            (body["by_city"], "cities", body["total_scans"]),
        ]
    ):
        assert sum(e["scans"] for e in part[named]) + part["other"] + part["unknown"] == whole
        assert all(e["scans"] >= 10 for e in part[named]) and part["other"] >= 0
    # and the exact answer
    assert body == expected(rows, NAMES, org, brand, since, until, top, top_agents, with_places=places)
    for counts in [
        body["by_country"],
        *(p[k] for p in body["top_products"] for k in ("by_country", "by_device")),
    ]:
        assert list(counts.items()) == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
