import time
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from api.auth.jwks import UrlKeySource
from api.auth.keys import FileKeySource, KeySet
from api.auth.tokens import Principal, TokenPolicy, authenticate
from api.errors import ConfigurationError, Unauthorized, Unavailable
from tests.unit.api.tokenkit import AUDIENCE, ISSUER, Issuer, b64, ec_key

POLICY = TokenPolicy.of(ISSUER, AUDIENCE, ["RS256", "ES256"], 30)
ISSUER_KEY = Issuer()
OTHER_KEY = Issuer(kid=ISSUER_KEY.kid)  # same kid, different key: a forged signature


class Keys:
    def __init__(self, document: dict[str, Any]) -> None:
        self.keys = KeySet(document)

    async def key_for(self, kid: str | None, alg: str) -> Any:
        return self.keys.find(kid, alg)


KEYS = Keys(ISSUER_KEY.jwks())


async def test_valid_token() -> None:
    principal = await authenticate(ISSUER_KEY.token("alice"), KEYS, POLICY)
    assert principal == Principal("alice", frozenset({"brands:read"}))


@pytest.mark.parametrize(
    ("claims", "scopes"),
    [
        ({"scope": "brands:read other"}, {"brands:read", "other"}),
        ({"scope": None, "scp": ["brands:read"]}, {"brands:read"}),
        ({"scope": None}, set()),
        ({"scope": 42}, set()),
    ],
)
async def test_scopes(claims: dict[str, Any], scopes: set[str]) -> None:
    principal = await authenticate(ISSUER_KEY.token(**claims), KEYS, POLICY)
    assert principal.scopes == scopes


async def test_leeway_accepts_a_just_expired_token() -> None:
    await authenticate(ISSUER_KEY.token(exp=int(time.time()) - 10), KEYS, POLICY)


def now() -> int:
    return int(time.time())


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda: "", "empty"),
        (lambda: "not-a-jwt", "not a well-formed JWT"),
        (lambda: "a.b.c", "not a well-formed JWT"),
        (lambda: ISSUER_KEY.token(exp=now() - 120), "expired"),
        (lambda: ISSUER_KEY.token(nbf=now() + 600), "not valid yet"),
        (lambda: ISSUER_KEY.token(iss="https://evil.test/"), "not issued by"),
        (lambda: ISSUER_KEY.token(aud="another-api"), "not meant for this API"),
        (lambda: ISSUER_KEY.token(exp=None), "lacks the 'exp' claim"),
        (lambda: ISSUER_KEY.token(sub=None), "lacks the 'sub' claim"),
        (lambda: ISSUER_KEY.token(sub=""), "subject"),
        (lambda: ISSUER_KEY.token(sub=17), "not valid"),
        (lambda: OTHER_KEY.token(), "signature does not verify"),
        (lambda: Issuer().token(), "signing key (kid) is not one of the issuer's keys"),
        (lambda: jwt.encode(ISSUER_KEY.claims(), None, algorithm="none"), "'none' are not accepted"),
        (ISSUER_KEY.hs256_with_public_key, "'HS256' are not accepted"),
        (
            lambda: jwt.encode(
                ISSUER_KEY.claims(), ec_key(), algorithm="ES256", headers={"kid": ISSUER_KEY.kid}
            ),
            "does not match its signing key",
        ),
        (
            lambda: jwt.encode(
                ISSUER_KEY.claims(), ISSUER_KEY.key, algorithm="PS256", headers={"kid": ISSUER_KEY.kid}
            ),
            "'PS256' are not accepted",
        ),
    ],
)
async def test_refused(token: Any, message: str) -> None:
    with pytest.raises(Unauthorized) as e:
        await authenticate(token(), KEYS, POLICY)
    assert message in str(e.value)


@pytest.mark.parametrize("algorithms", [["HS256"], ["none"], ["RS256", "HS512"], [], ["XX256"]])
def test_policy_refuses_symmetric_and_none(algorithms: list[str]) -> None:
    with pytest.raises(ConfigurationError, match="asymmetric"):
        TokenPolicy.of(ISSUER, AUDIENCE, algorithms, 30)


def test_keyset_ignores_symmetric_keys() -> None:
    keys = KeySet({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}, ISSUER_KEY.jwk]})
    assert set(keys.keys) == {ISSUER_KEY.kid}
    with pytest.raises(ValueError):
        KeySet({"nokeys": []})


async def test_file_source(tmp_path: Path) -> None:
    source = FileKeySource(ISSUER_KEY.write_jwks(tmp_path / "jwks.json"))
    assert (await authenticate(ISSUER_KEY.token(), source, POLICY)).user_id == "alice"
    with pytest.raises(Unavailable, match="cannot be read"):
        await FileKeySource(tmp_path / "missing.json").key_for(None, "RS256")


async def test_url_source_refetches_for_a_new_key() -> None:
    documents = [ISSUER_KEY.jwks()]
    fetches = []

    def handler(request: httpx.Request) -> httpx.Response:
        fetches.append(request.url)
        return httpx.Response(200, json=documents[-1])

    source = UrlKeySource(
        "https://issuer.test/jwks", refresh_interval=0, transport=httpx.MockTransport(handler)
    )
    await authenticate(ISSUER_KEY.token(), source, POLICY)
    await authenticate(ISSUER_KEY.token(), source, POLICY)
    assert len(fetches) == 1  # cached
    rotated = Issuer()
    documents.append(rotated.jwks(ISSUER_KEY.jwk))
    await authenticate(rotated.token(), source, POLICY)
    assert len(fetches) == 2
    await source.aclose()


async def test_url_source_unreachable_is_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    source = UrlKeySource("https://issuer.test/jwks", transport=httpx.MockTransport(handler))
    with pytest.raises(Unavailable, match="cannot be fetched"):
        await source.key_for("k", "RS256")
    await source.aclose()


async def test_a_jwks_carrying_a_private_key_is_used_as_public() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    numbers = ISSUER_KEY.key.private_numbers()
    assert isinstance(ISSUER_KEY.key, rsa.RSAPrivateKey)
    leaky = dict(ISSUER_KEY.jwk, d=b64(numbers.d.to_bytes((numbers.d.bit_length() + 7) // 8, "big")))
    principal = await authenticate(ISSUER_KEY.token(), Keys({"keys": [leaky]}), POLICY)
    assert principal.user_id == "alice"
