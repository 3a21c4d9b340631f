"""Every SQL read of the API, parameterised; one statement answers a scans request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from psycopg import AsyncConnection, errors, sql

from api import zones
from api.params import ScanQuery
from api.report import build_report, document
from api.statements import fetch_all
from api.window import Split, Window, first_of_next_month, split

_DAY, _WEEK = timedelta(days=1), timedelta(days=7)

# The ranking, the totals and the countries are read from the rollups of migration
# 0007 (per GTIN, per country, per brand; no device) and the years of 0015: the window's
# whole years from the yearly layer, whole months from the monthly layer, whole weeks of the
# rest from the weekly layer, and the remaining days from the daily layer (`periods`). A
# partial week, month or year at either end may instead be read as the whole period less
# the days, weeks and months outside the window (`cover`): sums are exact either way, and a
# year and a month or two are far fewer rows than the months they replace. The totals and
# by_day of a whole organization come from its daily totals (0015), of a brand from the
# brand's (0007). The top GTINs' countries and devices need the full key: whole
# months from scan_monthly_summary, the days around them (added or taken away) from
# scan_daily_summary (migration 0003). Counts that net to zero are skipped as rows at
# zero always were.
# Who scanned: people are the rollups' scans - bot_scans (traffic_class human is
# exactly NOT is_bot, a check of migration 0008). The agents (agent_scans, top_agents)
# and the top GTINs' AI agent scans come from the agent rollups of migration 0009, by
# the same months, weeks and days. A whole organization's ranking over its last 7, 30 or 90
# days, ending today, comes from the trailing layer of migration 0016 when it holds the window
# (`_TOP_GTINS_OF_TRAILING`).
# each kind of period: its column and the word its layers' names begin with (years: 0015)
_PERIOD_TABLES = {
    "days": ("day", "daily"),
    "weeks": ("week", "weekly"),
    "months": ("month", "monthly"),
    "years": ("year", "yearly"),
}


def _layer_branch(name: str) -> str:
    """One branch of a window's layers: the periods the parameter `name` lists, added or taken away."""
    column, table = _PERIOD_TABLES[name.removeprefix("less_")]
    counts = "{less}" if name.startswith("less_") else "{values}"
    return f"""
        SELECT {{key}}, {counts}
        FROM scan_{table}_{{grain}}_totals
        WHERE organization_id = %(org)s {{brand}} AND {column} = ANY(%({name})s::date[])"""


