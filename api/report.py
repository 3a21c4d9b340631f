"""Assemble the scans response from the main statement's answer (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

import msgspec

from api import zones
from api.params import ScanQuery
from api.window import Window


class Row(NamedTuple):
    """One row of the hourly statement: `kind` says which part of the answer it belongs to.

    The statement's rows are plain tuples in this order; `build_report` reads either. (The
    daily statement writes the same parts as JSON text in one row: `document`.)
    """

    kind: str  # total | product | product_country | product_device | country | day | hour
    #            | agent_total | product_agent | agent
    key: str | None  # of a day: YYYY-MM-DD; of an hour: its UTC start in epoch seconds
    sub: str | None
    scans: int
    billable: int | None = None
    product_name: str | None = None
    brand: str | None = None
    agent: Sequence[str] | None = None  # traffic_class, category, agent, operator, verification


TRAFFIC_CLASSES = ("human", "ai_agent", "bot")


def agent_entry(row: Sequence[Any]) -> dict[str, Any]:
    """Return one entry of top_agents from an `agent` row."""
    traffic_class, category, agent, operator, verification = row[7] or ("", "", "", "", "")
    return {
        "name": agent or None,  # the summary's '' (a key column's "none") as null
        "category": category or None,
        "operator": operator or None,
        "verification": verification or None,
        "traffic_class": traffic_class,
        "scans": row[3],
    }


def agent_order(entry: dict[str, Any]) -> tuple[Any, ...]:
    """By scans, descending, then name (no name last), then the other fields; as the SQL orders."""
    rest = ("traffic_class", "category", "operator", "verification")
    return (-entry["scans"], entry["name"] is None, entry["name"] or "", *(entry[k] or "" for k in rest))


_COUNT = itemgetter(1)


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    """Return counts ordered by count, descending, then key."""
    if len(counts) < 2:
        return counts
    ranked = sorted(counts.items())  # by key (unique) ...
    ranked.sort(key=_COUNT, reverse=True)  # ... then by count, descending: a stable sort keeps ties by key
    return dict(ranked)


def build_report(organization_id: str, query: ScanQuery, rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """Return the response document for `query` over `organization_id`.

    `rows` are the main query's rows: `Row`s or plain tuples in the order of Row's fields.
    """
    total = billable = 0
    products: list[Sequence[Any]] = []
    product_country: dict[str, dict[str, int]] = defaultdict(dict)
    product_device: dict[str, dict[str, int]] = defaultdict(dict)
    by_country: dict[str, int] = {}
    per_day: dict[str, int] = {}
    per_hour: dict[int, int] = {}
    agent_scans = 0
    product_agent: dict[str, int] = {}
    agents: list[dict[str, Any]] = []
    # by kind, the most frequent first
    for row in rows:
        kind, key, sub, scans = row[0], row[1], row[2], row[3]
        if kind == "product_country":
            if key is not None and sub is not None:
                product_country[key][sub] = scans
        elif kind == "product_device":
            if key is not None and sub is not None:
                product_device[key][sub] = scans
        elif kind == "day":
            if key is not None:
                per_day[key] = scans
        elif kind == "hour":
            if key is not None:
                per_hour[int(key)] = scans
        elif kind == "country":
            if key is not None:
                by_country[key] = scans
        elif kind == "product":
            products.append(row)
        elif kind == "agent":
            agents.append(agent_entry(row))
        elif kind == "product_agent":
            if key is not None:
                product_agent[key] = scans
        elif kind == "total":
            total, billable = scans, row[4] or 0
        elif kind == "agent_total":
            agent_scans = scans
    products.sort(key=_product_order)
    top_products = [
        {
            "gtin": p[1],
            "product_name": p[5],
            "brand": p[6],
            "scans": p[3],
            "billable_scans": p[4] or 0,
            "by_country": _ranked(product_country.get(p[1] or "", {})),
            "by_device": _ranked(product_device.get(p[1] or "", {})),
            "by_traffic_class": _traffic_classes(p, product_agent.get(p[1] or "", 0)),
        }
        for p in products[: query.top]
    ]
    agents.sort(key=agent_order)
    window, zone = query.window, query.zone
    if query.hourly:  # the hours' rows, summed into the caller's days
        by_day = zones.local_days(window, zone, per_hour)
    else:
        by_day = [{"date": day, "scans": per_day.get(day, 0)} for day in _iso_days(window)]
    report = {
        "organization_id": organization_id,
        "window": {"since": window.since.isoformat(), "until": window.until.isoformat(), "tz": zone.key},
        "total_scans": total,
        "billable_scans": billable,
        "bot_scans": total - billable,
        "human_scans": billable,
        "agent_scans": agent_scans,
        "top_products": top_products,
        "top_agents": agents[: query.top_agents],
        "by_country": _ranked(by_country),
        "by_day": by_day,
    }
    if query.granularity == "hour":
        report["by_hour"] = zones.local_hours(window, zone, per_hour)
    return report


# The daily statement's one row (queries._JSON_ANSWER): three totals, then four parts as JSON text.
DOCUMENT_PARTS = ("top_products", "top_agents", "by_country", "by_day")


def document(organization_id: str, query: ScanQuery, row: Sequence[Any]) -> dict[str, Any]:
    """Return the response document for `query` from the daily statement's one row.

    The same document as `build_report` of the same window's rows, in the same key order; the
    parts the statement wrote as JSON are kept as that text (`msgspec.Raw`), which the
    document's encoder writes as it is: the bytes it would write for the parts decoded.
    `expand` turns them back into lists and dicts where they are to be changed (places).
    """
    total, billable, agent_scans, top_products, top_agents, by_country, by_day = row
    window = query.window
    return {
        "organization_id": organization_id,
        "window": {
            "since": window.since.isoformat(),
            "until": window.until.isoformat(),
            "tz": query.zone.key,
        },
        "total_scans": total,
        "billable_scans": billable,
        "bot_scans": total - billable,
        "human_scans": billable,
        "agent_scans": agent_scans,
        "top_products": msgspec.Raw(top_products),
        "top_agents": msgspec.Raw(top_agents),
        "by_country": msgspec.Raw(by_country),
        "by_day": msgspec.Raw(by_day),
    }


def expand(report: dict[str, Any]) -> dict[str, Any]:
    """Decode the parts of `report` kept as JSON text (`document`) in place; return it."""
    for part in DOCUMENT_PARTS:
        if isinstance(report.get(part), msgspec.Raw):
            report[part] = msgspec.json.decode(report[part])
    return report


def _iso_days(window: Window) -> list[str]:
    """Every day of `window`, in order, as YYYY-MM-DD."""
    first = window.since.toordinal()
    return [date.fromordinal(n).isoformat() for n in range(first, first + window.length)]


def _product_order(row: Sequence[Any]) -> tuple[int, str]:
    return -row[3], row[1] or ""


def _traffic_classes(product: Sequence[Any], ai_agent: int) -> dict[str, int]:
    """A product's scans by traffic class: people are its billable scans, bots the automated rest."""
    human = product[4] or 0
    return dict(zip(TRAFFIC_CLASSES, (human, ai_agent, product[3] - human - ai_agent), strict=True))
