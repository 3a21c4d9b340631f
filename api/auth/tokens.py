"""Check a bearer access token: signature, issuer, audience, lifetime, subject and scopes."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from api.auth.keys import KEY_TYPES, KeySource
from api.errors import ConfigurationError, Unauthorized

MAX_TOKEN_LENGTH = 8192
MAX_SUBJECT_LENGTH = 200
MAX_VERIFIED_TOKENS = 4096  # tokens whose verification is remembered


@dataclass(frozen=True)
class TokenPolicy:
    """What a token must satisfy to be accepted."""

    issuer: str
    audience: str
    algorithms: tuple[str, ...]
    leeway_seconds: int

    @classmethod
    def of(cls, issuer: str, audience: str, algorithms: Sequence[str], leeway_seconds: int) -> TokenPolicy:
        """Build a policy; refuse `none`, HMAC and unknown algorithms."""
        known = jwt.algorithms.get_default_algorithms()
        bad = [a for a in algorithms if a[:2] not in KEY_TYPES or a not in known]
        if bad or not algorithms:
            raise ConfigurationError(
                f"jwt_algorithms must list asymmetric JWS algorithms (RS*, PS*, ES*, EdDSA); "
                f"refusing {bad or 'an empty list'}"
            )
        return cls(issuer, audience, tuple(algorithms), leeway_seconds)


@dataclass(frozen=True)
class Principal:
    """The caller a valid token speaks for."""

    user_id: str
    scopes: frozenset[str]


def _scopes(claim: object) -> frozenset[str]:
    if isinstance(claim, str):
        return frozenset(claim.split())
    if isinstance(claim, list) and all(isinstance(s, str) for s in claim):
        return frozenset(claim)
    return frozenset()


@dataclass(frozen=True)
class _Verified:
    """A token that passed every check with `key` under `policy`; good until `expires`."""

    policy: TokenPolicy
    kid: str | None
    alg: str
    key: Any
    expires: float  # exp + leeway: PyJWT refuses it from then on
    principal: Principal


class VerifiedTokens:
    """Tokens already verified, remembered until they expire so a token is checked in full once.

    A remembered token is accepted again only while the issuer's keys still give the very key
    object that verified it (a new or reloaded key set verifies in full again) and before its
    `exp` plus the leeway; everything else the checks look at is fixed by the token's bytes and
    the policy. At most `max_entries` tokens; the oldest are forgotten first.
    """

    def __init__(
        self, max_entries: int = MAX_VERIFIED_TOKENS, clock: Callable[[], float] = time.time
    ) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._tokens: dict[str, _Verified] = {}

    def get(self, token: str) -> _Verified | None:
        return self._tokens.get(token)

    def put(self, token: str, verified: _Verified) -> None:
        tokens = self._tokens
        if token not in tokens and len(tokens) >= self.max_entries:
            now = self.clock()
            for old in [t for t, v in tokens.items() if v.expires <= now]:
                del tokens[old]
            while len(tokens) >= self.max_entries:
                del tokens[next(iter(tokens))]
        tokens[token] = verified

    def forget(self, token: str) -> None:
        self._tokens.pop(token, None)

    def __len__(self) -> int:
        return len(self._tokens)


async def authenticate(
    token: str, keys: KeySource, policy: TokenPolicy, verified: VerifiedTokens | None = None
) -> Principal:
    """Return the principal of a valid token; raise Unauthorized saying what is wrong otherwise.

    With `verified`, a token verified before is accepted without decoding it again while its key
    and lifetime allow (see VerifiedTokens); its key is still asked of `keys`, as a new one's is.
    """
    known: tuple[Any] | None = None  # the key already asked of `keys` for this token
    if verified is not None:
        seen = verified.get(token)
        if seen is not None and seen.policy == policy:
            key = await keys.key_for(seen.kid, seen.alg)
            if key is seen.key and verified.clock() < seen.expires:
                return seen.principal
            verified.forget(token)
            known = (key,)
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthorized("the bearer token is empty or too long")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthorized("the bearer token is not a well-formed JWT") from None
    alg, kid = header.get("alg"), header.get("kid")
    if not isinstance(alg, str) or alg not in policy.algorithms:
        raise Unauthorized(
            f"tokens signed with {alg!r} are not accepted; allowed: {', '.join(policy.algorithms)}"
        )
    if kid is not None and not isinstance(kid, str):
        raise Unauthorized("the token's kid header is not a string")
    key = known[0] if known is not None else await keys.key_for(kid, alg)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=policy.audience,
            issuer=policy.issuer,
            leeway=policy.leeway_seconds,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired; get a new one") from None
    except jwt.ImmatureSignatureError:
        raise Unauthorized("the token is not valid yet (nbf or iat in the future)") from None
    except jwt.InvalidAudienceError:
        raise Unauthorized(
            f"the token is not meant for this API (audience must be {policy.audience!r})"
        ) from None
    except jwt.InvalidIssuerError:
        raise Unauthorized(f"the token was not issued by {policy.issuer!r}") from None
    except jwt.InvalidSignatureError:
        raise Unauthorized("the token's signature does not verify") from None
    except jwt.MissingRequiredClaimError as e:
        raise Unauthorized(f"the token lacks the {e.claim!r} claim") from None
    except jwt.PyJWTError as e:
        raise Unauthorized(f"the token is not valid: {e}") from None
    subject = claims.get("sub")
    if (
        not isinstance(subject, str)
        or not subject.strip()
        or len(subject) > MAX_SUBJECT_LENGTH
        or "\x00" in subject
    ):
        raise Unauthorized("the token's subject (sub) is not a usable user id")
    principal = Principal(subject, _scopes(claims.get("scope", claims.get("scp"))))
    if verified is not None:
        # as PyJWT reads exp; it refuses the token once exp <= now - leeway
        expires = int(claims["exp"]) + policy.leeway_seconds
        verified.put(token, _Verified(policy, kid, alg, key, expires, principal))
    return principal
