"""Response shapes, for the OpenAPI document (the route returns plain JSON built by `report`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Window(BaseModel):
    since: str = Field(description="first day, inclusive, in tz", examples=["2026-03-18"])
    until: str = Field(description="last day, inclusive, in tz", examples=["2026-04-17"])
    tz: str = Field(
        description="the IANA time zone of the days (and hours) of the answer: the request's tz, "
        "UTC by default",
        examples=["UTC", "America/Chicago"],
    )


class TrafficClasses(BaseModel):
    """A product's scans by who made them; the three always present, summing to its scans."""

    human: int = Field(description="people: equals the product's billable_scans")
    ai_agent: int = Field(description="AI assistants, AI search indexes and AI training crawlers")
    bot: int = Field(
        description="every other automated client: search and SEO crawlers, link previews, "
        "monitors, HTTP libraries, spoofed agents, clients flagged for their rate"
    )


class TopAgent(BaseModel):
    """One automated client (AI agent or bot) by what it declared and whether it proved it."""

    name: str | None = Field(
        description="the agent's name from the project's catalog, 'other' for a declared agent "
        "outside it; null when none was declared (no User-Agent, a bot by its behaviour or its "
        "rate only)",
        examples=["ChatGPT-User"],
    )
    category: str | None = Field(
        description="ai_assistant, ai_search, ai_training_crawler, search_crawler, seo_crawler, "
        "link_preview, monitoring, security_scanner, feed_reader, http_client, headless_browser, "
        "unknown_bot, high_rate (flagged for its rate); null for counts written before categories "
        "were recorded",
        examples=["ai_assistant"],
    )
    operator: str | None = Field(description="who runs the agent; null when unknown", examples=["OpenAI"])
    verification: str | None = Field(
        description="verified (its address is in the operator's published ranges), unverified (no "
        "published ranges to check, or no address), spoofed (outside them: counted as a bot); null "
        "when no agent was declared",
        examples=["verified"],
    )
    traffic_class: str = Field(description="ai_agent or bot", examples=["ai_agent"])
    scans: int


class Region(BaseModel):
    code: str | None = Field(
        description="ISO 3166-2 code; null when the GeoIP database gives a name only (DB-IP)",
        examples=["US-TX"],
    )
    name: str | None = Field(description="English name; null when unknown", examples=["Texas"])
    country_code: str = Field(examples=["US"])
    scans: int


class City(BaseModel):
    name: str = Field(description="English name", examples=["Austin"])
    region_code: str | None = Field(examples=["US-TX"])
    region_name: str | None = Field(examples=["Texas"])
    country_code: str = Field(examples=["US"])
    scans: int


PLACE_RULES = (
    "; regions or cities with fewer than API_PLACE_MIN_SCANS (10) scans in the window are not named "
    "(their scans count under other, so one shopper cannot be singled out), nor are those past "
    "top_places; unknown counts scans whose place the GeoIP database did not know. Named entries, "
    "other and unknown sum to the scans they break down"
)


class RegionBreakdown(BaseModel):
    regions: list[Region] = Field(description="by scans, descending, then name" + PLACE_RULES)
    other: int = Field(description="scans in regions not named")
    unknown: int = Field(description="scans whose region is unknown")


class CityBreakdown(BaseModel):
    cities: list[City] = Field(description="by scans, descending, then name" + PLACE_RULES)
    other: int = Field(description="scans in cities not named, or whose region alone is known")
    unknown: int = Field(description="scans whose city is unknown")


PLACES_ONLY_UTC = (
    "; present only with places=true, and null when the window's days are not UTC days (place "
    "counts are kept per UTC day)"
)


class TopProduct(BaseModel):
    gtin: str = Field(examples=["00012345678905"])
    product_name: str | None = Field(description="from the catalog; null when it has no row")
    brand: str | None = Field(description="the brand's name from the catalog; null when it has no row")
    scans: int
    billable_scans: int
    by_country: dict[str, int] = Field(description="ISO 3166 alpha-2, or 'unknown'; sums to scans")
    by_device: dict[str, int] = Field(description="mobile, tablet, desktop, bot, other; sums to scans")
    by_traffic_class: TrafficClasses = Field(description="human, ai_agent, bot; sums to scans")
    by_region: RegionBreakdown | None = Field(
        default=None, description="the product's scans by region" + PLACES_ONLY_UTC
    )
    by_city: CityBreakdown | None = Field(
        default=None, description="the product's scans by city" + PLACES_ONLY_UTC
    )


class DayCount(BaseModel):
    date: str = Field(description="a day in the window's tz, YYYY-MM-DD")
    scans: int = Field(description="scans of that day; a day of a clock change counts its 23 or 25 hours")


class HourCount(BaseModel):
    hour: str = Field(
        description="the hour's start in the window's tz, ISO 8601 with its UTC offset; the two "
        "hours of the same local time on the day clocks go back differ by their offsets",
        examples=["2026-03-08T01:00:00-06:00"],
    )
    scans: int


class ScansResponse(BaseModel):
    organization_id: str
    window: Window
    total_scans: int = Field(description="billable_scans + bot_scans")
    billable_scans: int
    bot_scans: int = Field(description="every automated scan: AI agents included")
    human_scans: int = Field(description="scans by people; equals billable_scans")
    agent_scans: int = Field(
        description="scans by AI agents (assistants, AI search, AI training crawlers); part of bot_scans"
    )
    top_products: list[TopProduct] = Field(description="by scans, descending, then GTIN; at most top")
    top_agents: list[TopAgent] = Field(
        description="automated clients by scans, descending, then name (null last); at most top_agents"
    )
    by_country: dict[str, int] = Field(description="sums to total_scans")
    by_region: RegionBreakdown | None = Field(
        default=None, description="scans by region, summing to total_scans" + PLACES_ONLY_UTC
    )
    by_city: CityBreakdown | None = Field(
        default=None, description="scans by city, summing to total_scans" + PLACES_ONLY_UTC
    )
    by_day: list[DayCount] = Field(description="one entry per day of the window in its tz, zero-filled")
    by_hour: list[HourCount] | None = Field(
        default=None,
        description="present only with granularity=hour: one entry per hour of the window in its tz, "
        "oldest first, zero-filled, summing to total_scans (a day of 23 or 25 hours where clocks "
        "change). From the hourly counts, kept for HOURLY_RETENTION_DAYS (92 by default)",
    )


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text, "content": {"application/problem+json": {}}}
    for status, text in (
        (
            400,
            "invalid parameters (an unknown tz, a zone whose days or hours begin inside a UTC hour, "
            "a window older than the hourly counts kept), or no default organization: the detail "
            "says what to change",
        ),
        (401, "no bearer token, or an invalid one (see WWW-Authenticate)"),
        (403, "the token lacks brands:read, or the caller may not read this organization or brand"),
        (404, "the brand does not exist"),
        (
            429,
            "the caller or its organization is over a request limit: see Retry-After, RateLimit "
            "and RateLimit-Policy",
        ),
        (503, "the database or the identity provider cannot answer now: retry after Retry-After"),
    )
}
