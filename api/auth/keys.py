"""Signing keys of the token issuer: a parsed JWKS, and a JWKS read from a local file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import jwt

from api.errors import Unauthorized, Unavailable

# Which JWK key type each JWS algorithm family needs.
KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
# Private members a careless JWKS may carry; only the public key is ever used.
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class KeySet:
    """Public keys by key id, parsed from a JWKS document."""

    def __init__(self, document: Any) -> None:
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ValueError("a JWKS is a JSON object with a 'keys' list")
        self.keys: dict[str | None, tuple[dict[str, Any], jwt.PyJWK]] = {}
        for jwk in document["keys"]:
            if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
                continue
            if jwk.get("kty") not in KEY_TYPES.values():
                continue  # symmetric ("oct") and unknown key types are never accepted
            public = {k: v for k, v in jwk.items() if k not in PRIVATE_MEMBERS}
            try:
                self.keys[jwk.get("kid")] = (public, jwt.PyJWK(public))
            except jwt.PyJWTError:
                continue

    def has(self, kid: str | None) -> bool:
        """Whether a token with key id `kid` names a key of this set."""
        return kid in self.keys or (kid is None and len(self.keys) == 1)

    def find(self, kid: str | None, alg: str) -> Any:
        """Return the key for `kid` that may verify `alg`; raise Unauthorized if there is none."""
        if kid is None and len(self.keys) == 1:
            kid = next(iter(self.keys))
        entry = self.keys.get(kid)
        if entry is None:
            raise Unauthorized("the token's signing key (kid) is not one of the issuer's keys")
        jwk, key = entry
        if KEY_TYPES.get(alg[:2]) != jwk.get("kty") or jwk.get("alg", alg) != alg:
            raise Unauthorized(f"the token's algorithm {alg} does not match its signing key")
        return key.key


class KeySource(Protocol):
    async def key_for(self, kid: str | None, alg: str) -> Any:
        """Return the public key for `kid` and `alg`."""
        ...


class FileKeySource:
    """A JWKS read from a file, re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._keys: KeySet | None = None

    def load(self) -> KeySet:
        try:
            mtime = self.path.stat().st_mtime
            if self._keys is None or mtime != self._mtime:
                self._keys = KeySet(json.loads(self.path.read_text()))
                self._mtime = mtime
        except (OSError, ValueError) as e:
            raise Unavailable(f"the JWKS file {self.path} cannot be read: {e}") from e
        return self._keys

    async def key_for(self, kid: str | None, alg: str) -> Any:
        return self.load().find(kid, alg)
