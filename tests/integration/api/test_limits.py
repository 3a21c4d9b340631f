"""Limits over real HTTP: 429 with Retry-After and the RateLimit fields, a full pool queue and a
long window's budget answered 503 with Retry-After."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest

from api.main import create_app
from scan_analytics.settings import Settings
from tests.integration.api.conftest import SCANS, TODAY, seed_catalog
from tests.integration.api.served import serve
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration

USERS = ("lm-a", "lm-b", "lm-c", "lm-d")


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(
        db,
        {"lm-one": {}, "lm-two": {}},
        {},
        [*((u, "lm-one", True) for u in USERS), ("lm-e", "lm-two", True)],
    )


@contextmanager
def api(settings: Settings, **update: Any) -> Iterator[tuple[str, Any]]:
    app = create_app(settings.model_copy(update=update), today=lambda: TODAY)
    with serve(app) as url:
        yield url, app


def get(url: str, issuer: Issuer, user: str, **params: str) -> httpx.Response:
    return httpx.get(
        url + SCANS, params=params, timeout=60, headers={"Authorization": f"Bearer {issuer.token(user)}"}
    )


@contextmanager
def rollup_locked(settings: Settings) -> Iterator[psycopg.Connection]:
    """Hold a lock that makes the scans statement wait (memberships stay readable)."""
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("LOCK TABLE scan_daily_country_totals IN ACCESS EXCLUSIVE MODE")
        try:
            yield conn
        finally:
            conn.rollback()


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


def lock_waiters(db: psycopg.Connection) -> int:
    row = db.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock'"
    ).fetchone()
    return int(row[0]) if row else 0


def assert_429(resp: httpx.Response, policy: str, detail: str) -> None:
    assert resp.status_code == 429, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    assert detail in resp.json()["detail"]
    retry = int(resp.headers["retry-after"])
    assert retry >= 1
    assert resp.headers["ratelimit"] == f'"{policy}";r=0;t={retry}'
    assert resp.headers["ratelimit-policy"] == '"user";q=2;w=200, "org";q=3;w=300'


def test_user_and_organization_rates(api_settings: Settings, issuer: Issuer) -> None:
    with api(
        api_settings,
        api_user_rate=0.01,
        api_user_burst=2,
        api_user_concurrency=3,
        api_org_rate=0.01,
        api_org_burst=3,
        api_org_concurrency=5,
    ) as (url, _app):
        first = get(url, issuer, "lm-a")
        assert first.status_code == 200, first.text
        assert first.headers["ratelimit-policy"] == '"user";q=2;w=200, "org";q=3;w=300'
        quota = first.headers["ratelimit"]
        assert quota.startswith('"user";r=1;t=') and '"org";r=2;t=' in quota
        assert get(url, issuer, "lm-a").status_code == 200
        assert_429(get(url, issuer, "lm-a"), "user", "user 'lm-a' is over its limit")
        assert get(url, issuer, "lm-b").status_code == 200  # the organization's third
        assert_429(get(url, issuer, "lm-b"), "org", "organization 'lm-one' is over its limit")
        assert get(url, issuer, "lm-e").status_code == 200  # another organization is not affected


def test_user_concurrency(api_settings: Settings, issuer: Issuer, db: psycopg.Connection) -> None:
    with api(api_settings, api_user_concurrency=1) as (url, _app), ThreadPoolExecutor(2) as pool:
        with rollup_locked(api_settings):
            held: Future[httpx.Response] = pool.submit(get, url, issuer, "lm-c")
            wait_for(lambda: lock_waiters(db) == 1, "the first request waits for the lock")
            refused = get(url, issuer, "lm-c")
            assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
            assert "already has 1 requests in progress" in refused.json()["detail"]
            assert refused.headers["ratelimit-policy"].startswith('"user";q=')
        assert held.result().status_code == 200
        assert get(url, issuer, "lm-c").status_code == 200


def test_a_full_pool_queue_is_a_503_at_once(
    api_settings: Settings, issuer: Issuer, db: psycopg.Connection
) -> None:
    with (
        api(
            api_settings,
            database_pool_min=1,
            database_pool_max=1,
            api_pool_max_waiting=1,
            api_pool_timeout_seconds=60,
        ) as (url, app),
        ThreadPoolExecutor(2) as pool,
    ):
        with rollup_locked(api_settings):
            holding = pool.submit(get, url, issuer, "lm-a")
            wait_for(lambda: lock_waiters(db) == 1, "the first request holds the only connection")
            queued = pool.submit(get, url, issuer, "lm-b")
            wait_for(
                lambda: app.state.pool.get_stats().get("requests_waiting", 0) == 1,
                "the second request waits for a connection",
            )
            refused = get(url, issuer, "lm-d")
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"] == "2"
            assert "too many requests wait for a database connection" in refused.json()["detail"]
        assert holding.result().status_code == 200 and queued.result().status_code == 200


def test_a_long_window_has_a_tighter_budget(
    api_settings: Settings, issuer: Issuer, db: psycopg.Connection
) -> None:
    with api(api_settings, api_long_window_days=92, api_long_window_statement_timeout_ms=200) as (url, _):
        with rollup_locked(api_settings):
            resp = get(url, issuer, "lm-a", since="2025-09-01")
            assert resp.status_code == 503, resp.text
            assert "time budget" in resp.json()["detail"] and int(resp.headers["retry-after"]) >= 1
        assert get(url, issuer, "lm-a", since="2025-09-01").status_code == 200


def test_the_default_budget_comes_back_after_a_long_window(
    api_settings: Settings, issuer: Issuer, db: psycopg.Connection
) -> None:
    # one connection, so the short window runs on the session the long one set its budget on
    with api(
        api_settings,
        database_pool_min=1,
        database_pool_max=1,
        api_long_window_days=92,
        api_long_window_statement_timeout_ms=200,
    ) as (url, app):
        with rollup_locked(api_settings):
            assert get(url, issuer, "lm-a", since="2025-09-01").status_code == 503
        with rollup_locked(api_settings) as lock, ThreadPoolExecutor(1) as pool:
            short: Future[httpx.Response] = pool.submit(get, url, issuer, "lm-a")
            wait_for(lambda: lock_waiters(db) == 1, "the short window waits for the lock")
            time.sleep(0.6)  # three times the long window's budget
            lock.rollback()
            assert short.result().status_code == 200  # within the default budget (10 s)
        with rollup_locked(api_settings):
            assert get(url, issuer, "lm-a", since="2025-09-01").status_code == 503
        assert get(url, issuer, "lm-a", since="2025-09-01").status_code == 200
        assert app.state.pool.get_stats()["pool_size"] == 1