# The branches of a window's layers, each named by the parameter that lists its periods: a
# window's cover leaves some empty, and a statement without them plans faster (`scans_statement`).
_UNION = "\n        UNION ALL"
_LAYER_NAMES = ("days", "weeks", "months", "years", "less_days", "less_weeks", "less_months")
_LAYER_BRANCHES = {name: _layer_branch(name) for name in _LAYER_NAMES}

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
          AND day >= %(tail_from)s AND day < %(tail_to)s
        UNION ALL
        SELECT gtin, country_code, device_class, -scans
        FROM scan_daily_summary
        WHERE organization_id = %(org)s {brand} AND gtin = ANY(ARRAY(SELECT gtin FROM top_gtins))
          AND day >= %(less_head_from)s AND day < %(less_head_to)s
        UNION ALL
        SELECT gtin, country_code, device_class, -scans
        FROM scan_daily_summary
        WHERE organization_id = %(org)s {brand} AND gtin = ANY(ARRAY(SELECT gtin FROM top_gtins))
          AND day >= %(less_tail_from)s AND day < %(less_tail_to)s"""

# The branches of _SLICE, named by their ranges (`{name}_from`, `{name}_to`).
_SLICE_NAMES = ("head", "months", "tail", "less_head", "less_tail")
_SLICE_BRANCHES = dict(zip(_SLICE_NAMES, _SLICE.split(_UNION), strict=True))

_SCANS = """
WITH per_gtin AS (
    SELECT gtin, sum(scans)::bigint AS scans, sum(scans - bot_scans)::bigint AS billable
    FROM ({gtin_layers}) AS layers
    GROUP BY gtin
),
{top_gtins},
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
    FROM {day_totals}
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
{answer}"""


_TOP_GTINS_OF_COVER = """top_gtins AS (
    SELECT gtin, scans, billable FROM per_gtin
    WHERE scans > 0
    ORDER BY scans DESC, gtin
    LIMIT %(top)s
)"""

# A whole organization's last N days (migration 0016): the first entries of the trailing
# layer's ranking index while the layer holds the window (it moves to a new day with the
# day's first write), the cover's ranking otherwise. Both conditions are one-time filters of
# the same snapshot: exactly one branch runs.
_TRAILING_HOLDS = (
    "EXISTS (SELECT FROM scan_trailing_windows WHERE days = %(trailing)s AND through = %(until)s)"
)
_TOP_GTINS_OF_TRAILING = f"""top_gtins AS (
    (SELECT gtin, scans, scans - bot_scans AS billable
     FROM scan_trailing_gtin_totals
     WHERE organization_id = %(org)s AND days = %(trailing)s AND through = %(until)s AND scans > 0
       AND {_TRAILING_HOLDS}
     ORDER BY scans DESC, gtin
     LIMIT %(top)s)
    UNION ALL
    (SELECT gtin, scans, billable FROM per_gtin
     WHERE scans > 0 AND NOT {_TRAILING_HOLDS}
     ORDER BY scans DESC, gtin
     LIMIT %(top)s)
)"""
# the windows migration 0016 keeps (scan_trailing_windows), in days: the "last 7, 30 and 90
# days" as the API counts them (since = until - N, both inclusive), its default window and
# the dashboard's choices, and 30 days to the day
TRAILING_DAYS = frozenset({8, 30, 31, 91})


# The hourly path (tz whose days are not UTC days, granularity=hour): the caller's days
# cover a UTC range [utc_from, utc_to) of whole hours. Its whole UTC days (the interior) are
# read from the daily rollups exactly as the daily statement reads a window; only the hours
# before the first and after the last of them (the edges, less than a day on either side)
# from scan_hourly_summary (migration 0010), grouped once by GTIN, by country and by agent.
# The totals and the hours ('hour', epoch seconds, in place of the days) come from the
# hourly totals of migration 0012 over the whole range: the caller's days and hours are
# summed from them in Python (`zones`), with the same time zone rules as the request's checks.
# A UTC day's hours sum to its daily rows while it is retained (0010), and the window is
# inside the retention (the request's checks), so both halves count the same scans.
_EDGE = """
        SELECT {columns}, {sign}scans AS scans FROM scan_hourly_summary
        WHERE organization_id = %(org)s {brand} AND hour >= %({name}_from)s AND hour < %({name}_to)s"""
_EDGES = "\n        UNION ALL".join(
    _EDGE.format(columns="{columns}", brand="{brand}", sign=sign, name=name)
    for sign, name in (("", "edge1"), ("", "edge2"), ("-", "less1"), ("-", "less2"))
)

_HOURLY = """
WITH hours AS MATERIALIZED ({edges}
),
edge AS MATERIALIZED (
    SELECT CASE GROUPING(gtin, country_code) WHEN 1 THEN 'gtin' WHEN 2 THEN 'country'
                ELSE 'agent' END AS part,
           gtin, country_code, traffic_class, category, agent, operator, verification,
           sum(scans)::bigint AS scans,
           coalesce(sum(scans) FILTER (WHERE is_bot), 0)::bigint AS bot_scans,
           coalesce(sum(scans) FILTER (WHERE traffic_class = 'ai_agent'), 0)::bigint AS agent_scans
    FROM hours
    GROUP BY GROUPING SETS ((gtin), (country_code), ({agent}))
),
per_gtin AS (
    SELECT gtin, sum(scans)::bigint AS scans, sum(scans - bot_scans)::bigint AS billable
    FROM ({gtin_layers}
        UNION ALL
        SELECT gtin, scans, bot_scans FROM edge WHERE part = 'gtin') AS layers
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
    FROM ({top_slice}
        UNION ALL
        SELECT gtin, country_code, device_class, scans FROM hours {top_only_where}) AS top_slice
    GROUP BY GROUPING SETS ((gtin, country_code), (gtin, device_class))
),
per_country AS (
    SELECT country_code, sum(scans)::bigint AS scans
    FROM ({country_layers}
        UNION ALL
        SELECT country_code, scans, bot_scans FROM edge WHERE part = 'country') AS layers
    GROUP BY country_code
),
per_hour AS (
    SELECT hour, scans, scans - bot_scans AS billable
    FROM {hour_totals}
    WHERE organization_id = %(org)s {brand} AND hour >= %(utc_from)s AND hour < %(utc_to)s
),
per_agent AS MATERIALIZED (
    SELECT {agent}, sum(scans)::bigint AS scans
    FROM ({agent_layers}
        UNION ALL
        SELECT {agent}, scans FROM edge WHERE part = 'agent' AND traffic_class <> 'human') AS layers
    GROUP BY {agent}
),
top_agents AS (
    SELECT {agent}, scans
    FROM per_agent
    WHERE scans > 0
    ORDER BY scans DESC, agent = '', agent COLLATE "C", traffic_class COLLATE "C",
             category COLLATE "C", operator COLLATE "C", verification COLLATE "C"
    LIMIT %(top_agents)s
),
top_gtin_agents AS (
    SELECT gtin, sum(scans)::bigint AS scans
    FROM ({gtin_agent_layers}
        UNION ALL
        SELECT gtin, agent_scans FROM edge WHERE part = 'gtin' {top_only}) AS layers
    GROUP BY gtin
)
{answer}"""


# The organization's catalog: name and brand of each GTIN (the top products' names).
_CATALOG = """
    SELECT p.gtin, p.name AS product_name, b.name AS brand
    FROM products AS p JOIN brands AS b ON b.brand_id = p.brand_id
    WHERE b.organization_id = %(org)s
