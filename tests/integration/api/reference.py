"""The scans answer computed the plain way from the rows, to compare the API against."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from tests.integration.api.conftest import full_row

ScanRow = tuple[date, str, str, str, str, str, bool, int]  # day, org, brand, gtin, cc, device, bot, n
# day, org, brand, gtin, cc, device, bot, traffic_class, category, agent, operator, verification, n
AgentRow = tuple[date, str, str, str, str, str, bool, str, str, str, str, str, int]


def expected(
    rows: Iterable[ScanRow | AgentRow],
    names: dict[str, tuple[str, str, str]],
    org: str,
    brand: str | None,
    since: date,
    until: date,
    top: int,
    top_agents: int = 10,
) -> dict[str, Any]:
    """`names` maps GTIN to (product name, brand name, organization) from the catalog."""
    full: list[AgentRow] = [full_row(r) for r in rows]  # type: ignore[misc]
    picked = [r for r in full if r[1] == org and (brand is None or r[2] == brand) and since <= r[0] <= until]
    scans: Counter[str] = Counter()
    billable: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    days: Counter[date] = Counter()
    per_country: dict[str, Counter[str]] = {}
    per_device: dict[str, Counter[str]] = {}
    per_class: dict[str, Counter[str]] = {}
    agents: Counter[tuple[str, str, str, str, str]] = Counter()
    for day, _org, _brand, gtin, cc, device, bot, traffic, category, agent, operator, check, n in picked:
        assert bot == (traffic != "human")
        scans[gtin] += n
        billable[gtin] += 0 if bot else n
        countries[cc] += n
        days[day] += n
        per_country.setdefault(gtin, Counter())[cc] += n
        per_device.setdefault(gtin, Counter())[device] += n
        per_class.setdefault(gtin, Counter())[traffic] += n
        if bot:
            agents[(agent, category, operator, check, traffic)] += n
    ranked = sorted((g for g in scans if scans[g] > 0), key=lambda g: (-scans[g], g))[:top]

    def name(gtin: str, i: int) -> str | None:
        entry = names.get(gtin)
        return entry[i] if entry is not None and entry[2] == org else None

    def null(text: str) -> str | None:
        return text or None

    top_agent_keys = sorted(
        (k for k, n in agents.items() if n > 0),
        key=lambda k: (-agents[k], k[0] == "", k[0], k[4], k[1], k[2], k[3]),
    )[:top_agents]
    total = sum(scans.values())
    return {
        "organization_id": org,
        "window": {"since": since.isoformat(), "until": until.isoformat(), "tz": "UTC"},
        "total_scans": total,
        "billable_scans": sum(billable.values()),
        "bot_scans": total - sum(billable.values()),
        "human_scans": sum(billable.values()),
        "agent_scans": sum(r[-1] for r in picked if r[7] == "ai_agent"),
        "top_products": [
            {
                "gtin": g,
                "product_name": name(g, 0),
                "brand": name(g, 1),
                "scans": scans[g],
                "billable_scans": billable[g],
                "by_country": {k: v for k, v in per_country[g].items() if v > 0},
                "by_device": {k: v for k, v in per_device[g].items() if v > 0},
                "by_traffic_class": {c: per_class[g][c] for c in ("human", "ai_agent", "bot")},
            }
            for g in ranked
        ],
        "top_agents": [
            {
                "name": null(agent),
                "category": null(category),
                "operator": null(operator),
                "verification": null(check),
                "traffic_class": traffic,
                "scans": agents[(agent, category, operator, check, traffic)],
            }
            for agent, category, operator, check, traffic in top_agent_keys
        ],
        "by_country": {k: v for k, v in countries.items() if v > 0},
        "by_day": [
            {"date": (since + timedelta(days=i)).isoformat(), "scans": days[since + timedelta(days=i)]}
            for i in range((until - since).days + 1)
        ],
    }
