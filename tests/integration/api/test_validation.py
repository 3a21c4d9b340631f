"""Every validation error is a 400 problem saying what to fix; no input produces a 500."""

from __future__ import annotations

from urllib.parse import quote

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.api.conftest import SCANS, seed_catalog
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(db, {"va-org": {"va-brand": "Brand"}}, {}, [("va-user", "va-org", True)])


@pytest.fixture(scope="module")
def auth(issuer: Issuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.token('va-user', exp=2**31)}"}


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("since=yesterday", "since must be an ISO date written YYYY-MM-DD, got 'yesterday'"),
        ("until=2026-4-1", "until must be an ISO date written YYYY-MM-DD"),
        ("since=2026-02-30", "since is not a calendar date"),
        ("since=2026-04-18", "since (2026-04-18) is after until (2026-04-17)"),
        ("since=2026-03-01&until=2026-02-01", "since (2026-03-01) is after until (2026-02-01)"),
        ("since=2020-01-01", "spans 2299 days; the longest allowed is 731 days (two years)"),
        ("since=0001-01-01", "since must be between 1970-01-01 and 9998-12-31"),
        ("top=0", "top must be a whole number from 1 to 100, got '0'"),
        ("top=101", "top must be a whole number from 1 to 100"),
        ("top=abc", "top must be a whole number from 1 to 100"),
        ("top=", "top must be a whole number"),
        ("top_agents=0", "top_agents must be a whole number from 1 to 100, got '0'"),
        ("top_agents=101", "top_agents must be a whole number from 1 to 100, got '101'"),
        ("top_agents=-1", "top_agents must be a whole number from 1 to 100"),
        ("top_agents=2.5", "top_agents must be a whole number from 1 to 100"),
        ("top_agents=ten", "top_agents must be a whole number from 1 to 100"),
        ("top_agents=", "top_agents must be a whole number"),
        ("organization_id=", "organization_id must not be empty"),
        ("brand_id=%00", "brand_id must not contain control characters"),
        ("brand_id=" + "b" * 201, "brand_id is longer than 200 characters"),
    ],
)
def test_validation_errors(client: TestClient, auth: dict[str, str], query: str, detail: str) -> None:
    resp = client.get(f"{SCANS}?{query}", headers=auth)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": body["detail"],
        "instance": SCANS,
    }
    assert detail in body["detail"]


def test_unknown_path_and_method_are_problems(client: TestClient, auth: dict[str, str]) -> None:
    resp = client.get("/dashboard/api/v1/nothing", headers=auth)
    assert resp.status_code == 404 and resp.headers["content-type"] == "application/problem+json"
    resp = client.post(SCANS, headers=auth)
    assert resp.status_code == 405 and resp.json()["title"] == "Method Not Allowed"


values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["2026-04-01", "2026-04-17", "20", "1", "va-org", "va-brand", "%00", "%ff", "2026-02-29"]
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(["since", "until", "top", "top_agents", "organization_id", "brand_id", "x"]),
        values,
        max_size=5,
    )
)
def test_no_input_produces_a_500(client: TestClient, auth: dict[str, str], params: dict[str, str]) -> None:
    resp = client.get(SCANS, params=params, headers=auth)
    assert resp.status_code in (200, 400, 403, 404), resp.text
    if resp.status_code != 200:
        assert resp.headers["content-type"] == "application/problem+json" and resp.json()["detail"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_no_raw_query_string_produces_a_500(client: TestClient, auth: dict[str, str], raw: str) -> None:
    # percent-encode what a client cannot send raw, but keep '%', so broken escapes reach the server
    resp = client.get(f"{SCANS}?{quote(raw, safe='=&%+;,/:@')}", headers=auth)
    assert resp.status_code < 500, resp.text
