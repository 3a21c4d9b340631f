"""GET /dashboard/api/v1/brand-analytics/scans: scan analytics of one organization or brand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from psycopg_pool import AsyncConnectionPool
from starlette._utils import get_route_path
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, request_response
from starlette.types import Receive, Scope, Send

from api import queries
from api.access import RecentAccess, check_brand, choose_organization, require_scope
from api.auth.tokens import Principal
from api.budget import SessionBudgets
from api.deps import NowDep, PoolDep, PrincipalDep, get_principal
from api.document import DocumentResponse
from api.limits import Limits, policy_header, quota_header
from api.models import PROBLEM_RESPONSES, ScansResponse
from api.params import (
    DEFAULT_TOP,
    DEFAULT_TOP_AGENTS,
    DEFAULT_TOP_PLACES,
    MAX_TOP,
    MAX_TOP_AGENTS,
    MAX_TOP_PLACES,
    MIN_TOP,
    MIN_TOP_AGENTS,
    MIN_TOP_PLACES,
    parse_query,
)
from api.places import add_places, answers, place_rows, without_places
from api.report import expand
from api.window import MAX_WINDOW_DAYS
from scan_analytics.settings import Settings

router = APIRouter(prefix="/dashboard/api/v1/brand-analytics", tags=["brand analytics"])


@router.get(
    "/scans",
    summary="Scans of an organization's products over a window of days",
    description="Totals, billable and bot scans, human and AI agent scans, the top products with their "
    "countries, devices and traffic classes, the top automated clients (agents, crawlers, bots) "
    "by name, scans by country, region and city, by day (every day of the window, zero-filled), "
    "and with granularity=hour by hour. Dates are days in tz (UTC by default), inclusive; the "
    f"window is at most {MAX_WINDOW_DAYS} days. Days that are not UTC days, and hours, are read "
    "from hourly counts kept for HOURLY_RETENTION_DAYS (92 by default), counted per UTC hour: a "
    "zone whose days or hours would begin inside a UTC hour (Asia/Kolkata, +05:30) is refused. "
    "Needs a bearer token with the scope brands:read from a member of the organization.",
    response_model=ScansResponse,
    responses=PROBLEM_RESPONSES,
)
async def scans(
    request: Request,
    principal: PrincipalDep,
    pool: PoolDep,
    now: NowDep,
    organization_id: Annotated[
        str | None, Query(description="whose catalog; defaults to the caller's default organization")
    ] = None,
    brand_id: Annotated[str | None, Query(description="narrow to one brand of the organization")] = None,
    since: Annotated[
        str | None,
        Query(
            description="first day, inclusive, YYYY-MM-DD; defaults to 30 days before until",
            examples=["2026-03-18"],
        ),
    ] = None,
    until: Annotated[
        str | None,
        Query(
            description="last day, inclusive, YYYY-MM-DD; defaults to today (in tz)", examples=["2026-04-17"]
        ),
    ] = None,
    top: Annotated[
        str | None,
        Query(
            description=f"how many products in top_products: a whole number from {MIN_TOP} to {MAX_TOP} "
            f"(default {DEFAULT_TOP})",
            examples=["20"],
        ),
    ] = None,
    top_agents: Annotated[
        str | None,
        Query(
            description=f"how many entries in top_agents: a whole number from {MIN_TOP_AGENTS} to "
            f"{MAX_TOP_AGENTS} (default {DEFAULT_TOP_AGENTS})",
            examples=["10"],
        ),
    ] = None,
    top_places: Annotated[
        str | None,
        Query(
            description=f"how many regions and cities by_region and by_city name, {MIN_TOP_PLACES} to "
            f"{MAX_TOP_PLACES} (default {DEFAULT_TOP_PLACES}); places with fewer than "
            "API_PLACE_MIN_SCANS scans are never named",
            examples=["10"],
        ),
    ] = None,
    places: Annotated[
        str | None,
        Query(
            description="true adds by_region and by_city, for the organization and each top product "
            "(default false: they cost a second statement)",
            examples=["true"],
        ),
    ] = None,
    tz: Annotated[
        str | None,
        Query(
            description="IANA time zone of since, until, by_day and by_hour (default UTC). A zone whose "
            "days in the window are not UTC days is answered from the hourly counts, so only for "
            "windows inside their retention; one whose days or hours begin inside a UTC hour (an "
            "offset such as +05:30 or +05:45) is refused, as counts are kept per UTC hour",
            examples=["America/Chicago"],
        ),
    ] = None,
    granularity: Annotated[
        str | None,
        Query(
            description="day (default) or hour: hour adds by_hour, every hour of the window in tz, "
            "for windows inside the hourly counts' retention",
            examples=["hour"],
        ),
    ] = None,
) -> Any:
    return await answer(
        request,
        principal,
        pool,
        now,
        organization_id=organization_id,
        brand_id=brand_id,
        since=since,
        until=until,
        top=top,
        top_agents=top_agents,
        top_places=top_places,
        places=places,
        tz=tz,
        granularity=granularity,
    )


PARAMETERS = (
    "organization_id",
    "brand_id",
    "since",
    "until",
    "top",
    "top_agents",
    "top_places",
    "places",
    "tz",
    "granularity",
)


async def answer(
    request: Request,
    principal: Principal,
    pool: AsyncConnectionPool[Any],
    now: datetime,
    **params: str | None,
) -> DocumentResponse:
    """Answer a scans request whose caller is authenticated: the body of both routes."""
    require_scope(principal.scopes)
    settings: Settings = request.app.state.settings
    query = parse_query(
        **params,
        today=now.astimezone(UTC).date(),
        now=now,
        hourly_retention_days=settings.hourly_retention_days,
    )
    limits: Limits = request.app.state.limits
    # a window costs one request for every started api_long_window_days
    cost = -(-query.window.length // settings.api_long_window_days)
    budget = settings.api_long_window_statement_timeout_ms if cost > 1 else None
    budgets: SessionBudgets = request.app.state.budgets
    with limits.user(principal.user_id, cost) as user_quota:
        async with pool.connection() as conn:
            # the memberships and the brand's owner in the catalog in one round trip, unless
            # read for this caller and brand in the last few seconds
            recent: RecentAccess = request.app.state.recent_access
            access = recent.get(principal.user_id, query.brand_id)
            if access is None:
                await budgets.use(conn)
                access = await queries.access(conn, principal.user_id, query.brand_id)
                recent.put(principal.user_id, query.brand_id, access)
            org = choose_organization(principal.user_id, access.memberships, query.organization_id)
            if query.brand_id is not None:
                owner = access.catalog_owner
                if owner is None:  # a brand outside the catalog is its scans' organization's
                    await budgets.use(conn)
                    owner = await queries.scans_owner(conn, org, query.brand_id)
                check_brand(org, query.brand_id, owner)
            with limits.organization(org, cost) as org_quota:
                await budgets.use(conn, budget)  # the window's budget, for the statements that follow
                if not (query.places and answers(query)):
                    report = await queries.scan_report(conn, org, query)
                    if query.places:  # asked for, but the days are not UTC days
                        without_places(expand(report))
                else:
                    async with conn.transaction():  # one snapshot for both statements
                        await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        report = expand(await queries.scan_report(conn, org, query))
                        gtins = [p["gtin"] for p in report["top_products"]]
                        where = await place_rows(conn, org, query, gtins, settings.api_place_min_scans)
                    add_places(report, where)
    return DocumentResponse(
        report,
        headers={
            "RateLimit-Policy": policy_header(limits.policies),
            "RateLimit": quota_header((user_quota, org_quota)),
        },
    )


class ScansRoute(BaseRoute):
    """GET of the scans path, answered as `scans` answers it without FastAPI's resolution of its signature.

    FastAPI validates each of the ten query parameters and walks the dependencies on every
    request (about half a millisecond). They are all optional strings, which parse_query
    checks, so this route reads them from the query string as FastAPI does (the last value of
    a repeated one), authenticates as `get_principal` does, first, and hands both to `answer`.
    The route `scans` stays for the OpenAPI document and every other method (405).
    """

    def __init__(self, path: str = router.prefix + "/scans") -> None:
        self.path = self.path_format = path
        self.app = request_response(self.endpoint)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["method"] == "GET" and get_route_path(scope) == self.path:
            return Match.FULL, {"endpoint": self.endpoint, "path_params": {}, "route": self}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    async def endpoint(self, request: Request) -> Response:
        principal = await get_principal(request, None)
        state = request.app.state
        pool: AsyncConnectionPool[Any] = state.pool
        now: datetime = state.now()
        query = request.query_params
        return await answer(request, principal, pool, now, **{name: query.get(name) for name in PARAMETERS})
