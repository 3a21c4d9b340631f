"""Errors as RFC 9457 problem details, mapped from exceptions in one place."""

from __future__ import annotations

import logging
import re
from typing import Any

import psycopg
import psycopg.errors
import psycopg_pool
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import queries
from api.errors import ApiError, Forbidden, SchemaBehind, Unauthorized

log = logging.getLogger("api")

SCHEMA_CHECK_SECONDS = 2.0  # for a connection to read which migrations the database has

MEDIA_TYPE = "application/problem+json"
REALM = "scan-analytics"
_UNQUOTABLE = re.compile(r'["\\\x00-\x1f\x7f-\uffff]')


def problem(
    request: Request, status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Return a problem details response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def www_authenticate(error: ApiError) -> dict[str, str]:
    """Return the RFC 6750 challenge for a 401 or an insufficient-scope 403."""
    if isinstance(error, Unauthorized):
        if error.error is None:
            return {"WWW-Authenticate": f'Bearer realm="{REALM}"'}
        description = _UNQUOTABLE.sub("'", str(error))
        return {
            "WWW-Authenticate": f'Bearer realm="{REALM}", error="{error.error}", '
            f'error_description="{description}"'
        }
    if isinstance(error, Forbidden) and error.missing_scope:
        return {
            "WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope", '
            f'scope="{error.missing_scope}"'
        }
    return {}


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "query")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "the request is not valid"


def install(app: FastAPI) -> None:
    """Register the exception handlers that turn every error into a problem response."""

    async def on_api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        if exc.status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc)
        return problem(request, exc.status, exc.title, str(exc), {**www_authenticate(exc), **exc.headers()})

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem(request, 400, "Bad Request", _validation_detail(exc))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        titles = {404: "Not Found", 405: "Method Not Allowed"}
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404:
            detail = f"there is no resource at {request.url.path}; see /docs for the API"
        return problem(
            request, exc.status_code, titles.get(exc.status_code, "Error"), detail, dict(exc.headers or {})
        )

    async def on_database(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, psycopg_pool.TooManyRequests):
            detail, retry = "too many requests wait for a database connection; retry shortly", 2
        elif isinstance(exc, psycopg.errors.QueryCanceled):
            detail, retry = (
                ("the query ran past its time budget; ask for a shorter window or retry later"),
                10,
            )
        elif isinstance(exc, psycopg_pool.PoolTimeout):
            detail, retry = "no database connection came free in time (busy or unreachable); retry shortly", 5
        else:
            detail, retry = "the database cannot be reached right now; retry shortly", 5
        log.warning("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return problem(request, 503, "Service Unavailable", detail, {"Retry-After": str(retry)})

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return problem(
            request, 500, "Internal Server Error", "the request failed unexpectedly; it has been logged"
        )

    async def on_schema(request: Request, exc: Exception) -> JSONResponse:
        # A table or column a statement reads is missing: a database behind the code (an API
        # deployed before its migrations) is told to migrate; with all of them, it is a fault.
        needed: int = request.app.state.schema_version
        try:
            async with request.app.state.pool.connection(timeout=SCHEMA_CHECK_SECONDS) as conn:
                version = await queries.schema_version(conn)
        except Exception:
            version = needed  # not known: not said to be behind
        if version is not None and version >= needed:
            return await on_unexpected(request, exc)
        log.error("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        behind = SchemaBehind(version, needed)
        return problem(request, behind.status, behind.title, str(behind), behind.headers())

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(psycopg.OperationalError, on_database)
    app.add_exception_handler(psycopg.errors.UndefinedTable, on_schema)
    app.add_exception_handler(psycopg.errors.UndefinedColumn, on_schema)
    app.add_exception_handler(Exception, on_unexpected)
