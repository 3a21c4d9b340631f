"""Scans by region and city (scan_daily_place_summary, migration 0011), with small cells folded.

A city or region with fewer than `min_scans` scans in the window is not named: its scans
count under `other`, so a single shopper in a small town cannot be singled out. So do the
places past the `top` named ones. Scans whose city (or region) the GeoIP database did not
know count under `unknown`. Named entries, `other` and `unknown` sum to the scans they
break down. Place counts are kept per UTC day, so they answer windows of UTC days only. They are read
from the rollups of migration 0014: whole months and single days, without the GTIN for the
organization or brand, by GTIN for the top products only (`place_cover`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from psycopg import AsyncConnection, sql

from api.params import ScanQuery
from api.statements import fetch_all
from api.window import Window, first_of_next_month, split

K = TypeVar("K")

PlaceRow = tuple[
    str | None, str, str, str, str, int
]  # gtin (None: all), country, region code, name, city, scans

# The organization's (or brand's) places from the rollups of migration 0014: whole months from
# a month layer, single days from a day layer, and the days a month was widened by taken away
# again (`place_cover`). The top GTINs' places likewise from the monthly GTIN layer and, for
# single days, from the place counts through their (organization, GTIN, day) index. Sums are
# those of scan_daily_place_summary over the window; places at zero are skipped (never named).
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
)
SELECT NULL::text, country_code, region_code, region_name, city, scans FROM everyone
UNION ALL
SELECT gtin, country_code, region_code, region_name, city, scans FROM products
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
    organization_id: str, query: ScanQuery, gtins: Sequence[str]
) -> tuple[sql.SQL, dict[str, Any]]:
    """The statement and parameters of the window's scans by place (`place_rows`)."""
    cover = place_cover(query.window)
    params = {
        "org": organization_id,
        "brand": query.brand_id,
        "gtins": list(gtins),
        "months": cover.months,
        "days": cover.days,
        "less_days": cover.less_days,
    }
    return (PLACES_FOR_BRAND if query.brand_id is not None else PLACES_FOR_ORGANIZATION), params


async def place_rows(
    conn: AsyncConnection[Any], organization_id: str, query: ScanQuery, gtins: Sequence[str]
) -> list[PlaceRow]:
    """The window's scans by place, for the organization (gtin None) and for each of `gtins`."""
    return await fetch_all(conn, *places_statement(organization_id, query, gtins))


def breakdown(
    rows: Iterable[tuple[str, str, str, str, int]], top: int, min_scans: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """by_region and by_city of (country, region code, region name, city, scans) rows."""
    regions: dict[tuple[str, str, str], int] = defaultdict(int)
    cities: dict[tuple[str, str, str, str], int] = defaultdict(int)
    total = region_unknown = city_unknown = 0
    for country, code, name, city, scans in rows:
        total += scans
        if code or name:
            regions[(country, code, name)] += scans
        else:
            region_unknown += scans
        if city:
            cities[(country, code, name, city)] += scans
        else:
            city_unknown += scans
    named_regions = _named(regions, top, min_scans, lambda k: (k[2], k[1], k[0]))
    named_cities = _named(cities, top, min_scans, lambda k: (k[3], k[1], k[2], k[0]))
    by_region = {
        "regions": [
            {"code": code or None, "name": name or None, "country_code": country, "scans": n}
            for (country, code, name), n in named_regions
        ],
        "other": total - region_unknown - sum(n for _k, n in named_regions),
        "unknown": region_unknown,
    }
    by_city = {
        "cities": [
            {
                "name": city,
                "region_code": code or None,
                "region_name": name or None,
                "country_code": country,
                "scans": n,
            }
            for (country, code, name, city), n in named_cities
        ],
        "other": total - city_unknown - sum(n for _k, n in named_cities),
        "unknown": city_unknown,
    }
    return by_region, by_city


def _named(counts: dict[K, int], top: int, min_scans: int, name: Any) -> list[tuple[K, int]]:
    """The places with at least min_scans scans, by scans descending then name; at most top."""
    kept = [(k, n) for k, n in counts.items() if n >= min_scans]
    kept.sort(key=lambda kn: (-kn[1], name(kn[0])))
    return kept[:top]


def place_report(
    rows: Iterable[PlaceRow], gtins: Sequence[str], top: int, min_scans: int
) -> tuple[tuple[dict[str, Any], dict[str, Any]], dict[str, tuple[dict[str, Any], dict[str, Any]]]]:
    """by_region and by_city of the organization, and of each of gtins."""
    everyone: list[tuple[str, str, str, str, int]] = []
    per_gtin: dict[str, list[tuple[str, str, str, str, int]]] = {g: [] for g in gtins}
    for gtin, country, code, name, city, scans in rows:
        place = (country, code, name, city, int(scans))
        if gtin is None:
            everyone.append(place)
        elif gtin in per_gtin:
            per_gtin[gtin].append(place)
    return breakdown(everyone, top, min_scans), {
        g: breakdown(places, top, min_scans) for g, places in per_gtin.items()
    }


def add_places(report: dict[str, Any], rows: Iterable[PlaceRow], top: int, min_scans: int) -> None:
    """Add by_region and by_city to a report and to each of its top products."""
    products = report["top_products"]
    (by_region, by_city), per_gtin = place_report(rows, [p["gtin"] for p in products], top, min_scans)
    report["by_region"], report["by_city"] = by_region, by_city
    for p in products:
        p["by_region"], p["by_city"] = per_gtin[p["gtin"]]


def without_places(report: dict[str, Any]) -> None:
    """Mark a report whose days are not UTC days: by_region and by_city are null."""
    report["by_region"] = report["by_city"] = None
    for p in report["top_products"]:
        p["by_region"] = p["by_city"] = None
