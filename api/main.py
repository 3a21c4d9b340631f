"""The FastAPI app factory: routes, error mapping, metrics, and a pool opened by the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

from fastapi import FastAPI
from psycopg_pool import AsyncConnectionPool

from api import problems, queries
from api.auth.devkeys import ensure_dev_keys
from api.auth.keys import FileKeySource, KeySource, UrlKeySource
from api.auth.tokens import TokenPolicy
from api.metrics import Metrics, MetricsMiddleware
from api.routes import health, scans
from scan_analytics.settings import Settings

log = logging.getLogger("api")

POOL_TIMEOUT_SECONDS = 10.0


def utc_today() -> date:
    return datetime.now(UTC).date()


def key_source_for(settings: Settings) -> KeySource:
    """Return the issuer's keys: the JWKS URL if set, else the JWKS file (created for development)."""
    if settings.jwks_url:
        return UrlKeySource(settings.jwks_url)
    if not settings.jwks_file.exists():
        ensure_dev_keys(settings)
        log.info("created the development signing key; JWKS at %s", settings.jwks_file)
    return FileKeySource(settings.jwks_file)


def create_app(settings: Settings, *, today: Callable[[], date] = utc_today,
               keys: KeySource | None = None) -> FastAPI:
    """Build the API for `settings`; the lifespan opens and closes the database pool."""
    policy = TokenPolicy.of(settings.jwt_issuer, settings.jwt_audience, settings.jwt_algorithms,
                            settings.jwt_leeway_seconds)
    key_source = keys if keys is not None else key_source_for(settings)
    pool: AsyncConnectionPool = AsyncConnectionPool(
        settings.database_url, min_size=settings.database_pool_min,
        max_size=settings.database_pool_max, open=False,
        timeout=POOL_TIMEOUT_SECONDS, name="api",
        kwargs={"autocommit": True, "options": queries.SESSION_OPTIONS},
    )
    metrics = Metrics()
    metrics.watch_pool(pool)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await pool.open(wait=False)
        try:
            yield
        finally:
            await pool.close()
            if isinstance(key_source, UrlKeySource):
                await key_source.aclose()

    app = FastAPI(
        title="scan-analytics read API",
        version="1.0.0",
        summary="GS1 Digital Link scan analytics for brand owners and the agents acting for them.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pool = pool
    app.state.keys = key_source
    app.state.token_policy = policy
    app.state.today = today
    app.state.metrics = metrics
    problems.install(app)
    app.include_router(scans.router)
    app.include_router(health.router)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
