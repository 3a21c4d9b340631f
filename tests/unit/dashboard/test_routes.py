"""The page's routes: the development sign-in exists only with DEV_AUTH and no identity provider."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from scan_analytics.settings import Settings

TODAY = date(2026, 4, 17)


def settings(tmp_path: Path, **update: object) -> Settings:
    return Settings(
        database_url="postgresql://nobody@127.0.0.1:1/none",
        jwks_file=tmp_path / "jwks.json",
        dev_private_key_file=tmp_path / "key.pem",
        **update,
    )  # type: ignore[arg-type]


def client(s: Settings) -> TestClient:
    return TestClient(create_app(s, today=lambda: TODAY), raise_server_exceptions=False)


@pytest.mark.parametrize(
    "update",
    [
        {"jwks_url": "https://idp.test/jwks.json"},
        {"jwks_url": "https://idp.test/jwks.json", "dev_auth": True},
    ],
)
def test_no_development_sign_in_without_dev_auth(tmp_path: Path, update: dict[str, object]) -> None:
    c = client(settings(tmp_path, **update))
    assert c.get("/dashboard/dev/members").status_code == 404
    assert c.post("/dashboard/dev/token", json={"user_id": "dana"}).status_code == 404
    assert c.get("/dashboard/api/v1/config").json()["dev_sign_in"] is False
    assert "/dashboard/dev/token" not in c.get("/openapi.json").json()["paths"]


def test_development_sign_in_with_dev_auth(tmp_path: Path) -> None:
    c = client(settings(tmp_path, dev_auth=True))
    assert c.get("/dashboard/api/v1/config").json() == {
        "today": "2026-04-17",
        "dev_sign_in": True,
        "oauth": None,
    }
    assert "/dashboard/dev/token" in c.get("/openapi.json").json()["paths"]


def test_oauth_settings_reach_the_page(tmp_path: Path) -> None:
    c = client(
        settings(
            tmp_path,
            jwks_url="https://idp.test/jwks.json",
            oauth_authorization_url="https://idp.test/authorize",
            oauth_token_url="https://idp.test/oauth/token",
            oauth_client_id="dash",
        )
    )
    assert c.get("/dashboard/api/v1/config").json()["oauth"] == {
        "authorization_url": "https://idp.test/authorize",
        "token_url": "https://idp.test/oauth/token",
        "client_id": "dash",
        "scope": "openid brands:read",
    }
    page = c.get("/dashboard/brand-analytics")
    assert page.status_code == 200 and "<title>Brand analytics" in page.text
    assert "connect-src 'self' https://idp.test;" in page.headers["content-security-policy"]


def test_static_files_and_vendored_chart_library(tmp_path: Path) -> None:
    c = client(settings(tmp_path, dev_auth=True))
    page = c.get("/dashboard/brand-analytics").text
    for src in (
        "/dashboard/static/vendor/chart.js-4.6.1/chart.umd.min.js",
        "/dashboard/static/dashboard/app.js",
        "/dashboard/static/dashboard/dashboard.css",
    ):
        assert src in page
        assert c.get(src).status_code == 200
    assert c.get("/dashboard/static/dashboard/missing.js").status_code == 404
    assert c.get("/dashboard/api/v1/me").status_code == 401