"""

# The hourly statement's answer: rows in the order of report.Row's fields (the hours are summed
# into the caller's days in Python). `periods` is the CTE of the totals per hour, `period_rows`
# selects them.
_ANSWER = """SELECT 'total' AS kind, NULL AS key, NULL AS sub, coalesce(sum(scans), 0)::bigint AS scans,
       coalesce(sum(billable), 0)::bigint AS billable, NULL AS product_name, NULL AS brand,
       NULL::text[] AS agent
FROM {periods}
UNION ALL
SELECT 'product', t.gtin, NULL, t.scans, t.billable, c.product_name, c.brand, NULL
FROM top_gtins AS t
LEFT JOIN ({catalog}) AS c ON c.gtin = t.gtin
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
{period_rows}UNION ALL
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
_HOUR_ROWS = """SELECT 'hour', extract(epoch FROM hour)::bigint::text, NULL, scans, NULL, NULL, NULL, NULL
FROM per_hour
WHERE scans > 0
"""


# The daily statement's answer: one row, the parts of the document that come in numbers
# (totals) and those that come as lists and objects, already written as JSON text, the
# bytes the document's encoder writes for them (`report.document`): no spaces, keys in the
# answer's order, strings escaped by to_json (the same escapes as json.dumps with
# ensure_ascii=False), entries ordered as report.build_report orders them (counts
# descending, then keys by code point: COLLATE "C"). Counts at zero are left out as before.
# GTINs, country codes and device classes are written between quotes as they are: the CHECKs
# of migration 0002 allow only digits, letters and the device classes, nothing JSON escapes.
_JSON_ANSWER = """,
product_counts AS (
    SELECT gtin,
           '{{' || string_agg('"' || country_code || '":' || scans, ','
                              ORDER BY scans DESC, country_code COLLATE "C") FILTER (WHERE per_country)
           || '}}' AS by_country,
           '{{' || string_agg('"' || device_class || '":' || scans, ','
                              ORDER BY scans DESC, device_class COLLATE "C") FILTER (WHERE NOT per_country)
           || '}}' AS by_device
    FROM details
    WHERE scans > 0 AND coalesce(country_code, device_class) IS NOT NULL
    GROUP BY gtin
),
products AS (
    SELECT t.gtin, t.scans,
           '{{"gtin":"' || t.gtin || '"'
           || ',"product_name":' || coalesce(to_json(c.product_name)::text, 'null')
           || ',"brand":' || coalesce(to_json(c.brand)::text, 'null')
           || ',"scans":' || t.scans
           || ',"billable_scans":' || coalesce(t.billable, 0)
           || ',"by_country":' || coalesce(pc.by_country, '{{}}')
           || ',"by_device":' || coalesce(pc.by_device, '{{}}')
           || ',"by_traffic_class":{{"human":' || coalesce(t.billable, 0)
           || ',"ai_agent":' || coalesce(a.scans, 0)
           || ',"bot":' || (t.scans - coalesce(t.billable, 0) - coalesce(a.scans, 0)) || '}}}}' AS doc
    FROM top_gtins AS t
    LEFT JOIN ({catalog}) AS c ON c.gtin = t.gtin
    LEFT JOIN product_counts AS pc ON pc.gtin = t.gtin
    LEFT JOIN top_gtin_agents AS a ON a.gtin = t.gtin AND a.scans > 0
)
SELECT
    (SELECT coalesce(sum(scans), 0)::bigint FROM per_day) AS total,
    (SELECT coalesce(sum(billable), 0)::bigint FROM per_day) AS billable,
    (SELECT coalesce(sum(scans) FILTER (WHERE traffic_class = 'ai_agent'), 0)::bigint FROM per_agent)
        AS agent_scans,
    (SELECT '[' || coalesce(string_agg(doc, ',' ORDER BY scans DESC, gtin COLLATE "C"), '') || ']'
     FROM products) AS top_products,
    (SELECT '[' || coalesce(string_agg(
                '{{"name":' || coalesce(to_json(nullif(agent, ''))::text, 'null')
                || ',"category":' || coalesce(to_json(nullif(category, ''))::text, 'null')
                || ',"operator":' || coalesce(to_json(nullif(operator, ''))::text, 'null')
                || ',"verification":' || coalesce(to_json(nullif(verification, ''))::text, 'null')
                || ',"traffic_class":' || to_json(traffic_class)::text
                || ',"scans":' || scans || '}}', ','
                ORDER BY scans DESC, agent = '', agent COLLATE "C", traffic_class COLLATE "C",
                         category COLLATE "C", operator COLLATE "C", verification COLLATE "C"), '')
            || ']'
     FROM top_agents) AS top_agents,
    (SELECT '{{' || coalesce(string_agg('"' || country_code || '":' || scans, ','
                                        ORDER BY scans DESC, country_code COLLATE "C"), '') || '}}'
     FROM per_country WHERE scans > 0 AND country_code IS NOT NULL) AS by_country,
    (SELECT '[' || string_agg('{{"date":"' || to_char(d.day, 'YYYY-MM-DD') || '","scans":'
                              || CASE WHEN p.scans > 0 THEN p.scans ELSE 0 END || '}}', ',' ORDER BY d.day)
            || ']'
     FROM (SELECT %(since)s::date + i AS day
           FROM generate_series(0, %(until)s::date - %(since)s::date) AS i) AS d
     LEFT JOIN per_day AS p ON p.day = d.day) AS by_day
"""


