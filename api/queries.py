"""Every SQL read of the API, parameterised; one statement answers a scans request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from psycopg import AsyncConnection, sql

from api import zones
from api.params import ScanQuery
from api.window import Window, first_of_next_month, split

_DAY, _WEEK = timedelta(days=1), timedelta(days=7)

# The ranking, the totals and the countries are read from the rollups of migration
# 0007 (per GTIN, per country, per brand; no device): the window's whole months
# from the monthly layer, whole weeks of the rest from the weekly layer, and the
# remaining days from the daily layer (`periods`). The top GTINs' countries and
# devices need the full key: whole months from scan_monthly_summary, the days
# around them from scan_daily_summary (migration 0003).
# Who scanned: people are the rollups' scans - bot_scans (traffic_class human is
# exactly NOT is_bot, a check of migration 0008). The agents (agent_scans, top_agents)
# and the top GTINs' AI agent scans come from the agent rollups of migration 0009, by
# the same months, weeks and days.
_LAYERS = """
        SELECT {key}, {values}
        FROM scan_daily_{grain}_totals
        WHERE organization_id = %(org)s {brand} AND day = ANY(%(days)s::date[])
        UNION ALL
        SELECT {key}, {values}
        FROM scan_weekly_{grain}_totals
        WHERE organization_id = %(org)s {brand} AND week = ANY(%(weeks)s::date[])
        UNION ALL
        SELECT {key}, {values}
        FROM scan_monthly_{grain}_totals
        WHERE organization_id = %(org)s {brand} AND month = ANY(%(months)s::date[])"""

_AGENT = "traffic_class, category, agent, operator, verification"
# A semi-join: as `gtin = ANY(ARRAY(...))` it would become an index condition beside
# `day = ANY(...)`, one index descent per day and GTIN.
_TOP_GTINS = "AND gtin IN (SELECT gtin FROM top_gtins)"

_SLICE = """
        SELECT gtin, country_code, device_class, scans
        FROM scan_daily_summary
        WHERE organization_id = %(org)s {brand} AND gtin = ANY(ARRAY(SELECT gtin FROM top_gtins))
          AND day >= %(head_from)s AND day < %(head_to)s
        UNION ALL
        SELECT gtin, country_code, device_class, scans
        FROM scan_monthly_summary
        WHERE organization_id = %(org)s {brand} AND gtin = ANY(ARRAY(SELECT gtin FROM top_gtins))
          AND month >= %(months_from)s AND month < %(months_to)s
        UNION ALL
        SELECT gtin, country_code, device_class, scans
        FROM scan_daily_summary
        WHERE organization_id = %(org)s {brand} AND gtin = ANY(ARRAY(SELECT gtin FROM top_gtins))
          AND day >= %(tail_from)s AND day < %(tail_to)s"""

_SCANS = """
WITH per_gtin AS (
    SELECT gtin, sum(scans)::bigint AS scans, sum(scans - bot_scans)::bigint AS billable
    FROM ({gtin_layers}) AS layers
    GROUP BY gtin
),
top_gtins AS (
    SELECT gtin, scans, billable FROM per_gtin
    WHERE scans > 0
    ORDER BY scans DESC, gtin
    LIMIT %(top)s
),
details AS (
    SELECT gtin, GROUPING(country_code) = 0 AS per_country, country_code, device_class,
           sum(scans)::bigint AS scans
    FROM ({top_slice}) AS top_slice
    GROUP BY GROUPING SETS ((gtin, country_code), (gtin, device_class))
),
per_country AS (
    SELECT country_code, sum(scans)::bigint AS scans
    FROM ({country_layers}) AS layers
    GROUP BY country_code
),
per_day AS (
    SELECT day, sum(scans)::bigint AS scans, sum(scans - bot_scans)::bigint AS billable
    FROM scan_daily_brand_totals
    WHERE organization_id = %(org)s {brand} AND day >= %(since)s AND day <= %(until)s
    GROUP BY day
),
per_agent AS MATERIALIZED (
    SELECT traffic_class, category, agent, operator, verification, sum(scans)::bigint AS scans
    FROM ({agent_layers}) AS layers
    GROUP BY traffic_class, category, agent, operator, verification
),
top_agents AS (
    SELECT traffic_class, category, agent, operator, verification, scans
    FROM per_agent
    WHERE scans > 0
    ORDER BY scans DESC, agent = '', agent COLLATE "C", traffic_class COLLATE "C",
             category COLLATE "C", operator COLLATE "C", verification COLLATE "C"
    LIMIT %(top_agents)s
),
top_gtin_agents AS (
    SELECT gtin, sum(scans)::bigint AS scans
    FROM ({gtin_agent_layers}) AS layers
    GROUP BY gtin
)
SELECT 'total' AS kind, NULL AS key, NULL AS sub, coalesce(sum(scans), 0)::bigint AS scans,
       coalesce(sum(billable), 0)::bigint AS billable, NULL AS product_name, NULL AS brand,
       NULL::text[] AS agent
