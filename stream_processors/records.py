"""Record shapes passed between the stages, and the aggregation key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from schemas.events import PASSED_FIELDS
from stream_processors.agents.catalog import BY_NAME
from stream_processors.enrich import Classification, Place

DAY_MS: Final = 86_400_000
HOUR_MS: Final = 3_600_000
UNKNOWN_COUNTRY: Final = "unknown"
OTHER_AGENT: Final = "other"  # any declared agent the catalog does not list: names stay bounded
RATE_CATEGORY: Final = "high_rate"  # a client the rate rule flagged (bot_reason "rate")

# (organization_id, brand_id, gtin, country_code, device_class, is_bot,
#  traffic_class, category, agent, operator, verification): the key of scan_daily_summary
# without its day. The last four are "" for people; agent is a catalog name or "other".
AggKey = tuple[str, str, str, str, str, bool, str, str, str, str, str]
HUMAN: Final = ("human", "", "", "", "")  # the agent part of a person's key


def enriched(
    event: dict[str, Any], cls: Classification, place: Place | str | None, rate_bot: bool
) -> dict[str, Any]:
    """Build an EnrichedScanEvent (occurred_at in epoch ms) from a valid scan event.

    `place` is the client IP's Place, or its country code alone.
    """
    out = {f: event.get(f) for f in PASSED_FIELDS}
    where = place if isinstance(place, Place) else Place(place)
    out["country_code"] = where.country
    out["region_code"] = where.region_code
    out["region_name"] = where.region_name
    out["city"] = where.city
    out["device_class"] = cls.device_class
    out["agent_name"] = cls.agent_name
    out["agent_operator"] = cls.operator
    out["verification"] = cls.verification
    out["category"] = cls.category
    out.update(is_bot=cls.is_bot, traffic_class=cls.traffic_class, bot_reason=cls.bot_reason)
    return as_rate_bot(out) if rate_bot and not cls.is_bot else out


def as_rate_bot(record: dict[str, Any]) -> dict[str, Any]:
    """Return the record reclassified as a rate bot (device class unchanged)."""
    return {**record, "is_bot": True, "traffic_class": "bot", "bot_reason": "rate", "category": RATE_CATEGORY}


def agg_key(record: dict[str, Any]) -> AggKey:
    """The dimensions of scan_daily_summary an enriched record counts under."""
    head = (
        record["organization_id"],
        record["brand_id"],
        record["gtin"],
        record["country_code"] or UNKNOWN_COUNTRY,
        record["device_class"],
        bool(record["is_bot"]),
    )
    traffic = record.get("traffic_class") or ("bot" if head[5] else "human")
    if traffic == "human":
        return (*head, *HUMAN)
    name = record.get("agent_name")
    if name is None:
        agent = operator = verification = ""
    else:
        known = name in BY_NAME
        agent = name if known else OTHER_AGENT
        operator = (record.get("agent_operator") or "") if known else ""
        verification = record.get("verification") or "unverified"
    return (*head, traffic, record.get("category") or "unknown_bot", agent, operator, verification)


def human_key(key: AggKey) -> AggKey:
    """The key a person's scan counted under before the rate rule made it a bot."""
    return (*key[:5], False, *HUMAN)


def day_start_ms(occurred_at_ms: int) -> int:
    """Start of the UTC day of an instant, in epoch ms."""
    return occurred_at_ms - occurred_at_ms % DAY_MS


def day_of(start_ms: int) -> date:
    return datetime.fromtimestamp(start_ms / 1000, UTC).date()


def hour_of(start_ms: int) -> datetime:
    return datetime.fromtimestamp(start_ms / 1000, UTC)


def too_late_cutoff_ms(now_ms: int, late_horizon_days: int) -> int:
    """Events before this instant are too late: start of today (UTC) minus the horizon."""
    return day_start_ms(now_ms) - late_horizon_days * DAY_MS
