"""Session fixtures for integration tests against the real broker, registry and database.

Each test run gets its own database and its own topic names (and so its own
registry subjects), so runs never see each other's data. A service that is not
running is a failure, never a skip: `make test` starts them.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from confluent_kafka import KafkaException
from psycopg.conninfo import conninfo_to_dict

from scan_analytics import migrate, services
from scan_analytics.contracts import delete_topics, drop_topics, scratch_names
from scan_analytics.databases import create_database, drop_database
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


@contextmanager
def migrated_database(base: Settings, name: str) -> Iterator[str]:
    """A fresh database `name` with every migration applied, dropped afterwards; yields its URL."""
    url = create_database(base.database_url, name)
    try:
        migrate.apply(url, base.schemas_dir / "sql")
        yield url
    finally:
        drop_database(base.database_url, name)


@contextmanager
def isolated(base: Settings, tag: str, **update: Any) -> Iterator[Settings]:
    """Settings with a fresh migrated database `sa_test_<tag>` and topics of its own.

    Both are dropped afterwards (the worker's internal topics too). `update` overrides any
    setting (the API's auth files, a worker's ports ...).
    """
    with migrated_database(base, f"sa_test_{tag}") as url:
        own = base.model_copy(update={"database_url": url, **scratch_names(tag), **update})
        try:
            yield own
        finally:
            with contextlib.suppress(KafkaException):  # a broker a test stopped: nothing to clean there
                drop_topics(own)


@pytest.fixture(scope="session")
def settings(base_settings: Settings, run_id: str) -> Iterator[Settings]:
    """Settings pointing at a fresh, migrated database and run-unique topics."""
    with isolated(base_settings, run_id) as own:
        yield own


@pytest.fixture()
def scratch_topic(settings: Settings) -> Iterator[str]:
    """A topic name of the test's own, deleted from the broker after the test if it was created."""
    topic = f"scratch-{uuid.uuid4().hex[:10]}"
    yield topic
    delete_topics(settings.kafka_bootstrap, lambda t: t == topic)


@pytest.fixture()
def fresh_database(base_settings: Settings) -> Iterator[str]:
    """An empty, unmigrated database of its own; returns its URL."""
    name = f"sa_test_{uuid.uuid4().hex[:10]}"
    url = create_database(base_settings.database_url, name)
    yield url
    drop_database(base_settings.database_url, name)


def database_name(url: str) -> str:
    return str(conninfo_to_dict(url)["dbname"])
