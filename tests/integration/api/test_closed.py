"""Closed by default: no identity provider, no API; the API reads as the reader role; /metrics
on a port of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest

from api import queries
from api.errors import ConfigurationError
from api.main import create_app
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings
from tests.integration.api.conftest import SCANS, TODAY
from tests.integration.api.served import serve
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("dev_auth", [None, "false"])
def test_the_api_refuses_to_start_without_an_identity_provider(
    api_settings: Settings, tmp_path: Path, dev_auth: str | None
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "SCAN_ANALYTICS_DATABASE_URL": api_settings.database_url,
        "SCAN_ANALYTICS_JWKS_FILE": str(api_settings.jwks_file),
    }  # a JWKS file alone is not enough
    if dev_auth is not None:
        env["SCAN_ANALYTICS_DEV_AUTH"] = dev_auth
    script = Path(sys.executable).with_name("scan-analytics")
    result = subprocess.run(
        [str(script), "api", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no identity provider: set SCAN_ANALYTICS_JWKS_URL" in lines[0]
    assert "SCAN_ANALYTICS_DEV_AUTH=true" in lines[0]


def test_create_app_refuses_too(api_settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="no identity provider"):
        create_app(api_settings.model_copy(update={"dev_auth": False}))


def test_the_reader_role_cannot_write(api_settings: Settings) -> None:
    options = queries.session_options(api_settings.api_statement_timeout_ms)
    with psycopg.connect(api_settings.database_url, options=options, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("scan_analytics_reader",)
        assert conn.execute("SELECT count(*) FROM scan_daily_summary").fetchone() is not None
        conn.execute("SET default_transaction_read_only = off")  # privileges alone must refuse
        for statement in (
            "INSERT INTO organizations (organization_id, name) VALUES ('ro-x', 'x')",
            "DELETE FROM organization_memberships",
            "UPDATE scan_daily_summary SET scans = 0",
            "CREATE TABLE ro_probe (x int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


@pytest.mark.parametrize(
    "call",
    [
        "scan_rollups_rebuild()",
        "scan_read_rollups_rebuild()",
        "scan_agent_rollups_rebuild()",
        "scan_hourly_totals_rebuild()",
        "scan_place_totals_rebuild()",
        "scan_yearly_rollups_rebuild()",
        "scan_trailing_roll()",
        "scan_daily_gtin_days(current_date, current_date)",
    ],
)
def test_the_reader_role_cannot_run_the_rollups_maintenance(api_settings: Settings, call: str) -> None:
    options = queries.session_options(api_settings.api_statement_timeout_ms)
    refused = pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function")
    with psycopg.connect(api_settings.database_url, options=options, autocommit=True) as conn, refused:
        conn.execute(f"SELECT {call}")


async def test_the_api_pool_reads_as_the_reader_role(api_settings: Settings) -> None:
    app = create_app(api_settings)
    await app.state.pool.open(wait=True)
    try:
        async with app.state.pool.connection() as conn:
            cur = await conn.execute("SELECT current_user, current_setting('statement_timeout')")
            assert await cur.fetchone() == ("scan_analytics_reader", "10s")
    finally:
        await app.state.pool.close()


def test_metrics_on_a_port_of_their_own(api_settings: Settings, issuer: Issuer) -> None:
    port = free_port()
    app = create_app(api_settings.model_copy(update={"api_metrics_port": port}), today=lambda: TODAY)
    with serve(app) as base:
        httpx.get(base + SCANS, headers={"Authorization": f"Bearer {issuer.token('nobody')}"})
        assert httpx.get(base + "/metrics").status_code == 404
        text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert 'route="/dashboard/api/v1/brand-analytics/scans",status="403"' in text
    with pytest.raises(httpx.ConnectError):  # closed with the app
        httpx.get(f"http://127.0.0.1:{port}/metrics")
