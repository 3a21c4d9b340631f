"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api import queries
from api.deps import PoolDep
from api.errors import SchemaBehind, Unavailable

router = APIRouter(tags=["operations"])
metrics_router = APIRouter(tags=["operations"])  # left out when metrics have a port of their own

READY_TIMEOUT_SECONDS = 2.0


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the database answers, with every migration this API needs",
    responses={503: {"description": "the database cannot be reached, or lacks migrations"}},
)
async def readyz(request: Request, pool: PoolDep) -> dict[str, str]:
    try:
        async with pool.connection(timeout=READY_TIMEOUT_SECONDS) as conn:
            await queries.ping(conn)
            version = await queries.schema_version(conn)
    except Exception as e:
        raise Unavailable(f"the database cannot be reached: {type(e).__name__}") from e
    needed: int = request.app.state.schema_version
    if version is None or version < needed:
        raise SchemaBehind(version, needed)
    return {"status": "ready"}


@metrics_router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
