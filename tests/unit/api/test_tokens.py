import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from api.auth.jwks import UrlKeySource
from api.auth.keys import FileKeySource, KeySet
from api.auth.tokens import Principal, TokenPolicy, VerifiedTokens, _Verified, authenticate
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


class CountingKeys(Keys):
    """Keys whose set can be swapped, counting the lookups."""

    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__(document)
        self.lookups = 0

    async def key_for(self, kid: str | None, alg: str) -> Any:
        self.lookups += 1
        return await super().key_for(kid, alg)


async def test_a_verified_token_is_not_decoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    keys, verified = CountingKeys(ISSUER_KEY.jwks()), VerifiedTokens()
    token = ISSUER_KEY.token("alice", scope="brands:read other")
    first = await authenticate(token, keys, POLICY, verified)
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: pytest.fail("decoded again"))
    assert await authenticate(token, keys, POLICY, verified) == first
    assert keys.lookups == 2  # the key is still asked for each time
    other = ISSUER_KEY.token("bob")  # another token is verified in full
    with pytest.raises(pytest.fail.Exception):
        await authenticate(other, keys, POLICY, verified)


async def test_a_remembered_token_expires_with_its_leeway() -> None:
    clock = [float(now())]
    verified = VerifiedTokens(clock=lambda: clock[0])
    token = ISSUER_KEY.token(exp=now() + 5)
    await authenticate(token, KEYS, POLICY, verified)
    clock[0] += 5 + POLICY.leeway_seconds - 1
    assert (await authenticate(token, KEYS, POLICY, verified)).user_id == "alice"
    clock[0] += 1  # exp + leeway: PyJWT's own refusal, checked in full again
    seen = verified.get(token)
    assert seen is not None and clock[0] >= seen.expires


async def test_an_expired_remembered_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    verified = VerifiedTokens()
    token = ISSUER_KEY.token(exp=now() + 1)
    await authenticate(token, KEYS, POLICY, verified)
    later = time.time() + 1 + POLICY.leeway_seconds + 1

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.fromtimestamp(later, tz)

    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)  # PyJWT's clock
    verified.clock = lambda: later
    with pytest.raises(Unauthorized, match="expired"):
        await authenticate(token, KEYS, POLICY, verified)
    assert verified.get(token) is None


async def test_a_remembered_token_is_refused_once_its_key_is_gone() -> None:
    keys, verified = CountingKeys(ISSUER_KEY.jwks()), VerifiedTokens()
    token = ISSUER_KEY.token()
    await authenticate(token, keys, POLICY, verified)
    keys.keys = KeySet(Issuer().jwks())  # rotated: the token's kid is no longer published
    with pytest.raises(Unauthorized, match="signing key"):
        await authenticate(token, keys, POLICY, verified)
    keys.keys = KeySet(OTHER_KEY.jwks())  # same kid, another key: verified in full, and refused
    with pytest.raises(Unauthorized, match="signature does not verify"):
        await authenticate(token, keys, POLICY, verified)
    assert verified.get(token) is None


async def test_a_reloaded_key_set_verifies_in_full_again() -> None:
    keys, verified = CountingKeys(ISSUER_KEY.jwks()), VerifiedTokens()
    token = ISSUER_KEY.token()
    await authenticate(token, keys, POLICY, verified)
    first = verified.get(token)
    keys.keys = KeySet(ISSUER_KEY.jwks())  # the same key, parsed anew
    await authenticate(token, keys, POLICY, verified)
    second = verified.get(token)
    assert first is not None and second is not None and second.key is not first.key
    assert keys.lookups == 2  # one lookup a request, as without the cache


async def test_another_policy_does_not_use_remembered_tokens() -> None:
    verified = VerifiedTokens()
    token = ISSUER_KEY.token()
    await authenticate(token, KEYS, POLICY, verified)
    strict = TokenPolicy.of(ISSUER, "another-api", ["RS256"], 30)
    with pytest.raises(Unauthorized, match="not meant for this API"):
        await authenticate(token, KEYS, strict, verified)


def test_remembered_tokens_are_bounded() -> None:
    clock = [1000.0]
    verified = VerifiedTokens(max_entries=3, clock=lambda: clock[0])
    principal = Principal("alice", frozenset())

    def entry(expires: float) -> Any:
        return _Verified(POLICY, None, "RS256", object(), expires, principal)

    verified.put("a", entry(2000))
    verified.put("b", entry(999))  # already expired: forgotten first
    verified.put("c", entry(2000))
    verified.put("d", entry(2000))
    assert [t for t in "abcd" if verified.get(t)] == ["a", "c", "d"]
    verified.put("e", entry(2000))  # none expired: the oldest goes
    assert [t for t in "abcde" if verified.get(t)] == ["c", "d", "e"]
    assert len(verified) == 3
