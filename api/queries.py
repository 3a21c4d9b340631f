"""Every SQL read of the API, parameterised; one statement answers a scans request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, sql

from api.params import ScanQuery
from api.report import Row
from api.window import split

# Whole months come from scan_monthly_summary, the days around them from
# scan_daily_summary, and by_day from scan_daily_brand_totals; the triggers of
# migration 0003 keep the rollups equal to the daily table.
_SCANS = """
WITH cube AS MATERIALIZED (
    SELECT gtin, country_code, device_class, is_bot, sum(scans)::bigint AS scans
    FROM (
        SELECT gtin, country_code, device_class, is_bot, scans
        FROM scan_daily_summary
        WHERE organization_id = %(org)s {brand}
          AND day >= %(head_from)s AND day < %(head_to)s
        UNION ALL
        SELECT gtin, country_code, device_class, is_bot, scans
        FROM scan_monthly_summary
        WHERE organization_id = %(org)s {brand}
          AND month >= %(months_from)s AND month < %(months_to)s
        UNION ALL
        SELECT gtin, country_code, device_class, is_bot, scans
        FROM scan_daily_summary
        WHERE organization_id = %(org)s {brand}
          AND day >= %(tail_from)s AND day < %(tail_to)s
    ) AS slice
    GROUP BY gtin, country_code, device_class, is_bot
),
per_gtin AS (
    SELECT gtin, sum(scans)::bigint AS scans,
           coalesce(sum(scans) FILTER (WHERE NOT is_bot), 0)::bigint AS billable
    FROM cube
    GROUP BY gtin
    HAVING sum(scans) > 0
),
top_gtins AS (
    SELECT gtin, scans, billable FROM per_gtin ORDER BY scans DESC, gtin LIMIT %(top)s
)
SELECT 'total' AS kind, NULL AS key, NULL AS sub, coalesce(sum(scans), 0)::bigint AS scans,
       coalesce(sum(billable), 0)::bigint AS billable, NULL AS product_name, NULL AS brand
FROM per_gtin
UNION ALL
SELECT 'product', t.gtin, NULL, t.scans, t.billable, c.product_name, c.brand
FROM top_gtins AS t
LEFT JOIN (
    SELECT p.gtin, p.name AS product_name, b.name AS brand
    FROM products AS p JOIN brands AS b ON b.brand_id = p.brand_id
    WHERE b.organization_id = %(org)s
) AS c ON c.gtin = t.gtin
UNION ALL
SELECT 'product_country', cube.gtin, cube.country_code, sum(cube.scans)::bigint, NULL, NULL, NULL
FROM cube JOIN top_gtins USING (gtin)
GROUP BY cube.gtin, cube.country_code
HAVING sum(cube.scans) > 0
UNION ALL
SELECT 'product_device', cube.gtin, cube.device_class, sum(cube.scans)::bigint, NULL, NULL, NULL
FROM cube JOIN top_gtins USING (gtin)
GROUP BY cube.gtin, cube.device_class
HAVING sum(cube.scans) > 0
UNION ALL
SELECT 'country', country_code, NULL, sum(scans)::bigint, NULL, NULL, NULL
FROM cube
GROUP BY country_code
HAVING sum(scans) > 0
UNION ALL
SELECT 'day', day::text, NULL, sum(scans)::bigint, NULL, NULL, NULL
FROM scan_daily_brand_totals
WHERE organization_id = %(org)s {brand} AND day >= %(since)s AND day <= %(until)s
GROUP BY day
HAVING sum(scans) > 0
"""

SCANS_FOR_ORGANIZATION = sql.SQL(_SCANS.format(brand=""))
SCANS_FOR_BRAND = sql.SQL(_SCANS.format(brand="AND brand_id = %(brand)s"))


@dataclass(frozen=True)
class Membership:
    organization_id: str
    is_default: bool


def scans_statement(organization_id: str, query: ScanQuery) -> tuple[sql.SQL, dict[str, Any]]:
    """Return the statement and parameters that answer `query` for `organization_id`."""
    parts = split(query.window)
    params: dict[str, Any] = {
        "org": organization_id,
        "brand": query.brand_id,
        "since": query.window.since,
        "until": query.window.until,
        "top": query.top,
        "head_from": parts.head[0], "head_to": parts.head[1],
        "months_from": parts.months[0], "months_to": parts.months[1],
        "tail_from": parts.tail[0], "tail_to": parts.tail[1],
    }
    return (SCANS_FOR_BRAND if query.brand_id is not None else SCANS_FOR_ORGANIZATION), params


async def scan_rows(conn: AsyncConnection[Any], organization_id: str, query: ScanQuery) -> list[Row]:
    """Run the main query for `query` over `organization_id`."""
    statement, params = scans_statement(organization_id, query)
    cur = await conn.execute(statement, params)
    return [Row(*r) for r in await cur.fetchall()]


async def memberships(conn: AsyncConnection[Any], user_id: str) -> list[Membership]:
    """Return the organizations `user_id` belongs to."""
    cur = await conn.execute(
        "SELECT organization_id, is_default FROM organization_memberships WHERE user_id = %s"
        " ORDER BY organization_id",
        (user_id,),
    )
    return [Membership(org, bool(default)) for org, default in await cur.fetchall()]


async def brand_owner(conn: AsyncConnection[Any], organization_id: str, brand_id: str) -> str | None:
    """Return the organization owning `brand_id` in the catalog, else the one with its scans, else None."""
    cur = await conn.execute(
        "SELECT organization_id FROM brands WHERE brand_id = %(brand)s"
        " UNION ALL"
        " SELECT organization_id FROM ("
        "   SELECT organization_id FROM scan_daily_summary"
        "   WHERE organization_id = %(org)s AND brand_id = %(brand)s LIMIT 1) AS s"
        " LIMIT 1",
        {"brand": brand_id, "org": organization_id},
    )
    row = await cur.fetchone()
    return None if row is None else str(row[0])


async def ping(conn: AsyncConnection[Any]) -> None:
    """Check that the database answers."""
    await conn.execute("SELECT 1")

# Session settings of every API connection (and of the benchmark's bare SQL): read
# only; no JIT (it costs more than it saves on these sub-second statements); room
# for the hash aggregates; custom plans, since organizations differ in size by
# orders of magnitude; and a bound on any statement.
SESSION_OPTIONS = ("-c default_transaction_read_only=on -c jit=off -c work_mem=64MB"
                   " -c plan_cache_mode=force_custom_plan -c statement_timeout=30000")
