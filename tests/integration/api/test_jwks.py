"""The JWKS cache against an identity provider on loopback: fetch counts under a crowd, made-up key
ids, and a provider that goes away."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from api.main import create_app
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings
from tests.integration.api.conftest import SCANS, TODAY
from tests.integration.api.served import JwksServer, serve
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration

CROWD = 200


@contextmanager
def api_with_provider(settings: Settings, url: str, **update: Any) -> Iterator[str]:
    own = settings.model_copy(update={"jwks_url": url, "dev_auth": False, **update})
    with serve(create_app(own, today=lambda: TODAY)) as base:
        yield base


async def crowd(base: str, tokens: list[str]) -> list[httpx.Response]:
    """Send one request per token at once."""
    limits = httpx.Limits(max_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        return list(
            await asyncio.gather(
                *(client.get(SCANS, headers={"Authorization": f"Bearer {t}"}) for t in tokens)
            )
        )


def authenticated(resp: httpx.Response) -> bool:
    """A token without brands:read that passed every check is refused for its scope alone."""
    return resp.status_code == 403 and "insufficient_scope" in resp.headers.get("www-authenticate", "")


def metric(base: str, name: str) -> float:
    for line in httpx.get(base + "/metrics").text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


def test_a_cold_start_crowd_makes_one_fetch(api_settings: Settings, issuer: Issuer) -> None:
    with JwksServer(issuer.jwks()) as provider, api_with_provider(api_settings, provider.url) as base:
        provider.gate = threading.Event()
        tokens = [issuer.token(f"jw-{i}", scope="profile") for i in range(CROWD)]

        async def run() -> list[httpx.Response]:
            sent = asyncio.ensure_future(crowd(base, tokens))
            await asyncio.to_thread(wait_for, lambda: provider.fetches >= 1, "the first fetch")
            await asyncio.sleep(0.5)  # let the crowd arrive while the fetch is held
            provider.gate.set()  # type: ignore[union-attr]
            return await sent

        responses = asyncio.run(run())
        assert all(authenticated(r) for r in responses), {r.status_code for r in responses}
        assert provider.fetches == 1
        assert metric(base, 'scan_analytics_api_jwks_fetches_total{outcome="ok"}') == 1


def test_made_up_key_ids_make_at_most_one_fetch(api_settings: Settings, issuer: Issuer) -> None:
    with JwksServer(issuer.jwks()) as provider, api_with_provider(api_settings, provider.url) as base:
        for round_ in range(2):
            tokens = [issuer.token("jw-x", headers={"kid": f"made-up-{round_}-{i}"}) for i in range(CROWD)]
            responses = asyncio.run(crowd(base, tokens))
            assert {r.status_code for r in responses} == {401}
            assert all("signing key (kid)" in r.json()["detail"] for r in responses)
        assert provider.fetches == 1


def test_provider_away_the_last_good_keys_keep_serving(api_settings: Settings, issuer: Issuer) -> None:
    with (
        JwksServer(issuer.jwks()) as provider,
        api_with_provider(
            api_settings, provider.url, jwks_cache_seconds=0.2, jwks_refresh_interval_seconds=0.2
        ) as base,
    ):
        token = issuer.token("jw-y", scope="profile")
        assert authenticated(httpx.get(base + SCANS, headers={"Authorization": f"Bearer {token}"}))
        provider.up = False
        provider.gate = threading.Event()  # the provider hangs, then fails
        time.sleep(0.3)  # past the cache time
        responses = asyncio.run(crowd(base, [token] * 100))
        assert all(authenticated(r) for r in responses)
        assert provider.fetches == 2  # one refresh in flight served the whole crowd
        provider.gate.set()
        wait_for(
            lambda: metric(base, 'scan_analytics_api_jwks_fetches_total{outcome="failed"}') >= 1,
            "the failed fetch is counted",
        )
        assert metric(base, "scan_analytics_api_jwks_stale") == 1
        assert authenticated(httpx.get(base + SCANS, headers={"Authorization": f"Bearer {token}"}))


def test_no_keys_yet_and_no_provider_is_a_503_with_retry_after(
    api_settings: Settings, issuer: Issuer
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/jwks.json"
    with api_with_provider(api_settings, nowhere) as base:
        resp = httpx.get(base + SCANS, headers={"Authorization": f"Bearer {issuer.token('jw-z')}"})
        assert resp.status_code == 503, resp.text
        assert int(resp.headers["retry-after"]) >= 1
        assert "identity provider's keys cannot be fetched" in resp.json()["detail"]
