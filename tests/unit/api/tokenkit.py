"""Signing keys and token builders shared by the API's unit and integration tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from api.auth.devkeys import public_jwk

ISSUER = "https://issuer.test/"
AUDIENCE = "scan-analytics-api"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """A token issuer with one RSA key; writes its JWKS where told."""

    def __init__(self, kid: str | None = None) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.jwk = public_jwk(self.key)
        if kid is not None:
            self.jwk["kid"] = kid
        self.kid = self.jwk["kid"]

    def jwks(self, *extra: dict[str, Any]) -> dict[str, Any]:
        return {"keys": [self.jwk, *extra]}

    def write_jwks(self, path: Path, *extra: dict[str, Any]) -> Path:
        path.write_text(json.dumps(self.jwks(*extra)))
        return path

    def claims(self, user: str = "alice", **override: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user,
            "scope": "brands:read",
            "iat": now,
            "nbf": now,
            "exp": now + 600,
        }
        claims.update(override)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, user: str = "alice", *, headers: dict[str, Any] | None = None, **override: Any) -> str:
        return jwt.encode(
            self.claims(user, **override),
            self.key,
            algorithm="RS256",
            headers={"kid": self.kid, **(headers or {})},
        )

    def hs256_with_public_key(self, user: str = "alice") -> str:
        """A token signed with HS256 using the issuer's public key as the secret (algorithm confusion)."""
        secret = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.kid}).encode())
        body = b64(json.dumps(self.claims(user)).encode())
        sig = b64(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
        return f"{head}.{body}.{sig}"


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())
