"""Assemble the scans response from the rows of the main query (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from api.params import ScanQuery


@dataclass(frozen=True)
class Row:
    """One row of the main query: `kind` says which part of the answer it belongs to."""

    kind: str  # total | product | product_country | product_device | country | day
    key: str | None
    sub: str | None
    scans: int
    billable: int | None = None
    product_name: str | None = None
    brand: str | None = None


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
    for row in rows:
        if row.kind == "total":
            total, billable = row.scans, row.billable or 0
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
        }
        for p in products[: query.top]
    ]
    window = query.window
    return {
        "organization_id": organization_id,
        "window": {"since": window.since.isoformat(), "until": window.until.isoformat()},
        "total_scans": total,
        "billable_scans": billable,
        "bot_scans": total - billable,
        "top_products": top_products,
        "by_country": _ranked(by_country),
        "by_day": [{"date": d.isoformat(), "scans": per_day.get(d.isoformat(), 0)} for d in window.days()],
    }
