"""Check a bearer access token: signature, issuer, audience, lifetime, subject and scopes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jwt

from api.auth.keys import KEY_TYPES, KeySource
from api.errors import ConfigurationError, Unauthorized

MAX_TOKEN_LENGTH = 8192
MAX_SUBJECT_LENGTH = 200


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


async def authenticate(token: str, keys: KeySource, policy: TokenPolicy) -> Principal:
    """Return the principal of a valid token; raise Unauthorized saying what is wrong otherwise."""
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
    key = await keys.key_for(kid, alg)
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
    return Principal(subject, _scopes(claims.get("scope", claims.get("scp"))))
