"""Scans by region and city (scan_daily_place_summary, migration 0011), with small cells folded.

A city or region with fewer than `min_scans` scans in the window is not named: its scans
count under `other`, so a single shopper in a small town cannot be singled out. So do the
places past the `top` named ones. Scans whose city (or region) the GeoIP database did not
know count under `unknown`. Named entries, `other` and `unknown` sum to the scans they
break down. Place counts are kept per UTC day, so they answer windows of UTC days only. They are read
from the rollups of migration 0014: whole months and single days, without the GTIN for the
organization or brand, by GTIN for the top products only (`place_cover`), and ranked and
folded in the statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from psycopg import AsyncConnection, sql

from api.params import ScanQuery
from api.statements import fetch_all
from api.window import Window, first_of_next_month, split

# kind (total, region or city), gtin (None: all), country, region code, region name, city, scans,
# then of a total its scans of no known region and of no known city, of a place its rank
PlaceRow = tuple[str, str | None, str | None, str | None, str | None, str | None, int, int, int | None]

# The organization's (or brand's) places from the rollups of migration 0014: whole months from
# a month layer, single days from a day layer, and the days a month was widened by taken away
# again (`place_cover`). The top GTINs' places likewise from the monthly GTIN layer and, for
# single days, from the place counts through their (organization, GTIN, day) index. Sums are
# those of scan_daily_place_summary over the window; places at zero are skipped (never named).
# The statement also names them: for each scope (the organization or brand, each top GTIN) its
# regions and cities with at least `min_scans` scans, at most `top` of each, by scans and then
# by name in code point order; and the scope's total and its scans of no known region and of
# no known city (`place_report` makes `other` of the rest). Only those rows leave the database:
# a year of the top products' places is about 80,000 rows, their answer a few hundred.
_PLACE = "country_code, region_code, region_name, city"
_PLACES = """
WITH everyone AS (
    SELECT country_code, region_code, region_name, city, sum(scans)::bigint AS scans
    FROM (
        SELECT {place}, scans FROM {months}
        WHERE organization_id = %(org)s {brand} AND month = ANY(%(months)s)
        UNION ALL
        SELECT {place}, scans FROM {days}
        WHERE organization_id = %(org)s {brand} AND day = ANY(%(days)s)
        UNION ALL
        SELECT {place}, -scans FROM {days}
        WHERE organization_id = %(org)s {brand} AND day = ANY(%(less_days)s)
    ) AS p
    GROUP BY country_code, region_code, region_name, city
    HAVING sum(scans) <> 0
), products AS (
    SELECT gtin, country_code, region_code, region_name, city, sum(scans)::bigint AS scans
    FROM (
        SELECT gtin, {place}, scans FROM scan_monthly_gtin_place_totals
        WHERE organization_id = %(org)s AND gtin = ANY(%(gtins)s) {brand} AND month = ANY(%(months)s)
        UNION ALL
        SELECT gtin, {place}, scans FROM scan_daily_place_summary
        WHERE organization_id = %(org)s AND gtin = ANY(%(gtins)s) {brand} AND day = ANY(%(days)s)
        UNION ALL
        SELECT gtin, {place}, -scans FROM scan_daily_place_summary
        WHERE organization_id = %(org)s AND gtin = ANY(%(gtins)s) {brand} AND day = ANY(%(less_days)s)
    ) AS p
    GROUP BY gtin, country_code, region_code, region_name, city
    HAVING sum(scans) > 0
), placed AS (
    SELECT NULL::text AS gtin, country_code, region_code, region_name, city, scans FROM everyone
    UNION ALL
    SELECT gtin, country_code, region_code, region_name, city, scans FROM products
), regions AS (
    SELECT gtin, country_code, region_code, region_name, sum(scans)::bigint AS scans
    FROM placed
    WHERE region_code <> '' OR region_name <> ''
    GROUP BY gtin, country_code, region_code, region_name
), named_regions AS (
    SELECT * FROM (
        SELECT gtin, country_code, region_code, region_name, scans,
               row_number() OVER (PARTITION BY gtin ORDER BY scans DESC, region_name COLLATE "C",
                                  region_code COLLATE "C", country_code COLLATE "C") AS rank
        FROM regions
        WHERE scans >= %(min_scans)s
    ) AS ranked
    WHERE rank <= %(top)s
), named_cities AS (
    SELECT * FROM (
        SELECT gtin, country_code, region_code, region_name, city, scans,
               row_number() OVER (PARTITION BY gtin ORDER BY scans DESC, city COLLATE "C",
                                  region_code COLLATE "C", region_name COLLATE "C",
                                  country_code COLLATE "C") AS rank
        FROM placed
        WHERE city <> '' AND scans >= %(min_scans)s
    ) AS ranked
    WHERE rank <= %(top)s
)
SELECT 'total' AS kind, gtin, NULL AS country_code, NULL AS region_code, NULL AS region_name,
       NULL AS city, sum(scans)::bigint AS scans,
       coalesce(sum(scans) FILTER (WHERE region_code = '' AND region_name = ''), 0)::bigint AS rank,
       coalesce(sum(scans) FILTER (WHERE city = ''), 0)::bigint AS city_unknown
