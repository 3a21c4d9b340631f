"""The development sign-in: only listed members get a token, and it is short-lived and real."""

from __future__ import annotations

import httpx
import jwt
import pytest

from scan_analytics.settings import Settings
from tests.integration.dashboard.conftest import ACME, GLOBEX, QUIET

pytestmark = pytest.mark.integration

SCANS = "/dashboard/api/v1/brand-analytics/scans"


def test_members_are_listed_with_their_organizations(api_url: str) -> None:
    listed = httpx.get(f"{api_url}/dashboard/dev/members").json()
    assert listed == [
        {"user_id": "dana", "organizations": [ACME, GLOBEX]},
        {"user_id": "eve", "organizations": [QUIET]},
    ]


def test_a_member_gets_a_short_lived_token_that_reads_the_api(api_url: str, dash_settings: Settings) -> None:
    minted = httpx.post(f"{api_url}/dashboard/dev/token", json={"user_id": "dana"})
    assert minted.status_code == 200
    body = minted.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == dash_settings.dashboard_dev_token_ttl_seconds
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "dana" and claims["exp"] - claims["iat"] == body["expires_in"]
    read = httpx.get(f"{api_url}{SCANS}", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert read.status_code == 200 and read.json()["organization_id"] == ACME


def test_a_user_without_membership_gets_no_token(api_url: str) -> None:
    refused = httpx.post(f"{api_url}/dashboard/dev/token", json={"user_id": "mallory"})
    assert refused.status_code == 403
    assert "not a member of any organization" in refused.json()["detail"]
    assert "access_token" not in refused.text


def test_me_lists_organizations_and_brands(api_url: str) -> None:
    token = httpx.post(f"{api_url}/dashboard/dev/token", json={"user_id": "dana"}).json()["access_token"]
    me = httpx.get(f"{api_url}/dashboard/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {
        "user_id": "dana",
        "organizations": [
            {
                "organization_id": ACME,
                "is_default": True,
                "brands": [
                    {"brand_id": "acme-drinks", "name": "Acme Drinks"},
                    {"brand_id": "acme-snacks", "name": "Acme Snacks"},
                ],
            },
            {
                "organization_id": GLOBEX,
                "is_default": False,
                "brands": [{"brand_id": "globex-tools", "name": "Globex Tools"}],
            },
        ],
    }
    assert httpx.get(f"{api_url}/dashboard/api/v1/me").status_code == 401
