"""Development signing key, its JWKS file, and tokens minted with it (never with a real issuer)."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api.errors import ConfigurationError
from scan_analytics.settings import ENV_PREFIX, Settings

DEV_ALGORITHM = "RS256"
DEFAULT_SCOPES = ("brands:read",)
DEFAULT_TTL_SECONDS = 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(key: rsa.RSAPrivateKey) -> dict[str, str]:
    """Return the public JWK of `key`, its kid being the RFC 7638 thumbprint."""
    numbers = key.public_key().public_numbers()
    e = _b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big"))
    n = _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big"))
    thumbprint = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True)
    kid = _b64(hashlib.sha256(thumbprint.encode()).digest())
    return {"kty": "RSA", "use": "sig", "alg": DEV_ALGORITHM, "kid": kid, "n": n, "e": e}


def _write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_dev_keys(settings: Settings) -> rsa.RSAPrivateKey:
    """Create the development key pair and its JWKS file if missing; return the private key."""
    key_path, jwks_path = settings.dev_private_key_file, settings.jwks_file
    with _locked(key_path.parent):
        try:
            if key_path.exists():
                loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
                if not isinstance(loaded, rsa.RSAPrivateKey):
                    raise ConfigurationError(f"{key_path} does not hold an RSA private key")
                key = loaded
            else:
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                _write(
                    key_path,
                    key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    ),
                    0o600,
                )
            jwk = public_jwk(key)
            keys: Any = []
            if jwks_path.exists():
                document = json.loads(jwks_path.read_text())
                keys = document.get("keys") if isinstance(document, dict) else None
                if not isinstance(keys, list):
                    raise ConfigurationError(f"{jwks_path} is not a JWKS; refusing to overwrite it")
            others = [
                k.get("kid") if isinstance(k, dict) else k
                for k in keys
                if not (isinstance(k, dict) and k.get("kid") == jwk["kid"])
            ]
            if others:
                # a key set trusted for another issuer must never come to trust the development key
                raise ConfigurationError(
                    f"{jwks_path} holds keys the development key did not create (kid "
                    f"{', '.join(map(repr, others[:3]))}); refusing to add the development key to "
                    f"it: point {ENV_PREFIX}JWKS_FILE at a file of its own"
                )
            if not keys:
                jwks_path.parent.mkdir(parents=True, exist_ok=True)
                _write(jwks_path, json.dumps({"keys": [jwk]}, indent=2).encode(), 0o644)
        except (OSError, ValueError) as e:
            raise ConfigurationError(f"cannot prepare the development key in {key_path.parent}: {e}") from e
    return key


def mint_token(
    settings: Settings,
    user: str,
    *,
    scopes: Sequence[str] = DEFAULT_SCOPES,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
) -> str:
    """Return an access token for `user` signed by the development key."""
    if settings.jwks_url:
        raise ConfigurationError(
            f"a JWKS URL is configured ({settings.jwks_url}); tokens must come from that "
            "issuer, not from the development key"
        )
    if not settings.dev_auth:
        raise ConfigurationError(
            f"development authentication is off; set {ENV_PREFIX}DEV_AUTH=true to sign tokens "
            "with the development key (development only)"
        )
    if not user.strip():
        raise ConfigurationError("the user id must not be empty")
    if ttl_seconds <= 0:
        raise ConfigurationError("the token lifetime must be positive")
    key = ensure_dev_keys(settings)
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": user,
        "scope": " ".join(scopes),
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
    }
    return jwt.encode(claims, key, algorithm=DEV_ALGORITHM, headers={"kid": public_jwk(key)["kid"]})
