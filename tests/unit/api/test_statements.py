"""Named statements converted once to positional ones: the same text psycopg would send."""

from __future__ import annotations

from datetime import date

import pytest
from psycopg import sql
from psycopg._queries import PostgresQuery
from psycopg.adapt import Transformer

from api import places, queries
from api.statements import convert, positional

STATEMENTS = {
    "scans, organization": queries.SCANS_FOR_ORGANIZATION,
    "scans, brand": queries.SCANS_FOR_BRAND,
    "hourly, organization": queries.HOURLY_FOR_ORGANIZATION,
    "hourly, brand": queries.HOURLY_FOR_BRAND,
    "places, organization": places.PLACES_FOR_ORGANIZATION,
    "places, brand": places.PLACES_FOR_BRAND,
}


@pytest.mark.parametrize("statement", STATEMENTS.values(), ids=STATEMENTS.keys())
def test_the_text_and_parameters_are_psycopgs(statement: sql.SQL) -> None:
    converted = convert(statement)
    params = {name: f"value of {name}" for name in converted.names}
    theirs = PostgresQuery(Transformer())
    theirs.convert(statement, params)
    assert converted.query == theirs.query
    assert converted.values(params) == [f"value of {name}" for name in converted.names]
    assert len(converted.values(params)) == len(theirs.params or [])


def test_a_name_keeps_its_number() -> None:
    converted = convert(sql.SQL("SELECT %(b)s, %(a)s, %(b)s::date"))
    assert converted.query == b"SELECT $1, $2, $1::date"
    assert converted.values({"a": 1, "b": date(2026, 1, 1), "unused": 3}) == [date(2026, 1, 1), 1]


@pytest.mark.parametrize("text", ["SELECT %s", "SELECT 'a%%b'", "SELECT %(a)d"])
def test_other_placeholders_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        convert(sql.SQL(text))


def test_a_statement_is_converted_once() -> None:
    assert positional(queries.SCANS_FOR_BRAND) is positional(queries.SCANS_FOR_BRAND)
