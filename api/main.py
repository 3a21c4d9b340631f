"""The FastAPI app factory: routes, error mapping, limits, metrics, and a pool opened by the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import FastAPI
from prometheus_client import start_http_server
from psycopg_pool import AsyncConnectionPool
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

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
from api.routes import dashboard, health, scans
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


class App(FastAPI):
    """FastAPI, with GET of the scans path handed to its route ahead of the middleware stack.

    A request otherwise passes FastAPI's telemetry check, Starlette's app, the server error
    middleware, FastAPI's exception telemetry, the metrics, the exception middleware, FastAPI's
    exit stack and the router before it reaches a route (about 0.1 ms of the API's CPU a
    request, measured). The scans GET, the request served in volume, goes to `scans.ScansRoute`
    through the layers that act on it, taken from the built stack: the server error middleware
    (the 500 problem, then the exception raised for the server to log), the metrics, and the
    exception handlers the route's own wrapper applies (as the exception middleware hands them
    to it). The others do nothing for it: the exception telemetry and the exit stack act only
    while FastAPI's telemetry is configured (then every request takes the whole stack) or a
    route opens files, and the router would pick the same route (it is first). The answer, its
    headers and errors are the same bytes either way (tested). Where the stack is not built as
    expected (another FastAPI or Starlette), every request takes it.
    """

    _scans_built = False
    _scans_first: tuple[scans.ScansRoute, ASGIApp, Any] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            if not self._scans_built:  # on the first request, once the routes and middleware are in
                self._scans_first, self._scans_built = self._build_scans_first(), True
            first = self._scans_first
            if first is not None and scope["path"].endswith(first[0].path):  # cheap, for other paths
                route, app, telemetry = first
                if self.root_path:  # as FastAPI does, before the route's path is matched
                    scope["root_path"] = self.root_path
                match, child = route.matches(scope)
                if match is Match.FULL and not telemetry.enabled():
                    scope["app"] = self
                    scope.update(child)
                    await app(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)

    def _build_scans_first(self) -> tuple[scans.ScansRoute, ASGIApp, Any] | None:
        """The scans route, the layers that act on it and FastAPI's telemetry; None: take the stack."""
        route = next((r for r in self.router.routes if isinstance(r, scans.ScansRoute)), None)
        telemetry = getattr(self, "_native_telemetry", None)
        if self.middleware_stack is None:
            self.middleware_stack = self.build_middleware_stack()
        errors = exceptions = measured = None
        layer: object = self.middleware_stack
        for _ in range(32):  # down the stack's `app` attributes, to the router
            if isinstance(layer, ServerErrorMiddleware):
                errors = layer
            elif isinstance(layer, MetricsMiddleware):
                measured = layer
            elif isinstance(layer, ExceptionMiddleware):
                exceptions = layer
            layer = getattr(layer, "app", None)
        handlers = (
            getattr(exceptions, "_exception_handlers", None),
            getattr(exceptions, "_status_handlers", None),
        )
        found = (route, errors, measured, *handlers)
        if any(part is None for part in found) or not callable(getattr(telemetry, "enabled", None)):
            return None
        assert route is not None and errors is not None and measured is not None
        router = self.router
        handle = route.handle

        async def with_handlers(scope: Scope, receive: Receive, send: Send) -> None:
            scope["starlette.exception_handlers"] = handlers
            scope.setdefault("router", router)
            await handle(scope, receive, send)

        app = MetricsMiddleware(with_handlers, measured.metrics)
        return route, ServerErrorMiddleware(app, handler=errors.handler, debug=errors.debug), telemetry


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
) -> App:
    """Build the API for `settings`; the lifespan opens and closes the database pool.

    `today` is the UTC day and `now` the current instant (by default the one behind `today`).
    A caller's memberships are reused for `access_ttl_seconds` (0: read on every request).
    """
    policy = TokenPolicy.of(
        settings.jwt_issuer, settings.jwt_audience, settings.jwt_algorithms, settings.jwt_leeway_seconds
    )
    key_source = keys if keys is not None else key_source_for(settings)
    pool: AsyncConnectionPool = AsyncConnectionPool(
        settings.api_database_url or settings.database_url,
        min_size=settings.database_pool_min,
        max_size=settings.database_pool_max,
        open=False,
        timeout=settings.api_pool_timeout_seconds,
        max_waiting=settings.api_pool_max_waiting,
        name="api",
        kwargs={"autocommit": True, "options": queries.session_options(settings.api_statement_timeout_ms)},
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

    app = App(
        title="scan-analytics read API",
        version="1.0.0",
        summary="GS1 Digital Link scan analytics for brand owners and the agents acting for them.",
        lifespan=lifespan,
    )
    app.state.settings = settings
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
