"""The page's PKCE helpers (api/static/dashboard/pkce.js), run by Node.js."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess

import pytest

from scan_analytics.settings import REPO_ROOT

PKCE = REPO_ROOT / "api" / "static" / "dashboard" / "pkce.js"

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_Wb-gXFqx0AwU"
OAUTH = {
    "authorization_url": "https://idp.test/authorize?tenant=t1",
    "token_url": "https://idp.test/token",
    "client_id": "dashboard",
    "scope": "openid brands:read",
}

SCRIPT = """
const pkce = await import(process.argv[1]);
const oauth = JSON.parse(process.argv[2]);
const store = new Map();
const storage = { setItem: (k, v) => store.set(k, v), getItem: (k) => store.get(k) ?? null,
                  removeItem: (k) => store.delete(k) };
const out = { challenge: await pkce.challengeS256(process.argv[3]),
              verifiers: Array.from({ length: 50 }, () => pkce.randomString()) };
try { await pkce.challengeS256("short"); out.short = "accepted"; } catch (e) { out.short = e.message; }
out.url = await pkce.begin(oauth, "http://127.0.0.1:8000/dashboard/brand-analytics", storage);
const saved = JSON.parse(store.get("sa.pkce"));
out.saved = saved;
out.expected = await pkce.challengeS256(saved.verifier);
let posted = null;
const fetcher = async (url, init) => { posted = { url, init };
  return { ok: true, status: 200, json: async () => ({ access_token: "at-1" }) }; };
const params = new URLSearchParams({ code: "c-1", state: saved.state });
const back = "http://127.0.0.1:8000/dashboard/brand-analytics";
out.token = await pkce.complete(oauth, params, back, storage, fetcher);
out.posted = posted;
out.left = store.size;
store.set("sa.pkce", JSON.stringify(saved));
try { await pkce.complete(oauth, new URLSearchParams({ code: "c", state: "forged" }), "r", storage, fetcher);
      out.forged = "accepted"; } catch (e) { out.forged = e.message; }
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def result() -> dict[str, object]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is missing; the PKCE helpers are tested with it")
    run = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT, PKCE.as_uri(), json.dumps(OAUTH), VERIFIER],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out: dict[str, object] = json.loads(run.stdout)
    return out


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def test_challenge_is_base64url_of_sha256(result: dict[str, object]) -> None:
    assert result["challenge"] == s256(VERIFIER) == "B8GJA5DX6Ww9Q9_4-N6YRdi1LCvCqWAiO9KjLTDG7_4"
    saved = result["saved"]
    assert isinstance(saved, dict) and result["expected"] == s256(saved["verifier"])


def test_verifiers_are_random_and_well_formed(result: dict[str, object]) -> None:
    verifiers = result["verifiers"]
    assert isinstance(verifiers, list) and len(set(verifiers)) == 50
    assert all(len(v) == 43 and v.replace("-", "").replace("_", "").isalnum() for v in verifiers)
    assert result["short"] == "a PKCE code verifier is 43 to 128 unreserved characters"


def test_authorization_url_carries_the_s256_challenge(result: dict[str, object]) -> None:
    from urllib.parse import parse_qs, urlsplit

    url = urlsplit(str(result["url"]))
    assert (url.scheme, url.netloc, url.path) == ("https", "idp.test", "/authorize")
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    saved = result["saved"]
    assert isinstance(saved, dict)
    assert query == {
        "response_type": "code",
        "client_id": "dashboard",
        "redirect_uri": "http://127.0.0.1:8000/dashboard/brand-analytics",
        "scope": "openid brands:read",
        "state": saved["state"],
        "code_challenge": result["expected"],
        "code_challenge_method": "S256",
    }


def test_code_is_exchanged_with_the_verifier_once(result: dict[str, object]) -> None:
    from urllib.parse import parse_qs

    posted = result["posted"]
    assert isinstance(posted, dict) and posted["url"] == "https://idp.test/token"
    body = {k: v[0] for k, v in parse_qs(posted["init"]["body"]).items()}
    saved = result["saved"]
    assert isinstance(saved, dict)
    assert body == {
        "grant_type": "authorization_code",
        "code": "c-1",
        "client_id": "dashboard",
        "redirect_uri": "http://127.0.0.1:8000/dashboard/brand-analytics",
        "code_verifier": saved["verifier"],
    }
    assert result["token"] == "at-1"
    assert result["left"] == 0  # the verifier is gone once used
    assert result["forged"] == "the sign-in answer does not match the request this page made; sign in again"
