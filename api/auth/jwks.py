"""The identity provider's JWKS over HTTP: one fetch at a time, failures rate-limited, and the
last good key set kept serving for a bounded time while the provider is away."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from api.auth.keys import KeySet
from api.errors import Unavailable

log = logging.getLogger("api.jwks")

FETCH_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class JwksStats:
    """What the cache has done, for the metrics."""

    fetches_ok: int
    fetches_failed: int
    age_seconds: float | None  # of the key set in use; None before the first good fetch
    stale: bool  # the key set in use is older than the cache time


class JwksCache:
    """Key sets from `fetch`, cached for `ttl` seconds.

    At most one fetch runs at a time and every request that needs it waits for that one; a
    fetch starts at most once per `refresh_interval` (an unknown key id, a failure), so neither
    made-up key ids nor a provider that is down can multiply the fetches. A key set past its
    `ttl` keeps serving while it is fetched again, and for `max_stale` more seconds while the
    fetches fail; after that, or before any good fetch, requests get a 503.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[KeySet]],
        *,
        ttl: float,
        refresh_interval: float,
        max_stale: float,
        clock: Callable[[], float] = time.monotonic,
        source: str = "the JWKS URL",
    ) -> None:
        self.fetch = fetch
        self.ttl = ttl
        self.refresh_interval = refresh_interval
        self.max_stale = max_stale
        self.clock = clock
        self.source = source
        self._keys: KeySet | None = None
        self._fetched_at = -math.inf
        self._attempted_at = -math.inf
        self._flight: asyncio.Task[KeySet | None] | None = None
        self._ok = 0
        self._failed = 0
        self._failing_since: float | None = None

    def stats(self) -> JwksStats:
        age = None if self._keys is None else self.clock() - self._fetched_at
        return JwksStats(self._ok, self._failed, age, age is not None and age >= self.ttl)

    def retry_after(self) -> int:
        """Whole seconds until the next fetch may start (at least 1)."""
        return max(1, math.ceil(self._attempted_at + self.refresh_interval - self.clock()))

    def _start(self) -> asyncio.Task[KeySet | None] | None:
        """Return the fetch in flight, or start one if the interval allows it."""
        if self._flight is None and self.clock() - self._attempted_at >= self.refresh_interval:
            self._attempted_at = self.clock()
            self._flight = asyncio.ensure_future(self._run())
        return self._flight

    async def _run(self) -> KeySet | None:
        try:
            keys = await self.fetch()
        except Exception as e:
            self._failed += 1
            self._note_failure(e)
            return None
        finally:
            self._flight = None
        if self._failing_since is not None:
            log.warning(
                "JWKS: %s answers again after %.0f s of failed fetches",
                self.source,
                self.clock() - self._failing_since,
            )
            self._failing_since = None
        self._ok += 1
        self._keys, self._fetched_at = keys, self.clock()
        return keys

    def _note_failure(self, error: Exception) -> None:
        now = self.clock()
        if self._failing_since is None:
            self._failing_since = now
        if self._keys is None:
            log.warning(
                "JWKS: %s cannot be fetched (%s); no key set yet, tokens get 503 until a "
                "fetch succeeds; next attempt in %.0f s",
                self.source,
                error,
                self.refresh_interval,
            )
            return
        age = now - self._fetched_at
        left = self.ttl + self.max_stale - age
        log.warning(
            "JWKS: %s cannot be fetched (%s); serving the key set fetched %.0f s ago for at "
            "most %.0f s more; next attempt in %.0f s",
            self.source,
            error,
            age,
            max(left, 0),
            self.refresh_interval,
        )

    async def _await(self, flight: asyncio.Task[KeySet | None] | None) -> KeySet | None:
        # shielded: a request that goes away must not cancel the fetch the others wait for
        return None if flight is None else await asyncio.shield(flight)

    async def keys(self, kid: str | None) -> KeySet:
        """Return the key set to check a token with key id `kid` against."""
        keys, age = self._keys, self.clock() - self._fetched_at
        if keys is None or age >= self.ttl + self.max_stale:
            fetched = await self._await(self._start())
            if fetched is not None:
                return fetched
            keys = self._keys  # another request's fetch may have succeeded meanwhile
            if keys is None or self.clock() - self._fetched_at >= self.ttl + self.max_stale:
                raise Unavailable(
                    f"the identity provider's keys cannot be fetched from {self.source}; retry shortly",
                    retry_after=self.retry_after(),
                )
            return keys
        if age >= self.ttl:
            self._start()  # refresh behind the requests, which keep the key set they have
        if not keys.has(kid):
            fetched = await self._await(self._start())
            if fetched is not None:
                return fetched
        return keys

    async def aclose(self) -> None:
        """Cancel a fetch in flight."""
        flight = self._flight
        if flight is not None:
            flight.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flight


class UrlKeySource:
    """The issuer's JWKS fetched over HTTP(S) through a `JwksCache`."""

    def __init__(
        self,
        url: str,
        *,
        ttl: float = 300.0,
        refresh_interval: float = 30.0,
        max_stale: float = 86400.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._client = httpx.AsyncClient(transport=transport, timeout=FETCH_TIMEOUT_SECONDS)
        self.cache = JwksCache(
            self._fetch,
            ttl=ttl,
            refresh_interval=refresh_interval,
            max_stale=max_stale,
            clock=clock,
            source=url,
        )

    async def _fetch(self) -> KeySet:
        try:
            resp = await self._client.get(self.url)
            resp.raise_for_status()
            return KeySet(resp.json())
        except (httpx.HTTPError, ValueError) as e:
            raise Unavailable(f"the JWKS at {self.url} cannot be fetched: {e}") from e

    async def key_for(self, kid: str | None, alg: str) -> Any:
        return (await self.cache.keys(kid)).find(kid, alg)

    def stats(self) -> JwksStats:
        return self.cache.stats()

    async def aclose(self) -> None:
        await self.cache.aclose()
        await self._client.aclose()
