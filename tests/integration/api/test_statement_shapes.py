"""The daily statement written for a window's cover answers as the statement with every branch."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from api import queries
from api.params import parse_query
from api.statements import positional
from tests.integration.api.conftest import TODAY, insert_scans, seed_catalog

pytestmark = pytest.mark.integration

ORG, BRANDS = "sh-org", ("sh-a", "sh-b")
GTINS = {f"4199000000{n:04d}": BRANDS[n % 2] for n in range(12)}


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(
        db,
        {ORG: {b: b.title() for b in BRANDS}},
        {gtin: (brand, f"P{gtin[-2:]}") for gtin, brand in GTINS.items()},
        [("sh-alice", ORG, True)],
    )
    rng = random.Random(15)
    rows: list[tuple[object, ...]] = []
    for back in range(420):  # every day of more than a year, so weeks and months have rows
        day = TODAY - timedelta(days=back)
        for gtin in rng.sample(sorted(GTINS), 3):
            country, device = rng.choice(["US", "FR", "DE"]), rng.choice(["mobile", "desktop", "bot"])
            rows.append((day, ORG, GTINS[gtin], gtin, country, device, device == "bot", rng.randint(1, 40)))
    insert_scans(db, rows)
    # the trailing windows (migration 0016) end on the tests' today, as that day's first write
    # would have moved them: 30 days ending then are read from the trailing layer
    db.execute("SELECT scan_trailing_roll(%s)", (TODAY,))
    db.commit()


def run(db: psycopg.Connection, statement: sql.SQL, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    converted = positional(statement)
    return psycopg.RawCursor(db).execute(converted.query, converted.values(params)).fetchall()


def statement_of(since: date, until: date, brand: str | None) -> tuple[sql.SQL, dict[str, Any]]:
    """The daily statement and parameters the API writes for the top 5 of `since` to `until`."""
    query = parse_query(
        organization_id=None,
        brand_id=brand,
        since=since.isoformat(),
        until=until.isoformat(),
        top="5",
        today=TODAY,
    )
    return queries.scans_statement(ORG, query)


@pytest.mark.parametrize("brand", [None, "sh-a"])
@pytest.mark.parametrize("length", [1, 3, 7, 9, 14, 30, 31, 61, 92, 200, 365, 400])
@pytest.mark.parametrize("back", [0, 4, 19])
def test_the_shaped_statement_answers_as_the_full_one(
    db: psycopg.Connection, brand: str | None, length: int, back: int
) -> None:
    until = TODAY - timedelta(days=back)
    statement, params = statement_of(until - timedelta(days=length - 1), until, brand)
    full = queries.SCANS_FOR_BRAND if brand else queries.SCANS_FOR_ORGANIZATION
    answer = run(db, statement, params)
    assert answer == run(db, full, params)
    assert answer[0][0] > 0  # the window has scans to count
    assert statement is not full  # no window here reads every branch (weeks and months both)


def test_the_last_30_days_are_ranked_from_the_trailing_layer_while_it_holds_them(
    db: psycopg.Connection,
) -> None:
    """A GTIN given a thousand scans more in the layer alone heads the ranking; once the layer holds
    another window, the cover's ranking is read again (both in a transaction rolled back)."""
    # the API's "last 30 days", its default window
    statement, params = statement_of(TODAY - timedelta(days=30), TODAY, None)
    answer = run(db, statement, params)
    gtin = min(GTINS)  # one of the GTINs
    try:
        db.execute(
            "UPDATE scan_trailing_gtin_totals SET scans = scans + 1000"
            " WHERE organization_id = %s AND through = %s AND gtin = %s",
            (ORG, TODAY, gtin),
        )
        ranked = run(db, statement, params)
        assert ranked != answer
        assert f'"gtin":"{gtin}"' in ranked[0][3].split("},{")[0]  # the first of the top products
        db.execute("UPDATE scan_trailing_windows SET through = %s", (TODAY - timedelta(days=1),))
        assert run(db, statement, params) == answer
    finally:
        db.rollback()