FROM per_day
UNION ALL
SELECT 'product', t.gtin, NULL, t.scans, t.billable, c.product_name, c.brand, NULL
FROM top_gtins AS t
LEFT JOIN (
    SELECT p.gtin, p.name AS product_name, b.name AS brand
    FROM products AS p JOIN brands AS b ON b.brand_id = p.brand_id
    WHERE b.organization_id = %(org)s
) AS c ON c.gtin = t.gtin
UNION ALL
SELECT CASE WHEN per_country THEN 'product_country' ELSE 'product_device' END, gtin,
       CASE WHEN per_country THEN country_code ELSE device_class END, scans, NULL, NULL, NULL, NULL
FROM details
WHERE scans > 0
UNION ALL
SELECT 'country', country_code, NULL, scans, NULL, NULL, NULL, NULL
FROM per_country
WHERE scans > 0
UNION ALL
SELECT 'day', day::text, NULL, scans, NULL, NULL, NULL, NULL
FROM per_day
WHERE scans > 0
UNION ALL
SELECT 'agent_total', NULL, NULL,
       coalesce(sum(scans) FILTER (WHERE traffic_class = 'ai_agent'), 0)::bigint, NULL, NULL, NULL, NULL
FROM per_agent
UNION ALL
SELECT 'product_agent', gtin, NULL, scans, NULL, NULL, NULL, NULL
FROM top_gtin_agents
WHERE scans > 0
UNION ALL
SELECT 'agent', NULL, NULL, scans, NULL, NULL, NULL,
       ARRAY[traffic_class, category, agent, operator, verification]
FROM top_agents
"""


# The hourly path (tz whose days are not UTC days, granularity=hour): every part of the
# answer from scan_hourly_summary (migration 0010) over the UTC range of the caller's days,
# in the rows of the daily statement, with per-hour rows ('hour', epoch seconds) in place of
# the days: the caller's days and hours are summed from them in Python (`zones`), with the
# same time zone rules as the request's checks. One pass over the range computes the
# ranking, the countries, the hours and the agents (grouping sets, materialized once); a
# second reads the top GTINs' countries and devices.
_HOURLY_RANGE = "organization_id = %(org)s {brand} AND hour >= %(utc_from)s AND hour < %(utc_to)s"

_HOURLY = """
WITH grouped AS MATERIALIZED (
    SELECT CASE GROUPING(gtin, country_code, hour) WHEN 3 THEN 'gtin' WHEN 5 THEN 'country'
                WHEN 6 THEN 'hour' ELSE 'agent' END AS part,
           gtin, country_code, hour, traffic_class, category, agent, operator, verification,
           sum(scans)::bigint AS scans,
           coalesce(sum(scans) FILTER (WHERE NOT is_bot), 0)::bigint AS billable,
           coalesce(sum(scans) FILTER (WHERE traffic_class = 'ai_agent'), 0)::bigint AS agent_scans
    FROM scan_hourly_summary
    WHERE {range}
    GROUP BY GROUPING SETS ((gtin), (country_code), (hour), ({agent}))
),
top_gtins AS (
    SELECT gtin, scans, billable, agent_scans FROM grouped
    WHERE part = 'gtin' AND scans > 0
    ORDER BY scans DESC, gtin
    LIMIT %(top)s
),
details AS (
    SELECT gtin, GROUPING(country_code) = 0 AS per_country, country_code, device_class,
           sum(scans)::bigint AS scans
    FROM scan_hourly_summary
    WHERE {range} AND gtin = ANY(ARRAY(SELECT gtin FROM top_gtins))
    GROUP BY GROUPING SETS ((gtin, country_code), (gtin, device_class))
),
top_agents AS (
    SELECT {agent}, scans FROM grouped
    WHERE part = 'agent' AND traffic_class <> 'human' AND scans > 0
    ORDER BY scans DESC, agent = '', agent COLLATE "C", traffic_class COLLATE "C",
             category COLLATE "C", operator COLLATE "C", verification COLLATE "C"
    LIMIT %(top_agents)s
)
SELECT 'total' AS kind, NULL AS key, NULL AS sub, coalesce(sum(scans), 0)::bigint AS scans,
       coalesce(sum(billable), 0)::bigint AS billable, NULL AS product_name, NULL AS brand,
       NULL::text[] AS agent
