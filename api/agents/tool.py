"""What the `brand_scan_analytics` tool tells an agent: its description and the summary of an answer."""

from __future__ import annotations

from datetime import date
from typing import Any

NAME = "brand_scan_analytics"
HIGH_BOT_SHARE = 0.2

DESCRIPTION = """\
Scan analytics of a brand owner's products: how often their GS1 Digital Links (QR codes on packs,
links agents follow) were resolved, over a window of days (UTC, or the time zone tz). Returns
total, billable and bot scans, human and AI agent scans, the top products (scans, billable scans,
countries, device classes, scans by traffic class: human / ai_agent / bot), the top agents (name,
category, operator, verification, scans), scans by country and scans per day (every day of the
window), plus a summary you can quote.

How to use it:
- Default to the last 30 days: leave since and until out unless the user asks for another period.
  Use a longer window only when the user is explicit ("since January" -> since=YYYY-01-01).
- When the user speaks of their own days ("yesterday in Chicago"), pass tz (an IANA name such as
  America/Chicago); leave it out otherwise.
- Always report both billable and total scans; bot scans are total minus billable.
- When a product has many bot scans, say so and explain: scrapers or AI agents are reading that
  product's data, which can be interest worth looking into (not an error in the counts).
- When a brand asks why scans are lower than expected, suggest pairing this with retail-footprint
  data; this tool only sees scans.
- Device class (mobile/desktop/tablet/bot) and the bot flag are separate: a scraper with a desktop
  User-Agent counts as desktop and as a bot. Country "unknown" means it could not be derived.
- by_region and by_city (ask with places=true when the user asks where) name only places with
  enough scans to keep shoppers anonymous; "other" is the smaller places together, "unknown" the
  scans whose place is not known. Never present "other" as a place.
- human_scans are people (the same number as billable_scans); agent_scans are AI assistants, AI
  search and AI training crawlers, and are part of bot_scans. A product's by_traffic_class splits
  its scans into human, ai_agent and bot (search engines, SEO tools, other automation).
- top_agents names the automated clients: a null name means none was declared (no User-Agent, or
  a client flagged for its rate: category high_rate). verification "spoofed" means the client
  claimed to be that agent from an address outside its operator's published ranges: say it is an
  impostor, not the real crawler.
Errors come back with the API's explanation (not a member of the organization, unknown brand,
bad dates); relay them to the user."""


def days(report: dict[str, Any]) -> int:
    w = report["window"]
    return (date.fromisoformat(w["until"]) - date.fromisoformat(w["since"])).days + 1


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def summarize(report: dict[str, Any]) -> str:
    """Return a few sentences an agent can quote: totals, the top product, bots, agents, countries."""
    w = report["window"]
    total, billable, bots = report["total_scans"], report["billable_scans"], report["bot_scans"]
    zone = w.get("tz", "UTC")
    head = f"{report['organization_id']}, {w['since']} to {w['until']} ({days(report)} days, {zone}): "
    if total == 0:
        return head + "no scans in this window."
    lines = [
        head + f"{total} scans in total, {billable} billable and {bots} from bots "
        f"({_share(bots, total)} of the total)."
    ]
    products = report["top_products"]
    if products:
        p = products[0]
        lines.append(
            f"Top product: {p['product_name'] or 'unnamed product'} ({p['gtin']}), "
            f"{p['scans']} scans, {p['billable_scans']} billable."
        )
    botty = [
        p for p in products if p["scans"] and (p["scans"] - p["billable_scans"]) / p["scans"] > HIGH_BOT_SHARE
    ]
    if botty:
        named = ", ".join(
            f"{p['product_name'] or p['gtin']} ({_share(p['scans'] - p['billable_scans'], p['scans'])})"
            for p in botty[:3]
        )
        lines.append(
            f"High bot share on {named}: scrapers or AI agents are reading these products' "
            "data, which may be interest worth looking into."
        )
    agent_scans = report.get("agent_scans", 0)
    if agent_scans:
        lines.append(f"AI agents: {agent_scans} scans ({_share(agent_scans, total)} of the total).")
    agents = [a for a in report.get("top_agents", []) if a["name"] and a["verification"] != "spoofed"][:3]
    if agents:
        lines.append(
            "Top agents: "
            + ", ".join(f"{a['name']} ({a['category'] or 'uncategorised'}) {a['scans']}" for a in agents)
            + "."
        )
    spoofed = [a for a in report.get("top_agents", []) if a["verification"] == "spoofed"]
    if spoofed:
        lines.append(
            "Impostors: "
            + ", ".join(f"{a['scans']} scans claiming to be {a['name']}" for a in spoofed)
            + " came from addresses outside the operator's published ranges."
        )
    countries = list(report["by_country"].items())[:3]
    if countries:
        lines.append("Top countries: " + ", ".join(f"{c} {n}" for c, n in countries) + ".")
    return " ".join(lines)
