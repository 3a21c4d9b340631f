"""The scans answer computed the plain way from the rows, to compare the API against."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

ScanRow = tuple[date, str, str, str, str, str, bool, int]  # day, org, brand, gtin, cc, device, bot, n


def expected(
    rows: Iterable[ScanRow],
    names: dict[str, tuple[str, str, str]],
    org: str,
    brand: str | None,
    since: date,
    until: date,
    top: int,
) -> dict[str, Any]:
    """`names` maps GTIN to (product name, brand name, organization) from the catalog."""
    picked = [r for r in rows if r[1] == org and (brand is None or r[2] == brand) and since <= r[0] <= until]
    scans: Counter[str] = Counter()
    billable: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    days: Counter[date] = Counter()
    per_country: dict[str, Counter[str]] = {}
    per_device: dict[str, Counter[str]] = {}
    for day, _org, _brand, gtin, cc, device, bot, n in picked:
        scans[gtin] += n
        billable[gtin] += 0 if bot else n
        countries[cc] += n
        days[day] += n
        per_country.setdefault(gtin, Counter())[cc] += n
        per_device.setdefault(gtin, Counter())[device] += n
    ranked = sorted((g for g in scans if scans[g] > 0), key=lambda g: (-scans[g], g))[:top]

    def name(gtin: str, i: int) -> str | None:
        entry = names.get(gtin)
        return entry[i] if entry is not None and entry[2] == org else None

    total = sum(scans.values())
    return {
        "organization_id": org,
        "window": {"since": since.isoformat(), "until": until.isoformat()},
        "total_scans": total,
        "billable_scans": sum(billable.values()),
        "bot_scans": total - sum(billable.values()),
        "top_products": [
            {
                "gtin": g,
                "product_name": name(g, 0),
                "brand": name(g, 1),
                "scans": scans[g],
                "billable_scans": billable[g],
                "by_country": {k: v for k, v in per_country[g].items() if v > 0},
                "by_device": {k: v for k, v in per_device[g].items() if v > 0},
            }
            for g in ranked
        ],
        "by_country": {k: v for k, v in countries.items() if v > 0},
        "by_day": [
            {"date": (since + timedelta(days=i)).isoformat(), "scans": days[since + timedelta(days=i)]}
            for i in range((until - since).days + 1)
        ],
    }
