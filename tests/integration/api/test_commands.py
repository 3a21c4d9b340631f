"""`scan-analytics token` and `members` against the real database; the token works on the API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from scan_analytics.cli import main
from scan_analytics.settings import Settings
from tests.integration.api.conftest import SCANS, TODAY, seed_catalog

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dev_settings(api_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    auth: Path = tmp_path_factory.mktemp("devauth")
    return api_settings.model_copy(
        update={"jwks_file": auth / "dev-jwks.json", "dev_private_key_file": auth / "dev-key.pem"}
    )


@pytest.fixture(scope="module")
def env(dev_settings: Settings) -> dict[str, str]:
    return {
        "SCAN_ANALYTICS_DATABASE_URL": dev_settings.database_url,
        "SCAN_ANALYTICS_DEV_AUTH": "true",
        "SCAN_ANALYTICS_JWKS_FILE": str(dev_settings.jwks_file),
        "SCAN_ANALYTICS_DEV_PRIVATE_KEY_FILE": str(dev_settings.dev_private_key_file),
        "SCAN_ANALYTICS_JWT_ISSUER": dev_settings.jwt_issuer,
        "SCAN_ANALYTICS_JWT_AUDIENCE": dev_settings.jwt_audience,
    }


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("scan-analytics")
    return subprocess.run(
        [str(script), *args], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=60
    )


def test_members_and_token_round_trip(
    db: psycopg.Connection, dev_settings: Settings, env: dict[str, str]
) -> None:
    seed_catalog(db, {"cm-one": {}, "cm-two": {}}, {}, [])
    assert cli(env, "members", "add", "--user", "cm-zoe", "--org", "cm-one").returncode == 0
    added = cli(env, "members", "add", "--user", "cm-zoe", "--org", "cm-two", "--default")
    assert added.returncode == 0 and "(default)" in added.stdout
    listed = cli(env, "members", "list", "--user", "cm-zoe")
    assert listed.stdout.splitlines() == ["cm-zoe\tcm-one", "cm-zoe\tcm-two\tdefault"]
    moved = cli(env, "members", "add", "--user", "cm-zoe", "--org", "cm-one", "--default")
    assert moved.returncode == 0
    assert cli(env, "members", "list", "--user", "cm-zoe").stdout.splitlines() == [
        "cm-zoe\tcm-one\tdefault",
        "cm-zoe\tcm-two",
    ]
    missing = cli(env, "members", "add", "--user", "cm-zoe", "--org", "cm-none")
    assert missing.returncode == 1 and "organization 'cm-none' does not exist" in missing.stderr
    assert cli(env, "members", "remove", "--user", "cm-zoe", "--org", "cm-two").returncode == 0

    minted = cli(env, "token", "--user", "cm-zoe")
    assert minted.returncode == 0 and minted.stderr == ""
    token = minted.stdout.strip()
    assert minted.stdout == token + "\n" and token.count(".") == 2
    with TestClient(create_app(dev_settings, today=lambda: TODAY)) as client:
        resp = client.get(SCANS, headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 200 and resp.json()["organization_id"] == "cm-one"
        no_scope = cli(env, "token", "--user", "cm-zoe", "--scope", "other").stdout.strip()
        assert client.get(SCANS, headers={"Authorization": f"Bearer {no_scope}"}).status_code == 403


def test_token_refuses_with_a_jwks_url(env: dict[str, str]) -> None:
    result = cli({**env, "SCAN_ANALYTICS_JWKS_URL": "https://login.example.com/jwks"}, "token", "--user", "x")
    assert result.returncode == 1 and result.stdout == ""
    assert "a JWKS URL is configured" in result.stderr


def test_members_add_needs_user_and_org(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["members", "add", "--user", "only"])
    assert "add needs --user and --org" in capsys.readouterr().err
