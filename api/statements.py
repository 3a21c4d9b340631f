"""Statements written with named placeholders, sent with PostgreSQL's positional ones, converted once.

psycopg converts `%(name)s` placeholders to `$n` on every execute, and caches the conversion
only for statements under 4 KB; the API's statements are 8 to 11 KB, so each request spent
about 0.35 ms splitting the same text again. A statement is converted here once and sent
through a raw cursor, which takes `$n` placeholders as they are: the same text reaches the
server, with the same parameters, dumped the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, AsyncRawCursor, sql

_NAMED = re.compile(r"%\((\w+)\)s")
_KEPT = 512  # the API's statements: module constants, and the daily one's shapes (queries._scans_shaped)


@dataclass(frozen=True)
class Positional:
    """A statement with `$n` placeholders, and the name of each n's parameter, in order."""

    query: bytes
    names: tuple[str, ...]

    def values(self, params: Mapping[str, Any]) -> list[Any]:
        """The parameters in the order of their placeholders."""
        return [params[name] for name in self.names]


def convert(statement: sql.SQL) -> Positional:
    """Number `statement`'s named placeholders in the order they first appear (a name keeps its number)."""
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"${numbers.setdefault(match.group(1), len(numbers) + 1)}"

    text = _NAMED.sub(number, statement.as_string(None))
    if "%" in text:
        raise ValueError("only %(name)s placeholders can be converted, with no other %")
    return Positional(text.encode(), tuple(numbers))


_converted: dict[int, tuple[sql.SQL, Positional]] = {}  # by id; the statement kept so its id stays its own


def positional(statement: sql.SQL) -> Positional:
    """`statement` converted, once per statement object."""
    kept = _converted.get(id(statement))
    if kept is not None:
        return kept[1]
    converted = convert(statement)
    if len(_converted) < _KEPT:
        _converted[id(statement)] = (statement, converted)
    return converted


async def fetch_all(
    conn: AsyncConnection[Any], statement: sql.SQL, params: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """Run `statement` with `params` (named) and return its rows as tuples."""
    converted = positional(statement)
    cur: AsyncRawCursor[tuple[Any, ...]] = AsyncRawCursor(conn)
    await cur.execute(converted.query, converted.values(params))
    return await cur.fetchall()