def _hourly(brand: str, layers: Sequence[str] = _LAYER_NAMES) -> str:
    """The hourly statement, with only the `layers` branches of the interior (all by default)."""
    columns = f"gtin, country_code, device_class, is_bot, {_AGENT}"
    return _HOURLY.format(
        answer=_ANSWER.format(periods="per_hour", period_rows=_HOUR_ROWS, catalog=_CATALOG),
        edges=_EDGES.format(columns=columns, brand=brand),
        top_only_where="WHERE gtin IN (SELECT gtin FROM top_gtins)",
        gtin_layers=_layers("gtin", "gtin", brand, read=layers),
        country_layers=_layers("country", "country_code", brand, read=layers),
        agent_layers=_layers("agent", _AGENT, brand, "scans", read=layers),
        gtin_agent_layers=_layers(
            "gtin_agent", "gtin", f"{brand} {_TOP_GTINS}", "agent_scans AS scans", read=layers
        ),
        top_slice=_SLICE.format(brand=brand),
        top_only=_TOP_GTINS,
        hour_totals="scan_hourly_brand_totals" if brand else "scan_hourly_totals",
        agent=_AGENT,
        brand=brand,
    )


def _layers(
    grain: str, key: str, brand: str, values: str = "scans, bot_scans", read: Sequence[str] = _LAYER_NAMES
) -> str:
    """The window's days, weeks and months of the rollups scan_{daily,weekly,monthly}_{grain}_totals.

    `read`: the branches to keep (`_LAYER_NAMES`), all by default.
    """
    less = ", ".join(f"-{v}" for v in values.split(", "))
    text = _UNION.join(_LAYER_BRANCHES[name] for name in _LAYER_NAMES if name in read)
    return text.format(key=key, values=values, less=less, grain=grain, brand=brand)


