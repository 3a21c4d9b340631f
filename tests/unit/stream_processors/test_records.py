"""The key a scan counts under: who scanned (traffic class, category, agent, operator, verification)."""

from __future__ import annotations

from typing import Any

import pytest

from stream_processors.agents.verify import Snapshot, verify, with_verification
from stream_processors.enrich import classify_user_agent
from stream_processors.records import agg_key, as_rate_bot, enriched, human_key

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
CHATGPT_USER = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot"


def event(user_agent: str | None) -> dict[str, Any]:
    return {
        "event_id": "e1",
        "occurred_at": 1_780_000_000_000,
        "gtin": "04000000000011",
        "organization_id": "o",
        "brand_id": "b",
        "digital_link": "https://id.example.com/01/04000000000011",
        "user_agent": user_agent,
    }


def key_of(
    user_agent: str | None, ip: str = "203.0.113.9", snapshot: Snapshot | None = None
) -> tuple[Any, ...]:
    cls = classify_user_agent(user_agent)
    if cls.agent_name is not None:
        cls = with_verification(cls, verify(cls.agent_name, ip, snapshot))
    return agg_key(enriched(event(user_agent), cls, "US", rate_bot=False))[5:]


@pytest.fixture()
def snapshot(tmp_path: Any) -> Snapshot:
    (tmp_path / "googlebot.json").write_text(
        '{"creationTime": "2026-01-02T03:04:05.000000", "prefixes": [{"ipv4Prefix": "192.0.2.0/24"}]}'
    )
    return Snapshot.load(tmp_path)


def test_a_person_has_empty_agent_columns() -> None:
    assert key_of(IPHONE) == (False, "human", "", "", "", "")


def test_a_declared_agent_counts_under_its_catalog_name_category_and_operator(snapshot: Snapshot) -> None:
    # checked against a snapshot without OpenAI's lists, so the claim is neither verified nor spoofed
    assert key_of(CHATGPT_USER, snapshot=snapshot) == (
        True,
        "ai_agent",
        "ai_assistant",
        "ChatGPT-User",
        "OpenAI",
        "unverified",
    )


def test_verified_and_spoofed_claims_count_apart(snapshot: Snapshot) -> None:
    verified = key_of(GOOGLEBOT, "192.0.2.7", snapshot)
    spoofed = key_of(GOOGLEBOT, "203.0.113.9", snapshot)
    assert verified == (True, "bot", "search_crawler", "Googlebot", "Google", "verified")
    assert spoofed == (True, "bot", "unknown_bot", "Googlebot", "Google", "spoofed")


def test_no_user_agent_is_a_bot_with_no_agent() -> None:
    assert key_of(None) == (True, "bot", "unknown_bot", "", "", "")


def test_names_outside_the_catalog_fold_into_other() -> None:
    cls = classify_user_agent(
        "Mozilla/5.0 (compatible; Zz-made-up-crawler-4821/1.0; +http://example.com/bot)"
    )
    assert cls.is_bot and cls.agent_name is not None
    record = enriched(event("x"), cls, None, rate_bot=False) | {"agent_name": "Zz-made-up-crawler-4821"}
    assert agg_key(record)[8:] == ("other", "", "unverified")


def test_a_rate_bot_is_high_rate_and_moves_from_the_person_key() -> None:
    person = enriched(event(IPHONE), classify_user_agent(IPHONE), "US", rate_bot=False)
    flipped = agg_key(as_rate_bot(person))
    assert flipped[5:] == (True, "bot", "high_rate", "", "", "")
    assert human_key(flipped) == agg_key(person)
    assert agg_key(enriched(event(IPHONE), classify_user_agent(IPHONE), "US", rate_bot=True)) == flipped
