"""Dependencies of the routes: the pool, the clock and the authenticated caller."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from psycopg_pool import AsyncConnectionPool

from api.auth.tokens import Principal, authenticate
from api.errors import Unauthorized

# Declared for the OpenAPI document ("Authorize" in /docs); the header is parsed below.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An OAuth 2.0 access token (JWT) with the scope brands:read",
)


# The dependencies are coroutines: FastAPI runs a plain function in its thread pool, a hop
# to another thread and back on every request.
async def get_pool(request: Request) -> AsyncConnectionPool[Any]:
    pool: AsyncConnectionPool[Any] = request.app.state.pool
    return pool


async def get_today(request: Request) -> date:
    clock: Callable[[], date] = request.app.state.today
    return clock()


async def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.now
    return clock()


async def get_principal(request: Request, _: Annotated[Any, Depends(bearer_scheme)]) -> Principal:
    """Authenticate the request's bearer token."""
    header = request.headers.get("authorization")
    if header is None:
        raise Unauthorized("send an access token: Authorization: Bearer <token>", error=None)
    scheme, _sep, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized("use the Bearer scheme: Authorization: Bearer <token>", error="invalid_request")
    state = request.app.state
    return await authenticate(token.strip(), state.keys, state.token_policy, state.verified_tokens)


PoolDep = Annotated[AsyncConnectionPool[Any], Depends(get_pool)]
TodayDep = Annotated[date, Depends(get_today)]
NowDep = Annotated[datetime, Depends(get_now)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
