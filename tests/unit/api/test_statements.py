"""Named statements converted once to positional ones: the same text psycopg would send."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from psycopg import sql
from psycopg._queries import PostgresQuery
from psycopg.adapt import Transformer

from api import places, queries
from api.params import ScanQuery, parse_query
from api.statements import convert, positional

STATEMENTS = {
    "scans, organization": queries.SCANS_FOR_ORGANIZATION,
    "scans, brand": queries.SCANS_FOR_BRAND,
    "hourly, organization": queries.HOURLY_FOR_ORGANIZATION,
    "hourly, brand": queries.HOURLY_FOR_BRAND,
    "scans, organization, trailing": queries._scans_shaped(
        False, queries._LAYER_NAMES, queries._SLICE_NAMES, trailing=True
    ),
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


def _names(statement: sql.SQL) -> set[str]:
    return set(convert(statement).names)


WINDOWS = [
    (date(2026, 4, 17) - timedelta(days=length - 1 + back), length)
    for length in (1, 2, 6, 7, 8, 13, 14, 27, 30, 31, 45, 60, 90, 92, 120, 365, 366, 400)
    for back in (0, 3, 11, 17)
]


def _query(since: date, length: int, brand: str | None, today: date, **more: Any) -> ScanQuery:
    until = since + timedelta(days=length - 1)
    return parse_query(
        organization_id=None,
        brand_id=brand,
        since=since.isoformat(),
        until=until.isoformat(),
        top=None,
        today=today,
        **more,
    )


def _assert_kept_layers_have_periods(statement: sql.SQL, params: dict[str, Any]) -> None:
    kept = {name for name in _names(statement) if name in queries._LAYER_NAMES}
    assert kept == {n for n in queries._LAYER_NAMES if params[n]} or kept == {"days"}


@pytest.mark.parametrize("brand", [None, "a-brand"])
@pytest.mark.parametrize(("since", "length"), WINDOWS)
def test_a_daily_statement_leaves_out_only_the_branches_its_window_leaves_empty(
    since: date, length: int, brand: str | None
) -> None:
    statement, params = queries.scans_statement("an-org", _query(since, length, brand, date(2026, 4, 17)))
    full = queries._scans_shaped(
        brand is not None, queries._LAYER_NAMES, queries._SLICE_NAMES, "trailing" in params
    )
    left_out = _names(full) - _names(statement)
    assert not _names(statement) - _names(full)
    for name in left_out:  # a list of periods with none, or the end of an empty range
        if name.endswith("_from") or name.endswith("_to"):
            part = name.rsplit("_", 1)[0]
            assert params[f"{part}_from"] >= params[f"{part}_to"], name
        else:
            assert params[name] == [], name
    _assert_kept_layers_have_periods(statement, params)
    # every branch kept is one the full statement has, in the same order
    text = statement.as_string(None)
    assert text.count("UNION ALL") < full.as_string(None).count("UNION ALL") or statement is full
    test_the_text_and_parameters_are_psycopgs(statement)


@pytest.mark.parametrize("brand", [None, "a-brand"])
@pytest.mark.parametrize(("since", "length"), WINDOWS)
def test_the_trailing_ranking_is_read_for_a_whole_organizations_trailing_windows(
    since: date, length: int, brand: str | None
) -> None:
    statement, params = queries.scans_statement("an-org", _query(since, length, brand, date(2026, 4, 17)))
    trailing = brand is None and length in queries.TRAILING_DAYS
    assert ("scan_trailing_gtin_totals" in statement.as_string(None)) is trailing
    assert params.get("trailing") == (length if trailing else None)


def test_a_window_that_reads_every_branch_gets_the_full_statement() -> None:
    params: dict[str, Any] = {name: [date(2026, 1, 1)] for name in queries._LAYER_NAMES}
    for name in queries._SLICE_NAMES:
        params |= {f"{name}_from": date(2026, 1, 1), f"{name}_to": date(2026, 1, 2)}
    layers, slices = queries._shape(params)
    assert queries._scans_shaped(True, layers, slices) is queries.SCANS_FOR_BRAND
    assert queries._scans_shaped(False, layers, slices) is queries.SCANS_FOR_ORGANIZATION


@pytest.mark.parametrize("brand", [None, "a-brand"])
@pytest.mark.parametrize(("since", "length"), WINDOWS[::3])
def test_an_hourly_statement_leaves_out_only_the_layers_its_interior_leaves_empty(
    since: date, length: int, brand: str | None
) -> None:
    until = since + timedelta(days=length - 1)
    query = _query(since, length, brand, until, tz="America/Chicago", hourly_retention_days=400)
    statement, params = queries.hourly_statement("an-org", query)
    full = queries.HOURLY_FOR_BRAND if brand else queries.HOURLY_FOR_ORGANIZATION
    assert _names(statement) <= _names(full)
    for name in _names(full) - _names(statement):
        assert name in queries._LAYER_NAMES and params[name] == [], name
    _assert_kept_layers_have_periods(statement, params)
    test_the_text_and_parameters_are_psycopgs(statement)