def _scans(
    brand: str,
    layers: Sequence[str] = _LAYER_NAMES,
    slices: Sequence[str] = _SLICE_NAMES,
    trailing: bool = False,
) -> str:
    """The daily statement, with only the `layers` and `slices` branches (all by default).

    `trailing`: the ranking from the trailing layer when it holds the window (`_TOP_GTINS_OF_TRAILING`).
    """
    return _SCANS.format(
        top_gtins=_TOP_GTINS_OF_TRAILING if trailing else _TOP_GTINS_OF_COVER,
        answer=_JSON_ANSWER.format(catalog=_CATALOG),
        gtin_layers=_layers("gtin", "gtin", brand, read=layers),
        country_layers=_layers("country", "country_code", brand, read=layers),
        agent_layers=_layers("agent", _AGENT, brand, "scans", read=layers),
        gtin_agent_layers=_layers(
            "gtin_agent", "gtin", f"{brand} {_TOP_GTINS}", "agent_scans AS scans", read=layers
        ),
        top_slice=_UNION.join(_SLICE_BRANCHES[name] for name in _SLICE_NAMES if name in slices).format(
            brand=brand
        ),
        day_totals="scan_daily_brand_totals" if brand else "scan_daily_totals",
        brand=brand,
    )


SCANS_FOR_ORGANIZATION = sql.SQL(_scans(""))
SCANS_FOR_BRAND = sql.SQL(_scans("AND brand_id = %(brand)s"))


@lru_cache(maxsize=256)  # kept, so each keeps its identity (api.statements converts it once)
def _scans_shaped(
    brand: bool, layers: tuple[str, ...], slices: tuple[str, ...], trailing: bool = False
) -> sql.SQL:
    """The daily statement with only the branches a window's cover reads (the others are empty).

    PostgreSQL plans a branch whose periods are an empty array or whose range is empty as it
    plans any other (an index scan), on every execution (`force_custom_plan`): for 7 to 30
    days about a millisecond of the statement's 3 ms of planning. `trailing`: the ranking
    may come from the trailing layer (a whole organization's last N days of `TRAILING_DAYS`).
    """
    if layers == _LAYER_NAMES and slices == _SLICE_NAMES and not trailing:
        return SCANS_FOR_BRAND if brand else SCANS_FOR_ORGANIZATION
    return sql.SQL(_scans("AND brand_id = %(brand)s" if brand else "", layers, slices, trailing))


