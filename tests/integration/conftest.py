"""Session fixtures for integration tests against the real broker, registry and database.

Each test run gets its own database and its own topic names (and so its own
registry subjects), so runs never see each other's data. A service that is not
running is a failure, never a skip: `make test` starts them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from scan_analytics import migrate, services
from scan_analytics.settings import Settings, load_settings


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    settings = load_settings()
    down = [s for s in services.status(settings) if not s.ready]
    if down:
        names = ", ".join(f"{s.name} ({s.address}, log {s.log})" for s in down)
        pytest.fail(f"services not running: {names}; start them with `scan-analytics services up`")
    return settings


def create_database(admin_url: str, name: str) -> str:
    """Create database `name` as the configured role; return its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(admin_url, dbname=name)


def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name`, ending its sessions.

    An autovacuum worker in it (after a heavy test) is a session the configured role may
    not end: PostgreSQL refuses with InsufficientPrivilege. It finishes or moves on within
    seconds, so the drop is tried again for up to a minute.
    """
    deadline = time.monotonic() + 60
    while True:
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            return
        except psycopg.errors.InsufficientPrivilege:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


@contextmanager
def isolated(base: Settings, tag: str, **update: Any) -> Iterator[Settings]:
    """Settings with a fresh migrated database `sa_test_<tag>` and topics of its own.

    Dropped afterwards. `update` overrides any setting (the API's auth files, a
    worker's ports ...).
    """
    name = f"sa_test_{tag}"
    url = create_database(base.database_url, name)
    try:
        migrate.apply(url, base.schemas_dir / "sql")
        yield base.model_copy(
            update={
                "database_url": url,
                "topic_raw": f"scans.raw.{tag}",
                "topic_enriched": f"scans.enriched.{tag}",
                "topic_dlq": f"scans.dlq.{tag}",
                "worker_id": f"scan-analytics-{tag}",
                **update,
            }
        )
    finally:
        drop_database(base.database_url, name)


@pytest.fixture(scope="session")
def settings(base_settings: Settings, run_id: str) -> Iterator[Settings]:
    """Settings pointing at a fresh, migrated database and run-unique topics."""
    with isolated(base_settings, run_id) as own:
        yield own


@pytest.fixture()
def fresh_database(base_settings: Settings) -> Iterator[str]:
    """An empty, unmigrated database of its own; returns its URL."""
    name = f"sa_test_{uuid.uuid4().hex[:10]}"
    url = create_database(base_settings.database_url, name)
    yield url
    drop_database(base_settings.database_url, name)


def database_name(url: str) -> str:
    return str(conninfo_to_dict(url)["dbname"])
