"""Parse and check the query parameters of the scans endpoint; every refusal says how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from api import zones
from api.errors import BadRequest
from api.window import DEFAULT_WINDOW_DAYS, EARLIEST, LATEST, MAX_WINDOW_DAYS, Window
from scan_analytics.settings import Settings

DEFAULT_TOP = 20
MIN_TOP, MAX_TOP = 1, 100
DEFAULT_TOP_AGENTS = 10
MIN_TOP_AGENTS, MAX_TOP_AGENTS = 1, 100
DEFAULT_TOP_PLACES = 10
MIN_TOP_PLACES, MAX_TOP_PLACES = 1, 100
MAX_ID_LENGTH = 200
GRANULARITIES = ("day", "hour")
DEFAULT_HOURLY_RETENTION_DAYS: int = Settings.model_fields["hourly_retention_days"].default

Granularity = Literal["day", "hour"]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only (\d is any script's digits)
_DIGITS = re.compile(r"[+]?[0-9]{1,12}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ScanQuery:
    """A checked request for brand scan analytics."""

    organization_id: str | None
    brand_id: str | None
    window: Window
    top: int
    top_agents: int = DEFAULT_TOP_AGENTS
    top_places: int = DEFAULT_TOP_PLACES
    places: bool = False  # by_region and by_city asked for
    zone: ZoneInfo = zones.UTC_ZONE  # the window's days (and by_hour's hours) are this zone's
    granularity: Granularity = "day"  # "hour" adds by_hour
    hourly: bool = False  # answered from the hourly counts: by hour, or days that are not UTC days
    today: date | None = None  # the UTC day asked on: nothing is stored after the next (covers weigh it)


def parse_date(name: str, raw: str) -> date:
    """Parse an ISO calendar date written YYYY-MM-DD."""
    if not _ISO_DATE.fullmatch(raw):
        raise BadRequest(f"{name} must be an ISO date written YYYY-MM-DD, got {_show(raw)}")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} is not a calendar date: {_show(raw)}") from None
    if not EARLIEST <= value <= LATEST:
        raise BadRequest(f"{name} must be between {EARLIEST} and {LATEST}, got {raw}")
    return value


def parse_count(name: str, raw: str | None, default: int, least: int, most: int) -> int:
    """Parse a bounded whole number such as `top`."""
    if raw is None:
        return default
    text = raw.strip()
    if not _DIGITS.fullmatch(text) or not least <= int(text) <= most:
        raise BadRequest(f"{name} must be a whole number from {least} to {most}, got {_show(raw)}")
    return int(text)


def parse_top(raw: str | None) -> int:
    """Parse `top`, the number of products to list."""
    return parse_count("top", raw, DEFAULT_TOP, MIN_TOP, MAX_TOP)


def parse_top_agents(raw: str | None) -> int:
    """Parse `top_agents`, the number of agents to list."""
    return parse_count("top_agents", raw, DEFAULT_TOP_AGENTS, MIN_TOP_AGENTS, MAX_TOP_AGENTS)


def parse_top_places(raw: str | None) -> int:
    """Parse `top_places`, the number of regions and cities to name."""
    return parse_count("top_places", raw, DEFAULT_TOP_PLACES, MIN_TOP_PLACES, MAX_TOP_PLACES)


def parse_flag(name: str, raw: str | None) -> bool:
    """Parse a yes/no parameter: true or false (absent: false)."""
    if raw is None or raw == "false":
        return False
    if raw == "true":
        return True
    raise BadRequest(f"{name} must be true or false, got {_show(raw)}")


def parse_id(name: str, raw: str | None) -> str | None:
    """Check an identifier parameter: absent, or non-empty printable text of bounded length."""
    if raw is None:
        return None
    if not raw.strip():
        raise BadRequest(f"{name} must not be empty; leave it out to use the default")
    if len(raw) > MAX_ID_LENGTH:
        raise BadRequest(f"{name} is longer than {MAX_ID_LENGTH} characters")
    if _CONTROL.search(raw):
        raise BadRequest(f"{name} must not contain control characters")
    return raw


def parse_window(since: str | None, until: str | None, today: date) -> Window:
    """Resolve the window: `until` defaults to today, `since` to 30 days before `until`."""
    end = parse_date("until", until) if until is not None else today
    if since is not None:
        start = parse_date("since", since)
    else:
        start = max(end - timedelta(days=DEFAULT_WINDOW_DAYS), EARLIEST)
    if start > end:
        raise BadRequest(
            f"since ({start}) is after until ({end}); since is the first day "
            "of the window and until the last, both inclusive"
        )
    window = Window(start, end)
    if window.length > MAX_WINDOW_DAYS:
        raise BadRequest(
            f"the window from {start} to {end} spans {window.length} days; "
            f"the longest allowed is {MAX_WINDOW_DAYS} days (two years)"
        )
    return window


def parse_zone(raw: str | None) -> ZoneInfo:
    """Parse `tz`, an IANA time zone name; UTC when absent."""
    if raw is None:
        return zones.UTC_ZONE
    zone = zones.zone_named(raw)
    if zone is None:
        hint = zones.spelled_like(raw)
        raise BadRequest(
            "tz must be an IANA time zone name such as UTC, Europe/Paris or America/Chicago, "
            f"got {_show(raw)}" + (f"; did you mean {hint}?" if hint else "")
        )
    return zone


def parse_granularity(raw: str | None) -> Granularity:
    """Parse `granularity`: day (the default) or hour."""
    if raw is None or raw == "day":
        return "day"
    if raw == "hour":
        return "hour"
    raise BadRequest(f"granularity must be day or hour, got {_show(raw)}")


def check_exact(window: Window, zone: ZoneInfo, granularity: Granularity) -> None:
    """Refuse a zone whose days (or hours) in `window` do not begin on a UTC hour: counts are per UTC hour."""
    uneven, unit, parts = zones.uneven_midnight(window, zone), "", "that day and the one before"
    if uneven is not None:
        unit = f"the day {uneven.date()}"
    elif granularity == "hour":
        uneven = zones.uneven_hour(*zones.utc_range(window, zone), zone)
        unit, parts = f"the hour {uneven.isoformat() if uneven else ''}", "two of its hours"
    if uneven is None:
        return
    lower, upper = zones.whole_hour_neighbours(uneven)
    raise BadRequest(
        f"tz={zone.key} cannot be answered exactly: scans are counted per UTC hour, and in {zone.key} "
        f"{unit} begins at {uneven.astimezone(UTC):%Y-%m-%d %H:%M} UTC (offset {zones.offset_text(uneven)}), "
        f"inside a UTC hour whose scans cannot be split between {parts}. Use a zone whose offset "
        f"is a whole number of hours, such as {lower} or {upper}, or UTC"
    )


def check_retention(query: ScanQuery, utc_today: date, retention_days: int) -> None:
    """Refuse an hourly answer for a window that starts before the hourly counts kept."""
    earliest = zones.earliest_day(utc_today, retention_days, query.zone)
    if query.window.since >= earliest:
        return
    name = query.zone.key
    utc_days = zones.is_utc_days(query.window, query.zone)
    if query.granularity == "hour":
        what, instead = "granularity=hour", "granularity=day" + ("" if utc_days else " with tz=UTC")
    else:
        what, instead = f"days in {name}, which do not begin at UTC midnight,", "tz=UTC"
    raise BadRequest(
        f"hourly counts are kept for {retention_days} days, so {what} can be answered for windows "
        f"from {earliest} on; this window starts on {query.window.since}. "
        f"Pass since={earliest} or later, or {instead} for older days"
    )


def parse_query(
    *,
    organization_id: str | None,
    brand_id: str | None,
    since: str | None,
    until: str | None,
    top: str | None,
    today: date,
    top_agents: str | None = None,
    top_places: str | None = None,
    places: str | None = None,
    tz: str | None = None,
    granularity: str | None = None,
    now: datetime | None = None,
    hourly_retention_days: int = DEFAULT_HOURLY_RETENTION_DAYS,
) -> ScanQuery:
    """Check every parameter of a scans request and apply the contract's defaults.

    `today` is the UTC day, `now` the current instant (noon UTC of `today` when not given):
    `until` defaults to the day `now` is in `tz`.
    """
    organization = parse_id("organization_id", organization_id)
    brand = parse_id("brand_id", brand_id)
    zone = parse_zone(tz)
    grain = parse_granularity(granularity)
    instant = now if now is not None else datetime.combine(today, time(12), tzinfo=UTC)
    window = parse_window(since, until, instant.astimezone(zone).date())
    hourly = grain == "hour" or not zones.is_utc_days(window, zone)
    query = ScanQuery(
        organization_id=organization,
        brand_id=brand,
        window=window,
        top=parse_top(top),
        top_agents=parse_top_agents(top_agents),
        top_places=parse_top_places(top_places),
        places=parse_flag("places", places),
        zone=zone,
        granularity=grain,
        hourly=hourly,
        today=today,
    )
    if hourly:
        check_exact(window, zone, grain)
        check_retention(query, today, hourly_retention_days)
    return query


def _show(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:40] + "...")