def _shape(params: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The layer and slice branches a window's parameters leave non-empty (at least one of each)."""
    layers = tuple(name for name in _LAYER_NAMES if params[name]) or _LAYER_NAMES[:1]
    slices = (
        tuple(name for name in _SLICE_NAMES if params[f"{name}_from"] < params[f"{name}_to"])
        or _SLICE_NAMES[:1]
    )
    return layers, slices


HOURLY_FOR_ORGANIZATION = sql.SQL(_hourly(""))
HOURLY_FOR_BRAND = sql.SQL(_hourly("AND brand_id = %(brand)s"))


@lru_cache(maxsize=64)  # kept, as `_scans_shaped`
def _hourly_shaped(brand: bool, layers: tuple[str, ...]) -> sql.SQL:
    """The hourly statement with only the interior's layer branches that have periods.

    Each empty branch is planned and run as an index scan; the seven of each of the four
    grains cost the 30-day hourly statement 1.3 ms of planning and 2.6 of execution.
    """
    if layers == _LAYER_NAMES:
        return HOURLY_FOR_BRAND if brand else HOURLY_FOR_ORGANIZATION
    return sql.SQL(_hourly("AND brand_id = %(brand)s" if brand else "", layers))


@dataclass(frozen=True)
class Periods:
    """A window as the first days of its whole years, months and weeks, and its single days."""

    days: list[date]
    weeks: list[date]
    months: list[date]
    years: list[date] = field(default_factory=list)


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


def _months_weeks_days(start: date, end: date, out: Periods) -> None:
    """Cover [start, end) with whole months, whole weeks of the rest and single days."""
    if start >= end:
        return
    parts = split(Window(start, end - _DAY))
    _days_and_weeks(*parts.head, out)
    month = parts.months[0]
    while month < parts.months[1]:
        out.months.append(month)
        month = first_of_next_month(month)
    _days_and_weeks(*parts.tail, out)


def _new_year(day: date) -> date:
    """The first of January of `day`'s year."""
    return day.replace(month=1, day=1)


def periods(window: Window) -> Periods:
    """Return the years, months, weeks and days that cover `window` exactly once each, fewest first."""
    start, end = window.since, window.until + _DAY
    first_year = start if start == _new_year(start) else date(start.year + 1, 1, 1)
    after_years = _new_year(end)
    out = Periods(days=[], weeks=[], months=[])
    if first_year >= after_years:
        _months_weeks_days(start, end, out)
        return out
    _months_weeks_days(start, first_year, out)
    out.years.extend(date(year, 1, 1) for year in range(first_year.year, after_years.year))
    _months_weeks_days(after_years, end, out)
    return out


# Rows a period of each layer holds, against a day's (an organization's GTINs a day, a week,
# a month and a year of the benchmark's largest): what a cover costs to read and sum.
_COST_DAY, _COST_WEEK, _COST_MONTH, _COST_YEAR = 1.0, 1.3, 1.5, 1.6
_COST_FULL_MONTH = 1.2  # the full key's month against its day, for the top GTINs
# A period that starts after tomorrow (UTC) holds nothing yet, or next to nothing (the worker
# refuses event times ahead of its clock): taking it away costs an index descent. So "the last
# 365 days" in December is this year less the rest of December, and last December.
_COST_EMPTY = 0.05


_NONE, _WEEK_END, _MONTH_END, _YEAR_END = "as is", "week", "month", "year"


def _widened(window: Window, head: str, tail: str) -> tuple[Window, tuple[date, date], tuple[date, date]]:
    """Return `window` widened at either end to a whole week, month or year, and the ranges added."""
    since, end = window.since, window.until + _DAY
    start = {
        _NONE: since,
        _WEEK_END: since - timedelta(days=since.weekday()),
        _MONTH_END: since.replace(day=1),
        _YEAR_END: _new_year(since),
    }
    stop = {
        _NONE: end,
        _WEEK_END: end + timedelta(days=-end.weekday() % 7),
        _MONTH_END: first_of_next_month(window.until),
        _YEAR_END: date(window.until.year + 1, 1, 1),
    }
    return Window(start[head], stop[tail] - _DAY), (start[head], since), (end, stop[tail])


_WIDTHS = (_NONE, _WEEK_END, _MONTH_END, _YEAR_END)
_ENDS = [(head, tail) for head in _WIDTHS for tail in _WIDTHS]
_MONTH_ENDS = [(head, tail) for head in (_NONE, _MONTH_END) for tail in (_NONE, _MONTH_END)]


@dataclass(frozen=True)
class Cover:
    """A window as the periods to add (`plus`) and those to take away (`less`), each at most once."""

    plus: Periods
    less: Periods
    today: date | None = None  # periods starting after the day after it hold nothing yet

    @property
    def cost(self) -> float:
        empty_after = self.today + _DAY if self.today is not None else date.max

        def weigh(starts: list[date], each: float) -> float:
            return sum(_COST_EMPTY if start > empty_after else each for start in starts)

        return sum(
            weigh(p.days, _COST_DAY)
            + weigh(p.weeks, _COST_WEEK)
            + weigh(p.months, _COST_MONTH)
            + weigh(p.years, _COST_YEAR)
            for p in (self.plus, self.less)
        )


def cover(window: Window, today: date | None = None) -> Cover:
    """Return `window`'s cheapest cover: each partial period as it is, or as its whole period less the rest.

    `today` (UTC) only weighs the options: the days after tomorrow cost next to nothing to
    take away. Sums are exact whatever it is.
    """
    options = []
    for head, tail in _ENDS:
        wide, before, after = _widened(window, head, tail)
        less = Periods(days=[], weeks=[], months=[])
        _months_weeks_days(*before, less)
        _months_weeks_days(*after, less)
        options.append(Cover(periods(wide), less, today))
    return min(options, key=lambda c: c.cost)  # the first of equals: no widening


@dataclass(frozen=True)
class SliceCover:
    """A window of the full-key layers: days and whole months to add, day ranges to take away (half-open)."""

    plus: Split
    less: tuple[tuple[date, date], tuple[date, date]]

    @property
    def cost(self) -> float:
        days = sum((b - a).days for a, b in (self.plus.head, self.plus.tail, *self.less))
        months = len(
            range(
                self.plus.months[0].year * 12 + self.plus.months[0].month,
                self.plus.months[1].year * 12 + self.plus.months[1].month,
            )
        )
        return days * _COST_DAY + months * _COST_FULL_MONTH


def slice_cover(window: Window) -> SliceCover:
    """Return the cheapest way to read `window` from scan_daily_summary and scan_monthly_summary."""
    options = []
    for head, tail in _MONTH_ENDS:  # no weeks of the full key
        wide, before, after = _widened(window, head, tail)
        options.append(SliceCover(split(wide), (before, after)))
    return min(options, key=lambda c: c.cost)


@dataclass(frozen=True)
class Membership:
    organization_id: str
    is_default: bool


def _window_params(window: Window | None, today: date | None = None) -> dict[str, Any]:
    """Return the periods and ranges that read `window` from the daily rollups (none if None).

    Weighing the ways to cover a window is a few hundred microseconds of Python, and the same
    windows come back all day ("the last 30 days"): the answer is kept per window and day.
    """
    return dict(_window_params_of(window, today or datetime.now(UTC).date()))


@lru_cache(maxsize=4096)
def _window_params_of(window: Window | None, today: date) -> dict[str, Any]:
    if window is None:
        nothing: list[date] = []
        empty = date(1970, 1, 1)
        ranges = ("head", "months", "tail", "less_head", "less_tail")
        return {
            **{name: nothing for name in _LAYER_NAMES},
            **{f"{part}_{end}": empty for part in ranges for end in ("from", "to")},
        }
    rollups, full_key = cover(window, today), slice_cover(window)
    return {
        "days": rollups.plus.days,
        "weeks": rollups.plus.weeks,
        "months": rollups.plus.months,
        "years": rollups.plus.years,
        "less_days": rollups.less.days,
        "less_weeks": rollups.less.weeks,
        "less_months": rollups.less.months,
        "head_from": full_key.plus.head[0],
        "head_to": full_key.plus.head[1],
        "months_from": full_key.plus.months[0],
        "months_to": full_key.plus.months[1],
        "tail_from": full_key.plus.tail[0],
        "tail_to": full_key.plus.tail[1],
        "less_head_from": full_key.less[0][0],
        "less_head_to": full_key.less[0][1],
        "less_tail_from": full_key.less[1][0],
        "less_tail_to": full_key.less[1][1],
    }


def scans_statement(organization_id: str, query: ScanQuery) -> tuple[sql.SQL, dict[str, Any]]:
    """Return the statement and parameters that answer `query` for `organization_id`."""
    params: dict[str, Any] = {
        "org": organization_id,
        "brand": query.brand_id,
        "since": query.window.since,
        "until": query.window.until,
        "top": query.top,
        "top_agents": query.top_agents,
        **_window_params(query.window, query.today),
    }
    trailing = query.brand_id is None and query.window.length in TRAILING_DAYS
    if trailing:
        params["trailing"] = query.window.length
    return _scans_shaped(query.brand_id is not None, *_shape(params), trailing), params


Hours = tuple[datetime, datetime]  # half-open, empty when both ends are equal


@dataclass(frozen=True)
class HourlySplit:
    """A UTC range of whole hours as whole UTC days, plus the hours around them, less hours of those days."""

    interior: Window | None  # the whole UTC days read from the daily rollups, if any
    edges: tuple[Hours, Hours]  # hours to add, outside the interior
    less: tuple[Hours, Hours]  # hours of the interior's days outside the range, to take away


# A UTC day of the daily rollups holds about as many rows as an hour of the hourly counts.
_DAY_IN_HOURS = 1


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def split_hours(utc_from: datetime, utc_to: datetime) -> HourlySplit:
    """Split [utc_from, utc_to) into whole UTC days and the hours around them, fewest hours first.

    A UTC day the range covers only in part is read as its hours in the range, or as the
    whole day less its other hours when those are fewer.
    """
    first, last = utc_from.astimezone(UTC).date(), (utc_to - timedelta(hours=1)).astimezone(UTC).date()
    read_whole: set[date] = set()  # of the first and last day, those read from the daily rollups
    edges: list[Hours] = []
    less: list[Hours] = []
    for day in sorted({first, last}):
        start, end = max(utc_from, _midnight(day)), min(utc_to, _midnight(day + _DAY))
        inside = (end - start) // timedelta(hours=1)
        if 24 - inside + _DAY_IN_HOURS < inside:  # the whole day less its other hours (none if whole)
            read_whole.add(day)
            less += [(a, b) for a, b in ((_midnight(day), start), (end, _midnight(day + _DAY))) if a < b]
        else:
            edges.append((start, end))
    # the days between the first and the last are whole
    low = first if first in read_whole else first + _DAY
    high = last if last in read_whole else last - _DAY
    none = (utc_to, utc_to)
    edge1, edge2, *_ = [*edges, none, none]
    less1, less2, *_ = [*less, none, none]
    return HourlySplit(Window(low, high) if low <= high else None, (edge1, edge2), (less1, less2))


def hourly_statement(organization_id: str, query: ScanQuery) -> tuple[sql.SQL, dict[str, Any]]:
    """Return the statement over the hourly counts that answers `query` for `organization_id`."""
    utc_from, utc_to = zones.utc_range(query.window, query.zone)
    parts = split_hours(utc_from, utc_to)
    (edge1_from, edge1_to), (edge2_from, edge2_to) = parts.edges
    (less1_from, less1_to), (less2_from, less2_to) = parts.less
    params: dict[str, Any] = {
        "org": organization_id,
        "brand": query.brand_id,
        "utc_from": utc_from,
        "utc_to": utc_to,
        "edge1_from": edge1_from,
        "edge1_to": edge1_to,
        "edge2_from": edge2_from,
        "edge2_to": edge2_to,
        "less1_from": less1_from,
        "less1_to": less1_to,
        "less2_from": less2_from,
        "less2_to": less2_to,
        "top": query.top,
        "top_agents": query.top_agents,
        **_window_params(parts.interior, query.today),
    }
    layers, _slices = _shape(params)
    return _hourly_shaped(query.brand_id is not None, layers), params


def statement_for(organization_id: str, query: ScanQuery) -> tuple[sql.SQL, dict[str, Any]]:
    """Return the statement that answers `query`: the daily rollups' unless it needs the hours."""
    return (hourly_statement if query.hourly else scans_statement)(organization_id, query)


def report_of(organization_id: str, query: ScanQuery, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """The response document from the rows of `statement_for(organization_id, query)`.

    The daily statement answers one row with the document's parts in JSON (`report.document`);
    the hourly one tuples in the order of `Row`'s fields, summed into the caller's days and
    hours in Python (`report.build_report`).
    """
    if query.hourly:
        return build_report(organization_id, query, rows)
    return document(organization_id, query, rows[0])


async def scan_report(conn: AsyncConnection[Any], organization_id: str, query: ScanQuery) -> dict[str, Any]:
    """Run the main query for `query` over `organization_id` (within the session's statement budget).

    Returns the response document (`report_of`).
    """
    return report_of(organization_id, query, await fetch_all(conn, *statement_for(organization_id, query)))


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


async def schema_version(conn: AsyncConnection[Any]) -> int | None:
    """The last migration the database has (None: none it lets the API see, as before 0017)."""
    try:  # on the pool's autocommit connections, a refusal leaves nothing to roll back
        cur = await conn.execute("SELECT max(version) FROM schema_migrations")
        row = await cur.fetchone()
    except (errors.UndefinedTable, errors.InsufficientPrivilege):
        return None
    return None if row is None or row[0] is None else int(row[0])


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
