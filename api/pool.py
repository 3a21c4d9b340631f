"""The API's connection pool: the connection returned last is the one handed out next."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool


class RecentFirstPool(AsyncConnectionPool[AsyncConnection[Any]]):
    """An AsyncConnectionPool that hands out its most recently returned connection first (LIFO).

    psycopg_pool keeps idle connections in a queue and takes the one idle longest (FIFO): with
    more connections open than requests in flight, each request goes to another server
    process, one the previous requests did not warm (the scans statement took 0.3 ms longer on
    two connections taken in turn than on one, requests one after another). Taking the newest
    first keeps the fewest server processes busy; the pool still shrinks as before (by the
    connections left idle for `max_idle`, the oldest first).
    """

    async def _get_ready_connection(self, timeout: float | None) -> AsyncConnection[Any] | None:
        # the pool's lock is held here; its queue's newest connection moved to where it takes one
        self._pool.rotate(1)
        return await super()._get_ready_connection(timeout)
