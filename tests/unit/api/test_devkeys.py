import json
from pathlib import Path

import pytest

from api.auth.devkeys import ensure_dev_keys, mint_token
from api.auth.keys import FileKeySource
from api.auth.tokens import TokenPolicy, authenticate
from api.errors import ConfigurationError
from scan_analytics.settings import Settings


def dev_settings(tmp_path: Path, **kw: object) -> Settings:
    kw = {"dev_auth": True, **kw}
    return Settings(
        jwks_file=tmp_path / "auth" / "jwks.json", dev_private_key_file=tmp_path / "auth" / "key.pem", **kw
    )  # type: ignore[arg-type]


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


@pytest.mark.parametrize(
    "content",
    [
        '{"keys": [{"kty": "RSA", "kid": "other", "n": "AQAB", "e": "AQAB"}]}',  # another issuer's key set
        '{"issuer": "https://login.example.com/"}',  # not a key set at all
    ],
)
def test_a_jwks_file_holding_other_keys_is_never_written(tmp_path: Path, content: str) -> None:
    settings = dev_settings(tmp_path)
    settings.jwks_file.parent.mkdir(parents=True)
    settings.jwks_file.write_text(content)
    with pytest.raises(ConfigurationError, match="refusing"):
        mint_token(settings, "mallory")
    assert settings.jwks_file.read_text() == content


def test_the_key_is_written_into_an_empty_jwks(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path)
    settings.jwks_file.parent.mkdir(parents=True)
    settings.jwks_file.write_text('{"keys": []}')
    ensure_dev_keys(settings)
    assert len(json.loads(settings.jwks_file.read_text())["keys"]) == 1


@pytest.mark.parametrize(
    ("kw", "user", "ttl", "message"),
    [
        ({"jwks_url": "https://issuer.example/jwks"}, "alice", 60, "a JWKS URL is configured"),
        ({"dev_auth": False}, "alice", 60, "DEV_AUTH=true"),
        ({}, " ", 60, "must not be empty"),
        ({}, "alice", 0, "lifetime must be positive"),
    ],
)
def test_mint_refuses(tmp_path: Path, kw: dict[str, object], user: str, ttl: int, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        mint_token(dev_settings(tmp_path, **kw), user, ttl_seconds=ttl)
