"""The FastAPI app factory: routes, error mapping, limits, metrics, and a pool opened by the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time

from fastapi import FastAPI
from prometheus_client import start_http_server
from psycopg_pool import AsyncConnectionPool

from api import problems, queries
from api.access import ACCESS_TTL_SECONDS, RecentAccess
from api.auth.devkeys import ensure_dev_keys
from api.auth.jwks import UrlKeySource
from api.auth.keys import FileKeySource, KeySource
from api.auth.tokens import TokenPolicy, VerifiedTokens
from api.budget import SessionBudgets
from api.errors import ConfigurationError
from api.limits import Limits, Policy
from api.metrics import Metrics, MetricsMiddleware
from api.pool import RecentFirstPool, keepalives_for
from api.routes import dashboard, health, scans
from scan_analytics import migrate
from scan_analytics.settings import ENV_PREFIX, Settings

log = logging.getLogger("api")


def utc_today() -> date:
    return datetime.now(UTC).date()


def clock_for(today: Callable[[], date]) -> Callable[[], datetime]:
    """Return the current instant behind `today`: the real clock, or noon UTC of a given day (tests)."""
    if today is utc_today:
        return lambda: datetime.now(UTC)
    return lambda: datetime.combine(today(), time(12), tzinfo=UTC)


def key_source_for(settings: Settings) -> KeySource:
    """Return the issuer's keys: the JWKS URL, else (development only) the local JWKS file."""
    if settings.jwks_url:
        return UrlKeySource(
            settings.jwks_url,
            ttl=settings.jwks_cache_seconds,
            refresh_interval=settings.jwks_refresh_interval_seconds,
            max_stale=settings.jwks_max_stale_seconds,
        )
    if not settings.dev_auth:
        raise ConfigurationError(
            f"no identity provider: set {ENV_PREFIX}JWKS_URL to its JWKS, or {ENV_PREFIX}DEV_AUTH=true "
            "to trust the local development key (development only)"
        )
    if not settings.jwks_file.exists():
        ensure_dev_keys(settings)
        log.info("created the development signing key; JWKS at %s", settings.jwks_file)
    log.warning("development authentication: tokens are checked against %s", settings.jwks_file)
    return FileKeySource(settings.jwks_file)


def shipped_migration(settings: Settings) -> int:
    """The last migration this code ships with: readiness waits for the database to have it."""
    shipped = migrate.discover(settings.schemas_dir / "sql")
    if not shipped:
        raise ConfigurationError(
            f"no migrations under {settings.schemas_dir / 'sql'}: set {ENV_PREFIX}SCHEMAS_DIR"
        )
    return shipped[-1].version


def limits_for(settings: Settings) -> Limits:
    return Limits(
        Policy("user", settings.api_user_rate, settings.api_user_burst, settings.api_user_concurrency),
        Policy("org", settings.api_org_rate, settings.api_org_burst, settings.api_org_concurrency),
    )


def create_app(
    settings: Settings,
    *,
    today: Callable[[], date] = utc_today,
    keys: KeySource | None = None,
    now: Callable[[], datetime] | None = None,
    access_ttl_seconds: float = ACCESS_TTL_SECONDS,
) -> FastAPI:
    """Build the API for `settings`; the lifespan opens and closes the database pool.

    `today` is the UTC day and `now` the current instant (by default the one behind `today`).
    A caller's memberships are reused for `access_ttl_seconds` (0: read on every request).
    """
    policy = TokenPolicy.of(
        settings.jwt_issuer, settings.jwt_audience, settings.jwt_algorithms, settings.jwt_leeway_seconds
    )
    key_source = keys if keys is not None else key_source_for(settings)
    url = settings.api_database_url or settings.database_url
    pool: AsyncConnectionPool = RecentFirstPool(
        url,
        min_size=settings.database_pool_min,
        max_size=settings.database_pool_max,
        open=False,
        timeout=settings.api_pool_timeout_seconds,
        max_waiting=settings.api_pool_max_waiting,
        name="api",
        kwargs={
            "autocommit": True,
            "options": queries.session_options(settings.api_statement_timeout_ms),
            **keepalives_for(url),
        },
    )
    limits = limits_for(settings)
    metrics = Metrics()
    metrics.watch_pool(pool)
    metrics.watch_limits(limits.refused)
    if isinstance(key_source, UrlKeySource):
        metrics.watch_jwks(key_source.stats)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        server = None
        if settings.api_metrics_port is not None:
            server, _thread = start_http_server(
                settings.api_metrics_port, settings.api_host, registry=metrics.registry
            )
        await pool.open(wait=False)
        try:
            yield
        finally:
            await pool.close()
            if isinstance(key_source, UrlKeySource):
                await key_source.aclose()
            if server is not None:
                server.shutdown()
                server.server_close()

    app = FastAPI(
        title="scan-analytics read API",
        version="1.0.0",
        summary="GS1 Digital Link scan analytics for brand owners and the agents acting for them.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    # the last migration shipped with this code: readiness waits for the database to have it
    app.state.schema_version = shipped_migration(settings)
    app.state.pool = pool
    app.state.keys = key_source
    app.state.token_policy = policy
    app.state.verified_tokens = VerifiedTokens()
    app.state.recent_access = RecentAccess(access_ttl_seconds)
    app.state.budgets = SessionBudgets(settings.api_statement_timeout_ms)
    app.state.today = today
    app.state.now = now if now is not None else clock_for(today)
    app.state.metrics = metrics
    app.state.limits = limits
    problems.install(app)
    app.include_router(scans.router)
    app.router.routes.insert(0, scans.ScansRoute())  # GET of the scans path, ahead of `scans.scans`
    app.include_router(health.router)
    app.include_router(dashboard.router)
    if dashboard.dev_sign_in_enabled(settings):
        app.include_router(dashboard.dev_router)
    app.mount("/dashboard/static", dashboard.static_files(), name="dashboard-static")
    if settings.api_metrics_port is None:
        app.include_router(health.metrics_router)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
