"""Per-user and per-organization request limits: a token bucket and a concurrency count per key (pure).

The headers follow the IETF draft "RateLimit header fields for HTTP"
(draft-ietf-httpapi-ratelimit-headers-10): `RateLimit-Policy: "user";q=20;w=4` names each
policy's quota `q` over `w` seconds (the bucket's size and the seconds it takes to refill from
empty), and `RateLimit: "user";r=13;t=2` the requests remaining and the seconds until the bucket
is full again. A request may cost more than one (a long window of days does).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from api.errors import TooManyRequests

MAX_KEYS = 10_000  # idle keys are forgotten beyond this many


@dataclass(frozen=True)
class Policy:
    """A limit of one kind of caller: `rate` requests a second, `burst` at once, `concurrency` in flight."""

    name: str
    rate: float
    burst: int
    concurrency: int

    @property
    def window(self) -> int:
        """Whole seconds an empty bucket takes to fill."""
        return max(1, math.ceil(self.burst / self.rate))


@dataclass(frozen=True)
class Quota:
    """What is left of a policy for one key after a request was let in."""

    policy: Policy
    remaining: int
    reset: int  # whole seconds until the bucket is full again


@dataclass(frozen=True)
class Refusal:
    """Why a request was turned away, and when to try again."""

    policy: Policy
    reason: str  # "rate" or "concurrency"
    retry_after: int  # whole seconds, at least 1


class Limiter:
    """Admit requests of each key within one policy."""

    def __init__(
        self, policy: Policy, *, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)
        self._active: dict[str, int] = {}

    def _tokens(self, key: str, now: float) -> float:
        tokens, then = self._buckets.get(key, (float(self.policy.burst), now))
        return min(float(self.policy.burst), tokens + (now - then) * self.policy.rate)

    def admit(self, key: str, cost: int = 1) -> Quota | Refusal:
        """Let a request of `key` worth `cost` requests in (then `release` it), or say why not."""
        now, policy = self.clock(), self.policy
        cost = min(max(cost, 1), policy.burst)
        if self._active.get(key, 0) >= policy.concurrency:
            return Refusal(policy, "concurrency", 1)
        tokens = self._tokens(key, now)
        if tokens < cost:
            return Refusal(policy, "rate", max(1, math.ceil((cost - tokens) / policy.rate)))
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            self._forget_idle(now)
        left = tokens - cost
        self._buckets[key] = (left, now)
        self._active[key] = self._active.get(key, 0) + 1
        return Quota(policy, math.floor(left), math.ceil((policy.burst - left) / policy.rate))

    def release(self, key: str) -> None:
        """Note that a request admitted for `key` is done."""
        left = self._active.get(key, 0) - 1
        if left > 0:
            self._active[key] = left
        else:
            self._active.pop(key, None)

    def active(self, key: str) -> int:
        return self._active.get(key, 0)

    def _forget_idle(self, now: float) -> None:
        # a key with a full bucket and nothing in flight is the same as an unknown key
        for key in [
            k for k in self._buckets if k not in self._active and self._tokens(k, now) >= self.policy.burst
        ]:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


def policy_header(policies: Iterable[Policy]) -> str:
    """The RateLimit-Policy field for `policies`."""
    return ", ".join(f'"{p.name}";q={p.burst};w={p.window}' for p in policies)


def quota_header(quotas: Iterable[Quota]) -> str:
    """The RateLimit field for `quotas`."""
    return ", ".join(f'"{q.policy.name}";r={q.remaining};t={q.reset}' for q in quotas)


def refusal_headers(refusal: Refusal, policies: Iterable[Policy]) -> dict[str, str]:
    """Retry-After, RateLimit and RateLimit-Policy of a 429."""
    return {
        "Retry-After": str(refusal.retry_after),
        "RateLimit": f'"{refusal.policy.name}";r=0;t={refusal.retry_after}',
        "RateLimit-Policy": policy_header(policies),
    }


class Limits:
    """The user and organization limiters of one app."""

    def __init__(
        self, user: Policy, organization: Policy, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.users = Limiter(user, clock=clock)
        self.organizations = Limiter(organization, clock=clock)
        self.refused: Counter[tuple[str, str]] = Counter()  # (policy, reason) -> requests

    @property
    def policies(self) -> tuple[Policy, Policy]:
        return self.users.policy, self.organizations.policy

    @contextmanager
    def user(self, user_id: str, cost: int = 1) -> Iterator[Quota]:
        """Hold one of `user_id`'s places for the block; raise TooManyRequests if there is none."""
        with self._held(self.users, user_id, cost, f"user {user_id!r}") as quota:
            yield quota

    @contextmanager
    def organization(self, organization_id: str, cost: int = 1) -> Iterator[Quota]:
        """Hold one of `organization_id`'s places for the block; raise TooManyRequests if there is none."""
        with self._held(
            self.organizations, organization_id, cost, f"organization {organization_id!r}"
        ) as quota:
            yield quota

    @contextmanager
    def _held(self, limiter: Limiter, key: str, cost: int, who: str) -> Iterator[Quota]:
        admitted = limiter.admit(key, cost)
        if isinstance(admitted, Refusal):
            self.refused[(admitted.policy.name, admitted.reason)] += 1
            p = admitted.policy
            if admitted.reason == "concurrency":
                why = f"{who} already has {p.concurrency} requests in progress"
            else:
                why = f"{who} is over its limit of {p.rate:g} requests a second (bursts of {p.burst})"
            raise TooManyRequests(
                f"{why}; retry after {admitted.retry_after} s",
                headers=refusal_headers(admitted, self.policies),
            )
        try:
            yield admitted
        finally:
            limiter.release(key)
