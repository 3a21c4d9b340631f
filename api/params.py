"""Parse and check the query parameters of the scans endpoint; every refusal says how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from api.errors import BadRequest
from api.window import DEFAULT_WINDOW_DAYS, EARLIEST, LATEST, MAX_WINDOW_DAYS, Window

DEFAULT_TOP = 20
MIN_TOP, MAX_TOP = 1, 100
DEFAULT_TOP_AGENTS = 10
MIN_TOP_AGENTS, MAX_TOP_AGENTS = 1, 100
MAX_ID_LENGTH = 200

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"[+]?\d{1,12}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ScanQuery:
    """A checked request for brand scan analytics."""

    organization_id: str | None
    brand_id: str | None
    window: Window
    top: int
    top_agents: int = DEFAULT_TOP_AGENTS


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


def parse_query(
    *,
    organization_id: str | None,
    brand_id: str | None,
    since: str | None,
    until: str | None,
    top: str | None,
    today: date,
    top_agents: str | None = None,
) -> ScanQuery:
    """Check every parameter of a scans request and apply the contract's defaults."""
    return ScanQuery(
        organization_id=parse_id("organization_id", organization_id),
        brand_id=parse_id("brand_id", brand_id),
        window=parse_window(since, until, today),
        top=parse_top(top),
        top_agents=parse_top_agents(top_agents),
    )


def _show(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:40] + "...")
