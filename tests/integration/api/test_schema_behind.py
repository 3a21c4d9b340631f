"""An API whose database lacks some of its migrations: not ready, and 503s that say to migrate, never 500s."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from scan_analytics import migrate
from scan_analytics.settings import Settings
from tests.integration.api.conftest import SCANS, TODAY
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration


def migrate_through(url: str, settings: Settings, last: int, tmp_path: Path) -> None:
    """Apply the migrations up to `last` only, as a database migrated by older code has."""
    older = tmp_path / f"sql-{last}"
    older.mkdir()
    for m in migrate.discover(settings.schemas_dir / "sql"):
        if m.version <= last:
            shutil.copy(m.path, older / m.path.name)
    migrate.apply(url, older)


def app_on(settings: Settings, url: str) -> FastAPI:
    return create_app(settings.model_copy(update={"database_url": url}), today=lambda: TODAY)


def latest(settings: Settings) -> int:
    return migrate.discover(settings.schemas_dir / "sql")[-1].version


@pytest.mark.parametrize("last", [15, 16])
def test_not_ready_until_migrated_and_then_ready(
    api_settings: Settings, fresh_database: str, tmp_path: Path, last: int
) -> None:
    migrate_through(fresh_database, api_settings, last, tmp_path)
    app = app_on(api_settings, fresh_database)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/readyz")
        assert response.status_code == 503 and response.headers["retry-after"] == "30"
        detail = response.json()["detail"]
        assert f"the API needs migration {latest(api_settings)}" in detail
        assert "run `scan-analytics migrate`" in detail
        migrate.apply(fresh_database, api_settings.schemas_dir / "sql")
        assert client.get("/readyz").json() == {"status": "ready"}


def test_a_database_at_a_known_older_migration_is_named(
    api_settings: Settings, fresh_database: str, tmp_path: Path
) -> None:
    migrate.apply(fresh_database, api_settings.schemas_dir / "sql")
    with psycopg.connect(fresh_database, autocommit=True) as conn:  # as if the latest had not run
        conn.execute("DELETE FROM schema_migrations WHERE version = %s", (latest(api_settings),))
    app = app_on(api_settings, fresh_database)
    with TestClient(app, raise_server_exceptions=False) as client:
        detail = client.get("/readyz").json()["detail"]
        assert f"it has migration {latest(api_settings) - 1}, the API needs" in detail


def test_a_statement_reading_what_the_database_lacks_is_a_503_saying_to_migrate(
    api_settings: Settings, fresh_database: str, tmp_path: Path, issuer: Issuer
) -> None:
    migrate_through(fresh_database, api_settings, 15, tmp_path)  # no trailing layer (0016)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute("INSERT INTO organizations (organization_id, name) VALUES ('org-s', 'S')")
        conn.execute("INSERT INTO organization_memberships VALUES ('u-s', 'org-s', true)")
    app = app_on(api_settings, fresh_database)
    headers = {"Authorization": f"Bearer {issuer.token('u-s')}"}
    last_30_days = {"since": "2026-03-18", "until": TODAY.isoformat()}  # a trailing window of 0016
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(SCANS, params=last_30_days, headers=headers)
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "30"
        assert "run `scan-analytics migrate`" in response.json()["detail"]
        migrate.apply(fresh_database, api_settings.schemas_dir / "sql")
        response = client.get(SCANS, params=last_30_days, headers=headers)
        assert response.status_code == 200 and response.json()["total_scans"] == 0


def test_a_database_ahead_of_the_code_is_ready(api_settings: Settings, fresh_database: str) -> None:
    """During a rolling deploy the database may have the next release's migrations already."""
    migrate.apply(fresh_database, api_settings.schemas_dir / "sql")
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (99, 'later', '-')")
    with TestClient(app_on(api_settings, fresh_database), raise_server_exceptions=False) as client:
        assert client.get("/readyz").json() == {"status": "ready"}


def test_a_missing_table_in_a_database_with_every_migration_is_a_fault_not_advice(
    api_settings: Settings, fresh_database: str, tmp_path: Path, issuer: Issuer
) -> None:
    migrate_through(fresh_database, api_settings, 15, tmp_path)  # no trailing layer (0016) ...
    with psycopg.connect(fresh_database, autocommit=True) as conn:  # ... yet every migration recorded
        conn.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (99, 'later', '-')")
        conn.execute("GRANT SELECT ON schema_migrations TO scan_analytics_reader")
        conn.execute("INSERT INTO organizations (organization_id, name) VALUES ('org-s', 'S')")
        conn.execute("INSERT INTO organization_memberships VALUES ('u-s', 'org-s', true)")
    headers = {"Authorization": f"Bearer {issuer.token('u-s')}"}
    last_30_days = {"since": "2026-03-18", "until": TODAY.isoformat()}
    with TestClient(app_on(api_settings, fresh_database), raise_server_exceptions=False) as client:
        response = client.get(SCANS, params=last_30_days, headers=headers)
        assert response.status_code == 500
        assert response.json()["detail"] == "the request failed unexpectedly; it has been logged"
