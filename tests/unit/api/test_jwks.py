"""The JWKS cache with a fake clock and a fake provider: fetch counts, staleness, refusals."""

import asyncio
import logging

import pytest

from api.auth.jwks import JwksCache
from api.auth.keys import KeySet
from api.errors import Unavailable
from tests.unit.api.tokenkit import Issuer

ISSUER = Issuer()
ROTATED = Issuer()
TTL, INTERVAL, MAX_STALE = 300.0, 30.0, 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


class Provider:
    """A JWKS endpoint: counts fetches, may be held, may be down."""

    def __init__(self) -> None:
        self.fetches = 0
        self.up = True
        self.document = ISSUER.jwks()
        self.gate: asyncio.Event | None = None

    async def fetch(self) -> KeySet:
        self.fetches += 1
        if self.gate is not None:
            await self.gate.wait()
        if not self.up:
            raise Unavailable("connection refused")
        return KeySet(self.document)


def cache(provider: Provider, clock: Clock) -> JwksCache:
    return JwksCache(provider.fetch, ttl=TTL, refresh_interval=INTERVAL, max_stale=MAX_STALE, clock=clock)


async def many(n: int, call) -> list[object]:  # type: ignore[no-untyped-def]
    return list(await asyncio.gather(*(call(i) for i in range(n)), return_exceptions=True))


async def test_a_cold_start_of_200_requests_fetches_once() -> None:
    provider, clock = Provider(), Clock()
    keys = cache(provider, clock)
    provider.gate = asyncio.Event()
    waiting = asyncio.ensure_future(many(200, lambda i: keys.keys(ISSUER.kid)))
    await asyncio.sleep(0)
    provider.gate.set()
    results = await waiting
    assert provider.fetches == 1
    assert all(isinstance(r, KeySet) and r.has(ISSUER.kid) for r in results)


async def test_200_unknown_kids_fetch_at_most_once_an_interval() -> None:
    provider, clock = Provider(), Clock()
    keys = cache(provider, clock)
    await keys.keys(ISSUER.kid)
    clock.now += INTERVAL
    results = await many(200, lambda i: keys.keys(f"made-up-{i}"))
    assert provider.fetches == 2 and all(isinstance(r, KeySet) for r in results)
    for i in range(200):  # later ones, still within the interval
        await keys.keys(f"other-{i}")
    assert provider.fetches == 2
    clock.now += INTERVAL
    await keys.keys("yet-another")
    assert provider.fetches == 3


async def test_a_rotated_key_is_found_with_one_fetch() -> None:
    provider, clock = Provider(), Clock()
    keys = cache(provider, clock)
    await keys.keys(ISSUER.kid)
    provider.document = ROTATED.jwks(ISSUER.jwk)
    clock.now += INTERVAL
    assert (await keys.keys(ROTATED.kid)).has(ROTATED.kid)
    assert provider.fetches == 2


async def test_a_fresh_key_set_is_not_fetched_again() -> None:
    provider, clock = Provider(), Clock()
    keys = cache(provider, clock)
    for _ in range(50):
        await keys.keys(ISSUER.kid)
        clock.now += (TTL - 1) / 50
    assert provider.fetches == 1


async def test_an_expired_key_set_serves_while_it_is_fetched_again() -> None:
    provider, clock = Provider(), Clock()
    keys = cache(provider, clock)
    await keys.keys(ISSUER.kid)
    provider.document = ROTATED.jwks()
    clock.now += TTL
    assert (await keys.keys(ISSUER.kid)).has(ISSUER.kid)  # the old set, at once
    await asyncio.sleep(0)  # the refresh behind it completes
    assert provider.fetches == 2 and (await keys.keys(ROTATED.kid)).has(ROTATED.kid)
    assert keys.stats().age_seconds == 0 and not keys.stats().stale


async def test_provider_down_keeps_the_last_good_keys_for_max_stale(caplog: pytest.LogCaptureFixture) -> None:
    provider, clock = Provider(), Clock()
    keys = cache(provider, clock)
    await keys.keys(ISSUER.kid)
    provider.up = False
    caplog.set_level(logging.WARNING, logger="api.jwks")
    steps = int((TTL + MAX_STALE - 1) // 1)
    start = clock.now
    for _ in range(steps):  # one request a second, from fresh to the end of the stale bound
        clock.now += 1
        assert (await keys.keys(ISSUER.kid)).has(ISSUER.kid)
        await asyncio.sleep(0)
    # every interval after the cache time one fetch, no more
    assert provider.fetches == 1 + len(range(int(TTL), steps + 1, int(INTERVAL)))
    assert keys.stats().stale and keys.stats().fetches_failed == provider.fetches - 1
    assert "serving the key set fetched" in caplog.text
    clock.now = start + TTL + MAX_STALE + INTERVAL
    with pytest.raises(Unavailable) as e:
        await keys.keys(ISSUER.kid)
    assert 1 <= e.value.retry_after <= INTERVAL and e.value.headers()["Retry-After"]
    provider.up = True
    clock.now += INTERVAL
    assert (await keys.keys(ISSUER.kid)).has(ISSUER.kid)
    assert "answers again" in caplog.text


async def test_a_failed_cold_start_is_retried_once_an_interval() -> None:
    provider, clock = Provider(), Clock()
    provider.up = False
    keys = cache(provider, clock)
    for _ in range(100):
        with pytest.raises(Unavailable) as e:
            await keys.keys(ISSUER.kid)
        clock.now += 0.25
    assert provider.fetches == 1 and e.value.retry_after == 6  # 30 s - 24.75 s, rounded up
    clock.now += 6
    provider.up = True
    await keys.keys(ISSUER.kid)
    assert provider.fetches == 2 and keys.stats().fetches_ok == 1


async def test_a_request_that_goes_away_does_not_cancel_the_fetch() -> None:
    provider, clock = Provider(), Clock()
    keys = cache(provider, clock)
    provider.gate = asyncio.Event()
    first = asyncio.ensure_future(keys.keys(ISSUER.kid))
    second = asyncio.ensure_future(keys.keys(ISSUER.kid))
    await asyncio.sleep(0)
    first.cancel()
    provider.gate.set()
    assert (await second).has(ISSUER.kid)
    assert provider.fetches == 1
    await keys.aclose()
