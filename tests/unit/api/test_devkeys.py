import json
from pathlib import Path

import pytest

from api.auth.devkeys import ensure_dev_keys, mint_token
from api.auth.keys import FileKeySource
from api.auth.tokens import TokenPolicy, authenticate
from api.errors import ConfigurationError
from scan_analytics.settings import Settings


def dev_settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(jwks_file=tmp_path / "auth" / "jwks.json",
                    dev_private_key_file=tmp_path / "auth" / "key.pem", **kw)  # type: ignore[arg-type]


async def test_minted_token_verifies_against_the_dev_jwks(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path)
    token = mint_token(settings, "alice", scopes=["brands:read", "x"], ttl_seconds=60)
    policy = TokenPolicy.of(settings.jwt_issuer, settings.jwt_audience, settings.jwt_algorithms, 0)
    principal = await authenticate(token, FileKeySource(settings.jwks_file), policy)
    assert principal.user_id == "alice" and principal.scopes == {"brands:read", "x"}
    assert oct(settings.dev_private_key_file.stat().st_mode & 0o777) == "0o600"


def test_keys_are_created_once(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path)
    first = ensure_dev_keys(settings)
    jwks = settings.jwks_file.read_text()
    second = ensure_dev_keys(settings)
    assert first.private_numbers() == second.private_numbers()
    assert settings.jwks_file.read_text() == jwks


def test_the_key_is_added_to_a_jwks_that_lacks_it(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path)
    ensure_dev_keys(settings)
    settings.jwks_file.write_text('{"keys": [{"kty": "RSA", "kid": "other", "n": "AQAB", "e": "AQAB"}]}')
    ensure_dev_keys(settings)
    kids = [k["kid"] for k in json.loads(settings.jwks_file.read_text())["keys"]]
    assert kids[0] == "other" and len(kids) == 2


@pytest.mark.parametrize(("kw", "user", "ttl", "message"), [
    ({"jwks_url": "https://issuer.example/jwks"}, "alice", 60, "a JWKS URL is configured"),
    ({}, " ", 60, "must not be empty"),
    ({}, "alice", 0, "lifetime must be positive"),
])
def test_mint_refuses(tmp_path: Path, kw: dict[str, object], user: str, ttl: int, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        mint_token(dev_settings(tmp_path, **kw), user, ttl_seconds=ttl)
