"""The statement budget of each pooled connection's session, changed only when a statement needs another."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from psycopg import AsyncConnection, sql
from psycopg.pq import TransactionStatus


class SessionBudgets:
    """Give a connection's next statements a time budget, setting it on the session only if it differs.

    Every API connection opens with `default_ms` (`statement_timeout` in its options). A long
    window's budget is set on the session (`SET statement_timeout`, one round trip) and stays
    there for the statements that follow on that connection, until one needs the other budget:
    a stream of requests of one kind costs no round trip for its budget, and a change costs one,
    where a transaction with `SET LOCAL` cost three (BEGIN, SET LOCAL, COMMIT) every time.
    """

    def __init__(self, default_ms: int) -> None:
        self.default_ms = int(default_ms)
        # None: a SET was sent and not answered (cancelled, failed); set again on next use
        self._sessions: WeakKeyDictionary[AsyncConnection[Any], int | None] = WeakKeyDictionary()

    async def use(self, conn: AsyncConnection[Any], budget_ms: int | None = None) -> None:
        """Make the statements `conn` runs next run within `budget_ms` (None: the default budget).

        Only outside a transaction: a session setting changed inside one would be undone by
        its rollback.
        """
        wanted = self.default_ms if budget_ms is None else int(budget_ms)
        if self._sessions.get(conn, self.default_ms) == wanted:
            return
        if conn.info.transaction_status != TransactionStatus.IDLE:
            raise RuntimeError("a session's statement budget is changed outside a transaction")
        self._sessions[conn] = None
        await conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(wanted)))
        self._sessions[conn] = wanted

    def of(self, conn: AsyncConnection[Any]) -> int | None:
        """The budget `conn`'s session carries as far as is known (None: unknown, set again on use)."""
        return self._sessions.get(conn, self.default_ms)
