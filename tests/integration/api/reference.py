"""The scans answer computed the plain way from the rows, to compare the API against."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from tests.integration.api.conftest import full_row, place_for

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
    top_places: int = 10,
    min_place_scans: int = 10,
    with_places: bool = False,
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
    places: Counter[tuple[str, str, str, str]] = Counter()
    per_place: dict[str, Counter[tuple[str, str, str, str]]] = {}
    for day, _org, _brand, gtin, cc, device, bot, traffic, category, agent, operator, check, n in picked:
        place = (cc, *place_for(gtin, cc, device))
        places[place] += n
        per_place.setdefault(gtin, Counter())[place] += n
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
    answer = {
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
                "by_region": by_region(per_place[g], top_places, min_place_scans),
                "by_city": by_city(per_place[g], top_places, min_place_scans),
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
        "by_region": by_region(places, top_places, min_place_scans),
        "by_city": by_city(places, top_places, min_place_scans),
        "by_day": [
            {"date": (since + timedelta(days=i)).isoformat(), "scans": days[since + timedelta(days=i)]}
            for i in range((until - since).days + 1)
        ],
    }
    return answer if with_places else without_places(answer)


def without_places(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer without by_region and by_city (asked for with places=true only)."""
    out = {k: v for k, v in answer.items() if k not in ("by_region", "by_city")}
    out["top_products"] = [
        {k: v for k, v in p.items() if k not in ("by_region", "by_city")} for p in answer["top_products"]
    ]
    return out


def by_region(places: Counter[tuple[str, str, str, str]], top: int, k: int) -> dict[str, Any]:
    """Regions with at least k scans, at most top, by scans then name; the rest other or unknown."""
    regions: Counter[tuple[str, str, str]] = Counter()
    for (cc, code, name, _city), n in places.items():
        if code or name:
            regions[(cc, code, name)] += n
    named = sorted((r for r in regions if regions[r] >= k), key=lambda r: (-regions[r], r[2], r[1], r[0]))[
        :top
    ]
    unknown = sum(n for (_cc, code, name, _city), n in places.items() if not code and not name)
    return {
        "regions": [
            {
                "code": code or None,
                "name": name or None,
                "country_code": cc,
                "scans": regions[(cc, code, name)],
            }
            for cc, code, name in named
        ],
        "other": sum(regions.values()) - sum(regions[r] for r in named),
        "unknown": unknown,
    }


def by_city(places: Counter[tuple[str, str, str, str]], top: int, k: int) -> dict[str, Any]:
    """Cities with at least k scans, at most top, by scans then name; the rest other or unknown."""
    cities = Counter({p: n for p, n in places.items() if p[3]})
    named = sorted((c for c in cities if cities[c] >= k), key=lambda c: (-cities[c], c[3], c[1], c[2], c[0]))[
        :top
    ]
    return {
        "cities": [
            {
                "name": city,
                "region_code": code or None,
                "region_name": name or None,
                "country_code": cc,
                "scans": cities[(cc, code, name, city)],
            }
            for cc, code, name, city in named
        ],
        "other": sum(cities.values()) - sum(cities[c] for c in named),
        "unknown": sum(n for p, n in places.items() if not p[3]),
    }