FROM placed
GROUP BY gtin
UNION ALL
SELECT 'region', gtin, country_code, region_code, region_name, NULL, scans, rank, NULL FROM named_regions
UNION ALL
SELECT 'city', gtin, country_code, region_code, region_name, city, scans, rank, NULL FROM named_cities
ORDER BY kind, rank
"""
PLACES_FOR_ORGANIZATION = sql.SQL(
    _PLACES.format(place=_PLACE, months="scan_monthly_place_totals", days="scan_daily_place_totals", brand="")
)
PLACES_FOR_BRAND = sql.SQL(
    _PLACES.format(
        place=_PLACE,
        months="scan_monthly_brand_place_totals",
        days="scan_daily_brand_place_totals",
        brand="AND brand_id = %(brand)s",
    )
)


def answers(query: ScanQuery) -> bool:
    """Whether place counts answer `query`: its days are UTC days (place counts are daily)."""
    return not query.hourly or query.zone.key == "UTC"


# A month of the place layers against a day of them: the rows a month holds over a day's, for the
# benchmark's largest organization (the places of a month are mostly those of any few days).
MONTH_IN_DAYS = 4


@dataclass(frozen=True)
class PlaceCover:
    """A window as whole months and single days, less the days the months were widened by."""

    months: list[date]
    days: list[date]
    less_days: list[date]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)]


def place_cover(window: Window) -> PlaceCover:
    """Cover `window` by its whole months and days; an end's days by their month less the rest
    where that reads fewer rows (MONTH_IN_DAYS)."""
    parts = split(window)
    out = PlaceCover(months=[], days=[], less_days=[])
    month = parts.months[0]
    while month < parts.months[1]:
        out.months.append(month)
        month = first_of_next_month(month)
    for start, end in (parts.head, parts.tail):
        while start < end:  # each calendar month of an end on its own (an end may span two)
            first, after = start.replace(day=1), first_of_next_month(start)
            stop = min(end, after)
            rest = _days(first, start) + _days(stop, after)
            if MONTH_IN_DAYS + len(rest) < (stop - start).days:
                out.months.append(first)
                out.less_days.extend(rest)
            else:
                out.days.extend(_days(start, stop))
            start = stop
    return out


def places_statement(
    organization_id: str, query: ScanQuery, gtins: Sequence[str], min_scans: int
) -> tuple[sql.SQL, dict[str, Any]]:
    """The statement and parameters of the window's scans by place (`place_rows`)."""
    cover = place_cover(query.window)
    params = {
        "org": organization_id,
        "brand": query.brand_id,
        "gtins": list(gtins),
        "top": query.top_places,
        "min_scans": min_scans,
        "months": cover.months,
        "days": cover.days,
        "less_days": cover.less_days,
    }
    return (PLACES_FOR_BRAND if query.brand_id is not None else PLACES_FOR_ORGANIZATION), params


async def place_rows(
    conn: AsyncConnection[Any], organization_id: str, query: ScanQuery, gtins: Sequence[str], min_scans: int
) -> list[PlaceRow]:
    """The window's named places and totals, for the organization (gtin None) and for each of `gtins`."""
    return await fetch_all(conn, *places_statement(organization_id, query, gtins, min_scans))


@dataclass
class _Places:
    """One scope's answer rows: its total, the scans of no known region and city, the named places."""

    total: int = 0
    region_unknown: int = 0
    city_unknown: int = 0
    regions: list[dict[str, Any]] = field(default_factory=list)
    cities: list[dict[str, Any]] = field(default_factory=list)

    def by_region_and_city(self) -> tuple[dict[str, Any], dict[str, Any]]:
        named_regions = sum(r["scans"] for r in self.regions)
        named_cities = sum(c["scans"] for c in self.cities)
        return (
            {
                "regions": self.regions,
                "other": self.total - self.region_unknown - named_regions,
                "unknown": self.region_unknown,
            },
            {
                "cities": self.cities,
                "other": self.total - self.city_unknown - named_cities,
                "unknown": self.city_unknown,
            },
        )


def place_report(
    rows: Iterable[PlaceRow], gtins: Sequence[str]
) -> tuple[tuple[dict[str, Any], dict[str, Any]], dict[str, tuple[dict[str, Any], dict[str, Any]]]]:
    """by_region and by_city of the organization, and of each of gtins, from the statement's rows.

    Rows come ranked (`places_statement`): a scope's total and unknowns, then its named
    regions and cities in order. What is not named is `other`.
    """
    scopes: dict[str | None, _Places] = {None: _Places(), **{g: _Places() for g in gtins}}
    for kind, gtin, country, code, name, city, scans, rank_or_unknown, city_unknown in rows:
        scope = scopes.get(gtin)
        if scope is None:
            continue
        if kind == "total":
            scope.total, scope.region_unknown, scope.city_unknown = scans, rank_or_unknown, city_unknown or 0
        elif kind == "region":
            scope.regions.append(
                {"code": code or None, "name": name or None, "country_code": country, "scans": scans}
            )
        else:
            scope.cities.append(
                {
                    "name": city,
                    "region_code": code or None,
                    "region_name": name or None,
                    "country_code": country,
                    "scans": scans,
                }
            )
    everyone = scopes.pop(None)
    return everyone.by_region_and_city(), {g: scopes[g].by_region_and_city() for g in gtins}


def add_places(report: dict[str, Any], rows: Iterable[PlaceRow]) -> None:
    """Add by_region and by_city to a report and to each of its top products."""
    products = report["top_products"]
    (by_region, by_city), per_gtin = place_report(rows, [p["gtin"] for p in products])
    report["by_region"], report["by_city"] = by_region, by_city
    for p in products:
        p["by_region"], p["by_city"] = per_gtin[p["gtin"]]


def without_places(report: dict[str, Any]) -> None:
    """Mark a report whose days are not UTC days: by_region and by_city are null."""
    report["by_region"] = report["by_city"] = None
    for p in report["top_products"]:
        p["by_region"] = p["by_city"] = None
