"""The API's pool hands out the connection returned last."""

from __future__ import annotations

import socket

import pytest
from psycopg import AsyncConnection
from psycopg.conninfo import make_conninfo

from api.main import create_app
from api.pool import RecentFirstPool
from scan_analytics.settings import Settings

pytestmark = pytest.mark.integration


async def backend(conn: AsyncConnection) -> int:
    cur = await conn.execute("SELECT pg_backend_pid()")
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def test_the_connection_returned_last_is_handed_out_next(api_settings: Settings) -> None:
    async with RecentFirstPool(api_settings.database_url, min_size=3, max_size=3, open=False) as pool:
        await pool.wait()
        held = [await pool.getconn() for _ in range(3)]
        pids = [await backend(conn) for conn in held]
        assert len(set(pids)) == 3
        for conn in (held[1], held[0], held[2]):  # returned in this order: the newest is held[2]
            await pool.putconn(conn)
        for expected in (pids[2], pids[2], pids[2]):  # one request after another: always the newest
            async with pool.connection() as conn:
                assert await backend(conn) == expected
        async with pool.connection() as a, pool.connection() as b:  # two at once: the two newest
            assert {await backend(a), await backend(b)} == {pids[2], pids[0]}


def keepalive_options(conn: AsyncConnection) -> tuple[int, int, int, int]:
    """SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT of the connection's socket."""
    sock = socket.socket(fileno=conn.fileno())
    try:
        return (
            sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
        )
    finally:
        sock.detach()  # the connection's, not this socket object's, to close


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", (1, 60, 10, 3)), ("keepalives_idle=300", (1, 300, 10, 3))],
    ids=["the API's", "the URL's own idle time"],
)
async def test_the_api_serves_from_it_with_tcp_keepalives(
    api_settings: Settings, query: str, expected: tuple[int, int, int, int]
) -> None:
    url = make_conninfo(api_settings.database_url, **dict([query.split("=")] if query else []))
    app = create_app(api_settings.model_copy(update={"database_url": url}))
    pool = app.state.pool
    assert isinstance(pool, RecentFirstPool)
    await pool.open(wait=True)
    try:
        async with pool.connection() as conn:
            assert keepalive_options(conn) == expected
    finally:
        await pool.close()
