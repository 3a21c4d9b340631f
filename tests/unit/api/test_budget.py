"""The session's statement budget: set only when a statement needs another one."""

from __future__ import annotations

from typing import Any

import pytest
from psycopg.pq import TransactionStatus

from api.budget import SessionBudgets


class Info:
    transaction_status = TransactionStatus.IDLE


class FakeConnection:
    """Records what it is sent; `fail` makes the next statement raise."""

    def __init__(self) -> None:
        self.info = Info()
        self.sent: list[str] = []
        self.fail = False

    async def execute(self, statement: Any) -> None:
        self.sent.append(statement.as_string(None))
        if self.fail:
            self.fail = False
            raise ConnectionError("gone")


async def test_a_fresh_session_has_the_default_budget() -> None:
    budgets, conn = SessionBudgets(10_000), FakeConnection()
    await budgets.use(conn)  # type: ignore[arg-type]
    await budgets.use(conn, None)  # type: ignore[arg-type]
    assert conn.sent == [] and budgets.of(conn) == 10_000  # type: ignore[arg-type]


async def test_a_budget_is_set_once_while_it_stays_the_same() -> None:
    budgets, conn = SessionBudgets(10_000), FakeConnection()
    for _ in range(3):
        await budgets.use(conn, 5_000)  # type: ignore[arg-type]
    await budgets.use(conn)  # type: ignore[arg-type]
    await budgets.use(conn)  # type: ignore[arg-type]
    assert conn.sent == ["SET statement_timeout = 5000", "SET statement_timeout = 10000"]


async def test_sessions_are_apart() -> None:
    budgets, one, two = SessionBudgets(10_000), FakeConnection(), FakeConnection()
    await budgets.use(one, 5_000)  # type: ignore[arg-type]
    await budgets.use(two)  # type: ignore[arg-type]
    assert one.sent == ["SET statement_timeout = 5000"] and two.sent == []


async def test_an_unanswered_set_is_sent_again() -> None:
    budgets, conn = SessionBudgets(10_000), FakeConnection()
    conn.fail = True
    with pytest.raises(ConnectionError):
        await budgets.use(conn, 5_000)  # type: ignore[arg-type]
    assert budgets.of(conn) is None  # type: ignore[arg-type]
    await budgets.use(conn)  # type: ignore[arg-type]  # the server may have set it: set the default again
    assert conn.sent == ["SET statement_timeout = 5000", "SET statement_timeout = 10000"]


async def test_never_inside_a_transaction() -> None:
    budgets, conn = SessionBudgets(10_000), FakeConnection()
    conn.info.transaction_status = TransactionStatus.INTRANS
    with pytest.raises(RuntimeError):
        await budgets.use(conn, 5_000)  # type: ignore[arg-type]
    await budgets.use(conn)  # type: ignore[arg-type]  # nothing to change: nothing sent
    assert conn.sent == []
