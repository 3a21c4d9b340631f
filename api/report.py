"""Assemble the scans response from the rows of the main query (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from api.params import ScanQuery


@dataclass(frozen=True)
class Row:
    """One row of the main query: `kind` says which part of the answer it belongs to."""

    kind: str  # total | product | product_country | product_device | country | day
    #            | agent_total | product_agent | agent
    key: str | None
    sub: str | None
    scans: int
    billable: int | None = None
    product_name: str | None = None
    brand: str | None = None
    agent: Sequence[str] | None = None  # traffic_class, category, agent, operator, verification


TRAFFIC_CLASSES = ("human", "ai_agent", "bot")


def _text(value: str) -> str | None:
    """The summary's '' (a key column's "none") as null."""
    return value or None


def agent_entry(row: Row) -> dict[str, Any]:
    """Return one entry of top_agents from an `agent` row."""
    traffic_class, category, agent, operator, verification = row.agent or ("", "", "", "", "")
    return {
        "name": _text(agent),
        "category": _text(category),
        "operator": _text(operator),
        "verification": _text(verification),
        "traffic_class": traffic_class,
        "scans": row.scans,
    }


def agent_order(entry: dict[str, Any]) -> tuple[Any, ...]:
    """By scans, descending, then name (no name last), then the other fields; as the SQL orders."""
    rest = ("traffic_class", "category", "operator", "verification")
    return (-entry["scans"], entry["name"] is None, entry["name"] or "", *(entry[k] or "" for k in rest))


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    """Return counts ordered by count, descending, then key."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def build_report(organization_id: str, query: ScanQuery, rows: Iterable[Row]) -> dict[str, Any]:
    """Return the response document for `query` over `organization_id`."""
    total = billable = 0
    products: list[Row] = []
    product_country: dict[str, dict[str, int]] = defaultdict(dict)
    product_device: dict[str, dict[str, int]] = defaultdict(dict)
    by_country: dict[str, int] = {}
    per_day: dict[str, int] = {}
    agent_scans = 0
    product_agent: dict[str, int] = {}
    agents: list[dict[str, Any]] = []
    for row in rows:
        if row.kind == "total":
            total, billable = row.scans, row.billable or 0
        elif row.kind == "agent_total":
            agent_scans = row.scans
        elif row.kind == "product_agent" and row.key is not None:
            product_agent[row.key] = row.scans
        elif row.kind == "agent":
            agents.append(agent_entry(row))
        elif row.kind == "product":
            products.append(row)
        elif row.kind == "product_country" and row.key is not None and row.sub is not None:
            product_country[row.key][row.sub] = row.scans
        elif row.kind == "product_device" and row.key is not None and row.sub is not None:
            product_device[row.key][row.sub] = row.scans
        elif row.kind == "country" and row.key is not None:
            by_country[row.key] = row.scans
        elif row.kind == "day" and row.key is not None:
            per_day[row.key] = row.scans
    products.sort(key=lambda r: (-r.scans, r.key or ""))
    top_products = [
        {
            "gtin": p.key,
            "product_name": p.product_name,
            "brand": p.brand,
            "scans": p.scans,
            "billable_scans": p.billable or 0,
            "by_country": _ranked(product_country.get(p.key or "", {})),
            "by_device": _ranked(product_device.get(p.key or "", {})),
            "by_traffic_class": _traffic_classes(p, product_agent.get(p.key or "", 0)),
        }
        for p in products[: query.top]
    ]
    agents.sort(key=agent_order)
    window = query.window
    return {
        "organization_id": organization_id,
        "window": {"since": window.since.isoformat(), "until": window.until.isoformat()},
        "total_scans": total,
        "billable_scans": billable,
        "bot_scans": total - billable,
        "human_scans": billable,
        "agent_scans": agent_scans,
        "top_products": top_products,
        "top_agents": agents[: query.top_agents],
        "by_country": _ranked(by_country),
        "by_day": [{"date": d.isoformat(), "scans": per_day.get(d.isoformat(), 0)} for d in window.days()],
    }


def _traffic_classes(product: Row, ai_agent: int) -> dict[str, int]:
    """A product's scans by traffic class: people are its billable scans, bots the automated rest."""
    human = product.billable or 0
    return dict(zip(TRAFFIC_CLASSES, (human, ai_agent, product.scans - human - ai_agent), strict=True))
