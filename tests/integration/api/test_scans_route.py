"""The scans path's GET route answers byte for byte as the FastAPI route it stands in front of."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import queries
from api.main import create_app
from api.routes.scans import ScansRoute
from scan_analytics.settings import Settings
from tests.integration.api.conftest import SCANS, TODAY, insert_scans, seed_catalog
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration

G1, G2 = "00000000000086", "00000000000093"


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(
        db,
        {"sr-one": {"sr-one-b": "One"}, "sr-two": {"sr-two-b": "Two"}},
        {G1: ("sr-one-b", "P1"), G2: ("sr-two-b", "P2")},
        [("sr-alice", "sr-one", True), ("sr-bob", "sr-one", False), ("sr-bob", "sr-two", False)],
    )
    insert_scans(
        db,
        [
            (date(2026, 4, 10), "sr-one", "sr-one-b", G1, "US", "mobile", False, 11),
            (date(2026, 4, 12), "sr-one", "sr-one-b", G1, "FR", "bot", True, 3),
            (date(2026, 4, 10), "sr-two", "sr-two-b", G2, "DE", "mobile", False, 22),
        ],
    )


def without_scans_route(app: FastAPI) -> FastAPI:
    app.router.routes[:] = [r for r in app.router.routes if not isinstance(r, ScansRoute)]
    return app


@pytest.fixture(scope="module")
def clients(api_settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    served = create_app(api_settings, today=lambda: TODAY)
    assert any(isinstance(r, ScansRoute) for r in served.router.routes)
    fastapi_route = without_scans_route(create_app(api_settings, today=lambda: TODAY))
    with (
        TestClient(served, raise_server_exceptions=False) as ours,
        TestClient(fastapi_route, raise_server_exceptions=False) as theirs,
    ):
        yield ours, theirs


def requests(issuer: Issuer) -> list[tuple[str, str, str, dict[str, str]]]:
    alice = {"Authorization": f"Bearer {issuer.token('sr-alice', exp=2**31)}"}
    bob = {"Authorization": f"Bearer {issuer.token('sr-bob', exp=2**31)}"}
    return [
        ("default window", "GET", SCANS, alice),
        (
            "every parameter",
            "GET",
            f"{SCANS}?organization_id=sr-one&brand_id=sr-one-b&since=2026-04-01"
            "&until=2026-04-17&top=5&top_agents=3&top_places=4&places=true&tz=UTC&granularity=day",
            alice,
        ),
        (
            "hours in a zone",
            "GET",
            f"{SCANS}?since=2026-04-10&until=2026-04-12&tz=America/Chicago&granularity=hour",
            alice,
        ),
        ("a repeated parameter: the last one", "GET", f"{SCANS}?top=1&top=2&since=2026-04-01", alice),
        ("empty values", "GET", f"{SCANS}?top=&brand_id=", alice),
        ("a bad date", "GET", f"{SCANS}?since=yesterday", alice),
        ("a long window", "GET", f"{SCANS}?since=2025-04-18", alice),
        ("too long a window", "GET", f"{SCANS}?since=2020-01-01", alice),
        ("an unknown parameter", "GET", f"{SCANS}?color=red", alice),
        ("percent escapes", "GET", f"{SCANS}?brand_id=%C3%A9%00", alice),
        ("no token", "GET", SCANS, {}),
        ("another scheme", "GET", SCANS, {"Authorization": "Basic abc"}),
        ("a bad token, then bad parameters", "GET", f"{SCANS}?top=0", {"Authorization": "Bearer x.y.z"}),
        ("no scope", "GET", SCANS, {"Authorization": f"Bearer {issuer.token('sr-alice', scope='other')}"}),
        ("not a member", "GET", f"{SCANS}?organization_id=sr-two", alice),
        ("several organizations, no default", "GET", SCANS, bob),
        ("another organization's brand", "GET", f"{SCANS}?brand_id=sr-two-b", alice),
        ("an unknown brand", "GET", f"{SCANS}?brand_id=nope", alice),
        ("HEAD", "HEAD", SCANS, alice),
        ("POST", "POST", SCANS, alice),
        ("a trailing slash", "GET", f"{SCANS}/", alice),
    ]


def test_every_answer_is_the_fastapi_routes(clients: tuple[TestClient, TestClient], issuer: Issuer) -> None:
    ours, theirs = clients
    for what, method, url, headers in requests(issuer):
        mine = ours.request(method, url, headers=headers, follow_redirects=False)
        fastapis = theirs.request(method, url, headers=headers, follow_redirects=False)
        assert mine.status_code == fastapis.status_code, what
        assert mine.content == fastapis.content, what
        assert mine.headers.items() == fastapis.headers.items(), what


def test_metrics_name_the_route(clients: tuple[TestClient, TestClient], issuer: Issuer) -> None:
    ours, _ = clients
    ours.get(SCANS, headers={"Authorization": f"Bearer {issuer.token('sr-alice', exp=2**31)}"})
    metrics = ours.get("/metrics").text
    assert f'route="{SCANS}",status="200"' in metrics


def test_an_unexpected_error_is_the_same_500_and_reaches_the_server(
    clients: tuple[TestClient, TestClient], issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the statement failed unexpectedly")

    monkeypatch.setattr(queries, "scan_report", fail)
    alice = {"Authorization": f"Bearer {issuer.token('sr-alice', exp=2**31)}"}
    ours, theirs = clients
    mine, fastapis = ours.get(SCANS, headers=alice), theirs.get(SCANS, headers=alice)
    assert mine.status_code == fastapis.status_code == 500
    assert mine.content == fastapis.content
    assert mine.headers.items() == fastapis.headers.items()
    assert f'route="{SCANS}",status="500"' in ours.get("/metrics").text
    assert f'route="{SCANS}",status="500"' in theirs.get("/metrics").text
    for app in (ours.app, theirs.app):  # the server sees the exception after the 500 was sent
        raising = TestClient(app, raise_server_exceptions=True)  # no lifespan: the pool stays open
        with pytest.raises(RuntimeError, match="failed unexpectedly"):
            raising.get(SCANS, headers=alice)
