"""The summary the agent tool quotes."""

from __future__ import annotations

from typing import Any

from api.agents.tool import summarize


def report(window: dict[str, str]) -> dict[str, Any]:
    return {
        "organization_id": "acme",
        "window": window,
        "total_scans": 0,
        "billable_scans": 0,
        "bot_scans": 0,
        "top_products": [],
        "top_agents": [],
        "by_country": {},
        "by_day": [],
    }


def test_the_summary_names_the_days_zone() -> None:
    chicago = {"since": "2026-03-07", "until": "2026-03-09", "tz": "America/Chicago"}
    assert summarize(report(chicago)).startswith("acme, 2026-03-07 to 2026-03-09 (3 days, America/Chicago): ")


def test_an_answer_without_a_zone_is_utc() -> None:
    assert "(1 days, UTC)" in summarize(report({"since": "2026-03-07", "until": "2026-03-07"}))