FROM grouped
WHERE part = 'hour'
UNION ALL
SELECT 'product', t.gtin, NULL, t.scans, t.billable, c.product_name, c.brand, NULL
FROM top_gtins AS t
LEFT JOIN (
    SELECT p.gtin, p.name AS product_name, b.name AS brand
    FROM products AS p JOIN brands AS b ON b.brand_id = p.brand_id
    WHERE b.organization_id = %(org)s
) AS c ON c.gtin = t.gtin
UNION ALL
SELECT CASE WHEN per_country THEN 'product_country' ELSE 'product_device' END, gtin,
       CASE WHEN per_country THEN country_code ELSE device_class END, scans, NULL, NULL, NULL, NULL
FROM details
WHERE scans > 0
UNION ALL
SELECT 'country', country_code, NULL, scans, NULL, NULL, NULL, NULL
FROM grouped
WHERE part = 'country' AND scans > 0
UNION ALL
SELECT 'hour', extract(epoch FROM hour)::bigint::text, NULL, scans, NULL, NULL, NULL, NULL
FROM grouped
WHERE part = 'hour' AND scans > 0
UNION ALL
SELECT 'agent_total', NULL, NULL, coalesce(sum(agent_scans), 0)::bigint, NULL, NULL, NULL, NULL
FROM grouped
WHERE part = 'hour'
UNION ALL
SELECT 'product_agent', gtin, NULL, agent_scans, NULL, NULL, NULL, NULL
FROM top_gtins
WHERE agent_scans > 0
UNION ALL
SELECT 'agent', NULL, NULL, scans, NULL, NULL, NULL,
       ARRAY[traffic_class, category, agent, operator, verification]
FROM top_agents
"""


def _hourly(brand: str) -> str:
    return _HOURLY.format(range=_HOURLY_RANGE.format(brand=brand), agent=_AGENT)


HOURLY_FOR_ORGANIZATION = sql.SQL(_hourly(""))
HOURLY_FOR_BRAND = sql.SQL(_hourly("AND brand_id = %(brand)s"))


def _layers(grain: str, key: str, brand: str, values: str = "scans, bot_scans") -> str:
    """The window's days, weeks and months of the rollups scan_{daily,weekly,monthly}_{grain}_totals."""
    return _LAYERS.format(key=key, values=values, grain=grain, brand=brand)


def _scans(brand: str) -> str:
    return _SCANS.format(
        gtin_layers=_layers("gtin", "gtin", brand),
        country_layers=_layers("country", "country_code", brand),
        agent_layers=_layers("agent", _AGENT, brand, "scans"),
        gtin_agent_layers=_layers("gtin_agent", "gtin", f"{brand} {_TOP_GTINS}", "agent_scans AS scans"),
        top_slice=_SLICE.format(brand=brand),
        brand=brand,
    )


SCANS_FOR_ORGANIZATION = sql.SQL(_scans(""))
SCANS_FOR_BRAND = sql.SQL(_scans("AND brand_id = %(brand)s"))


@dataclass(frozen=True)
class Periods:
    """A window as the first days of its whole months, of its whole weeks and its single days."""

    days: list[date]
    weeks: list[date]
    months: list[date]


def _days_and_weeks(start: date, end: date, periods: Periods) -> None:
    """Cover [start, end) with whole weeks (Monday to Sunday) and single days."""
    day = start
    while day < end:
        if day.weekday() == 0 and day + _WEEK <= end:
            periods.weeks.append(day)
            day += _WEEK
        else:
            periods.days.append(day)
            day += _DAY


def periods(window: Window) -> Periods:
    """Return the months, weeks and days that cover `window` exactly once each, fewest first."""
    parts = split(window)
    out = Periods(days=[], weeks=[], months=[])
    _days_and_weeks(*parts.head, out)
    month = parts.months[0]
    while month < parts.months[1]:
        out.months.append(month)
        month = first_of_next_month(month)
    _days_and_weeks(*parts.tail, out)
    return out


@dataclass(frozen=True)
class Membership:
    organization_id: str
    is_default: bool


def scans_statement(organization_id: str, query: ScanQuery) -> tuple[sql.SQL, dict[str, Any]]:
    """Return the statement and parameters that answer `query` for `organization_id`."""
    parts = split(query.window)
    cover = periods(query.window)
    params: dict[str, Any] = {
        "org": organization_id,
        "brand": query.brand_id,
        "since": query.window.since,
        "until": query.window.until,
        "top": query.top,
        "top_agents": query.top_agents,
        "days": cover.days,
        "weeks": cover.weeks,
        "months": cover.months,
        "head_from": parts.head[0],
        "head_to": parts.head[1],
        "months_from": parts.months[0],
        "months_to": parts.months[1],
        "tail_from": parts.tail[0],
        "tail_to": parts.tail[1],
    }
    return (SCANS_FOR_BRAND if query.brand_id is not None else SCANS_FOR_ORGANIZATION), params


