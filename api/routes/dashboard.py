"""The brand analytics page: its static files, its configuration, the caller's organizations.

The page reads `GET /dashboard/api/v1/brand-analytics/scans` with the caller's bearer token, like
any other client. In development (`DEV_AUTH`, no JWKS URL) `dev_router` lets it sign in as a
listed member; that router is never mounted otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Body, Request
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api import directory
from api.access import require_scope
from api.auth.devkeys import mint_token
from api.deps import PoolDep, PrincipalDep, TodayDep
from api.errors import Forbidden
from api.models import PROBLEM_RESPONSES
from scan_analytics.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PAGE = "/dashboard/brand-analytics"
MAX_DEV_MEMBERS = 200

router = APIRouter(tags=["dashboard"])
dev_router = APIRouter(prefix="/dashboard/dev", tags=["dashboard (development only)"])


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC_DIR)


def dev_sign_in_enabled(settings: Settings) -> bool:
    """Development sign-in exists only with DEV_AUTH and no real identity provider."""
    return settings.dev_auth and not settings.jwks_url


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings) -> str:
    """Allow the page's own files, and requests to the API and the token endpoint only."""
    connect = "'self'" + (f" {_origin(settings.oauth_token_url)}" if settings.oauth_token_url else "")
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


@router.get(PAGE, include_in_schema=False)
async def page(request: Request) -> FileResponse:
    settings: Settings = request.app.state.settings
    return FileResponse(
        STATIC_DIR / "dashboard" / "index.html",
        headers={
            "Content-Security-Policy": content_security_policy(settings),
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


@router.get(PAGE + "/", include_in_schema=False)
async def page_slash() -> RedirectResponse:
    return RedirectResponse(PAGE)


@router.get("/dashboard/api/v1/config", summary="What the dashboard page needs to start")
async def config(request: Request, today: TodayDep) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    oauth = None
    if settings.oauth_authorization_url and settings.oauth_token_url and settings.oauth_client_id:
        oauth = {
            "authorization_url": settings.oauth_authorization_url,
            "token_url": settings.oauth_token_url,
            "client_id": settings.oauth_client_id,
            "scope": settings.oauth_scope,
        }
    return {"today": today.isoformat(), "dev_sign_in": dev_sign_in_enabled(settings), "oauth": oauth}


@router.get(
    "/dashboard/api/v1/me", summary="The caller's organizations and their brands", responses=PROBLEM_RESPONSES
)
async def me(request: Request, principal: PrincipalDep, pool: PoolDep) -> dict[str, Any]:
    require_scope(principal.scopes)
    async with pool.connection() as conn:
        await request.app.state.budgets.use(conn)
        orgs = await directory.organizations_of(conn, principal.user_id)
    return {
        "user_id": principal.user_id,
        "organizations": [
            {
                "organization_id": o.organization_id,
                "is_default": o.is_default,
                "brands": [{"brand_id": b.brand_id, "name": b.name} for b in o.brands],
            }
            for o in orgs
        ],
    }


@dev_router.get("/members", summary="Members the development sign-in can act as")
async def dev_members(request: Request, pool: PoolDep) -> list[dict[str, Any]]:
    async with pool.connection() as conn:
        await request.app.state.budgets.use(conn)
        listed = await directory.members(conn, MAX_DEV_MEMBERS)
    return [{"user_id": user, "organizations": orgs} for user, orgs in listed.items()]


@dev_router.post("/token", summary="Mint a short-lived development token for a listed member")
async def dev_token(
    request: Request, pool: PoolDep, user_id: Annotated[str, Body(embed=True, max_length=200)]
) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    async with pool.connection() as conn:
        await request.app.state.budgets.use(conn)
        orgs = await directory.organizations_of(conn, user_id)
    if not orgs:
        raise Forbidden(
            f"user {user_id!r} is not a member of any organization; add one with `scan-analytics members add`"
        )
    ttl = settings.dashboard_dev_token_ttl_seconds
    token = await run_in_threadpool(mint_token, settings, user_id, ttl_seconds=ttl)
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}
