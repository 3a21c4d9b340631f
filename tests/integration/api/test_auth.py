"""The auth matrix: who gets what, and that no refusal carries numbers."""

from __future__ import annotations

import time
from datetime import date

import jwt
import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import SCANS, insert_scans, seed_catalog
from tests.unit.api.tokenkit import Issuer, ec_key

pytestmark = pytest.mark.integration

G1, G2 = "00000000000055", "00000000000062"


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(
        db,
        {"au-one": {"au-one-b": "One"}, "au-two": {"au-two-b": "Two"}, "au-three": {}},
        {G1: ("au-one-b", "P1"), G2: ("au-two-b", "P2")},
        [
            ("au-alice", "au-one", True),
            ("au-bob", "au-one", False),
            ("au-bob", "au-two", False),  # several, no default
            ("au-carol", "au-two", False),  # one, no default
            ("au-erin", "au-two", True),
        ],
    )
    insert_scans(
        db,
        [
            (date(2026, 4, 10), "au-one", "au-one-b", G1, "US", "mobile", False, 11),
            (date(2026, 4, 10), "au-one", "au-ghost", G1, "US", "mobile", False, 4),
            (date(2026, 4, 10), "au-two", "au-two-b", G2, "DE", "mobile", False, 22),
        ],
    )


def call(client: TestClient, token: str | None, scheme: str = "Bearer", **params: str):  # type: ignore[no-untyped-def]
    headers = {} if token is None else {"Authorization": f"{scheme} {token}"}
    return client.get(SCANS, params=params, headers=headers)


def assert_problem(resp, status: int, detail: str) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["status"] == status and body["title"] and detail in body["detail"]
    assert "total_scans" not in body and "11" not in resp.text and "22" not in resp.text


def test_no_token(client: TestClient) -> None:
    resp = call(client, None)
    assert_problem(resp, 401, "send an access token")
    assert resp.headers["www-authenticate"] == 'Bearer realm="scan-analytics"'


def test_wrong_scheme(client: TestClient, issuer: Issuer) -> None:
    resp = call(client, issuer.token("au-alice"), scheme="Basic")
    assert_problem(resp, 401, "use the Bearer scheme")
    assert 'error="invalid_request"' in resp.headers["www-authenticate"]


def now() -> int:
    return int(time.time())


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda i: "garbage", "not a well-formed JWT"),
        (lambda i: Issuer(kid=i.kid).token("au-alice"), "signature does not verify"),
        (lambda i: Issuer().token("au-alice"), "signing key (kid)"),
        (lambda i: i.token("au-alice", exp=now() - 3600), "expired"),
        (lambda i: i.token("au-alice", nbf=now() + 3600), "not valid yet"),
        (lambda i: i.token("au-alice", iss="https://other-issuer.test/"), "not issued by"),
        (lambda i: i.token("au-alice", aud="another-api"), "not meant for this API"),
        (lambda i: jwt.encode(i.claims("au-alice"), None, algorithm="none"), "are not accepted"),
        (
            lambda i: jwt.encode(i.claims("au-alice"), ec_key(), algorithm="ES256", headers={"kid": i.kid}),
            "does not match its signing key",
        ),
    ],
)
def test_invalid_tokens(client: TestClient, issuer: Issuer, make, detail: str) -> None:  # type: ignore[no-untyped-def]
    resp = call(client, make(issuer))
    assert_problem(resp, 401, detail)
    challenge = resp.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="scan-analytics", error="invalid_token", error_description="')


def test_hmac_token_signed_with_the_public_key(client: TestClient, issuer: Issuer) -> None:
    assert_problem(call(client, issuer.hs256_with_public_key("au-alice")), 401, "'HS256' are not accepted")


def test_no_scope(client: TestClient, issuer: Issuer) -> None:
    resp = call(client, issuer.token("au-alice", scope="brands:write profile"))
    assert_problem(resp, 403, "lacks the scope 'brands:read'")
    assert resp.headers["www-authenticate"] == (
        'Bearer realm="scan-analytics", error="insufficient_scope", scope="brands:read"'
    )


@pytest.mark.parametrize(
    ("user", "params", "status", "detail"),
    [
        ("au-alice", {"organization_id": "au-two"}, 403, "not a member of organization 'au-two'"),
        ("au-alice", {"organization_id": "no-such-org"}, 403, "not a member of organization"),
        ("au-alice", {"brand_id": "au-two-b"}, 403, "does not belong to organization 'au-one'"),
        ("au-erin", {"brand_id": "au-one-b"}, 403, "does not belong to organization 'au-two'"),
        ("au-alice", {"brand_id": "no-such-brand"}, 404, "brand 'no-such-brand' does not exist"),
        ("au-bob", {}, 400, "belongs to 2 organizations and has no default; pass organization_id"),
        ("au-dave", {}, 403, "not a member of any organization"),
        ("au-erin", {"organization_id": "au-one"}, 403, "not a member of organization 'au-one'"),
    ],
)
def test_refusals(
    client: TestClient, issuer: Issuer, user: str, params: dict[str, str], status: int, detail: str
) -> None:
    assert_problem(call(client, issuer.token(user), since="2026-04-01", **params), status, detail)


@pytest.mark.parametrize(
    ("user", "params", "org", "total"),
    [
        ("au-alice", {}, "au-one", 15),  # the default organization
        ("au-alice", {"brand_id": "au-one-b"}, "au-one", 11),
        ("au-alice", {"brand_id": "au-ghost"}, "au-one", 4),  # scans under a brand the catalog lacks
        ("au-bob", {"organization_id": "au-two"}, "au-two", 22),
        ("au-bob", {"organization_id": "au-one"}, "au-one", 15),
        ("au-carol", {}, "au-two", 22),  # a single membership needs no default
        ("au-erin", {}, "au-two", 22),
    ],
)
def test_allowed(
    client: TestClient, issuer: Issuer, user: str, params: dict[str, str], org: str, total: int
) -> None:
    resp = call(client, issuer.token(user), since="2026-04-01", **params)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["organization_id"], body["total_scans"]) == (org, total)


def test_a_token_for_several_scopes_and_case_insensitive_scheme(client: TestClient, issuer: Issuer) -> None:
    resp = call(client, issuer.token("au-alice", scope="openid brands:read"), scheme="bearer")
    assert resp.status_code == 200