def hourly_statement(organization_id: str, query: ScanQuery) -> tuple[sql.SQL, dict[str, Any]]:
    """Return the statement over the hourly counts that answers `query` for `organization_id`."""
    utc_from, utc_to = zones.utc_range(query.window, query.zone)
    params: dict[str, Any] = {
        "org": organization_id,
        "brand": query.brand_id,
        "utc_from": utc_from,
        "utc_to": utc_to,
        "top": query.top,
        "top_agents": query.top_agents,
    }
    return (HOURLY_FOR_BRAND if query.brand_id is not None else HOURLY_FOR_ORGANIZATION), params


def statement_for(organization_id: str, query: ScanQuery) -> tuple[sql.SQL, dict[str, Any]]:
    """Return the statement that answers `query`: the daily rollups' unless it needs the hours."""
    return (hourly_statement if query.hourly else scans_statement)(organization_id, query)


async def scan_rows(
    conn: AsyncConnection[Any],
    organization_id: str,
    query: ScanQuery,
    statement_timeout_ms: int | None = None,
) -> list[tuple[Any, ...]]:
    """Run the main query for `query` over `organization_id`, within `statement_timeout_ms` if given.

    The rows are tuples in the order of `Row`'s fields (what `build_report` reads).
    """
    statement, params = statement_for(organization_id, query)
    if statement_timeout_ms is None:
        cur = await conn.execute(statement, params)
        return await cur.fetchall()
    async with conn.transaction():
        await conn.execute(
            sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(int(statement_timeout_ms)))
        )
        cur = await conn.execute(statement, params)
        return await cur.fetchall()


@dataclass(frozen=True)
class Access:
    """What decides whether a caller may read: its memberships, and the catalog's owner of a brand."""

    memberships: list[Membership]
    catalog_owner: str | None  # of the brand asked for; None if not asked for or not in the catalog


_MEMBERSHIPS = (
    "SELECT organization_id, is_default, false AS owner"
    " FROM organization_memberships WHERE user_id = %(user)s"
)
_ACCESS = sql.SQL(f"{_MEMBERSHIPS} ORDER BY organization_id")
_ACCESS_AND_OWNER = sql.SQL(
    f"{_MEMBERSHIPS} UNION ALL SELECT organization_id, false, true FROM brands WHERE brand_id = %(brand)s"
    " ORDER BY owner, organization_id"
)


async def access(conn: AsyncConnection[Any], user_id: str, brand_id: str | None) -> Access:
    """Return `user_id`'s memberships and, if `brand_id` is given, its owner in the catalog; one statement."""
    params = {"user": user_id, "brand": brand_id}
    cur = await conn.execute(_ACCESS if brand_id is None else _ACCESS_AND_OWNER, params)
    owner: str | None = None
    members: list[Membership] = []
    for org, default, is_owner in await cur.fetchall():
        if is_owner:
            owner = str(org)
        else:
            members.append(Membership(org, bool(default)))
    return Access(members, owner)


async def scans_owner(conn: AsyncConnection[Any], organization_id: str, brand_id: str) -> str | None:
    """Return `organization_id` if it has scans of `brand_id` (a brand outside the catalog), else None."""
    cur = await conn.execute(
        "SELECT organization_id FROM scan_daily_summary"
        " WHERE organization_id = %(org)s AND brand_id = %(brand)s LIMIT 1",
        {"brand": brand_id, "org": organization_id},
    )
    row = await cur.fetchone()
    return None if row is None else str(row[0])


async def ping(conn: AsyncConnection[Any]) -> None:
    """Check that the database answers."""
    await conn.execute("SELECT 1")


READER_ROLE = "scan_analytics_reader"  # migration 0005: SELECT on what the API reads


def session_options(statement_timeout_ms: int, role: str | None = READER_ROLE) -> str:
    """Return the libpq `options` of every API connection (and of the benchmark's bare SQL).

    The role of migration 0005 (SELECT only) and read-only transactions; no JIT (it costs
    more than it saves on these sub-second statements); room for the hash aggregates; no
    parallel workers (many small requests share the cores better one backend each); custom
    plans, since organizations differ in size by orders of magnitude; a bound on any statement.
    """
    options = (
        "-c default_transaction_read_only=on -c jit=off -c work_mem=64MB"
        " -c max_parallel_workers_per_gather=0 -c plan_cache_mode=force_custom_plan"
        f" -c statement_timeout={int(statement_timeout_ms)}"
    )
    return options if role is None else f"{options} -c role={role}"
