"""The API's pool hands out the connection returned last."""

from __future__ import annotations

import pytest
from psycopg import AsyncConnection

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


def test_the_api_serves_from_it(api_settings: Settings) -> None:
    assert isinstance(create_app(api_settings).state.pool, RecentFirstPool)
