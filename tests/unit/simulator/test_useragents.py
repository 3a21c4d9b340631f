"""The User-Agent tables: browsers as user-agents reads them; declared clients labelled from the catalog."""

from __future__ import annotations

import pytest
import user_agents

from simulator import useragents
from simulator.useragents import DECLARED, OTHER, Declared
from stream_processors.agents import catalog

TOKENS = [d.name for d in DECLARED]
BROWSER_CASES = [(cls, ua) for cls, uas in useragents.BROWSERS.items() for ua in uas]


def device_class(ua: str) -> str:
    parsed = user_agents.parse(ua)
    if parsed.is_mobile:
        return "mobile"
    if parsed.is_tablet:
        return "tablet"
    return "desktop" if parsed.is_pc else "other"


@pytest.mark.parametrize(("expected", "ua"), BROWSER_CASES)
def test_browsers_have_the_labelled_device_class_and_no_bot_token(expected: str, ua: str) -> None:
    assert device_class(ua) == expected
    assert not user_agents.parse(ua).is_bot
    assert not any(token.lower() in ua.lower() for token in TOKENS)


def test_scrapers_look_like_a_desktop_browser() -> None:
    assert device_class(useragents.SCRAPER_USER_AGENT) == "desktop"


def test_every_category_of_the_taxonomy_has_declared_clients() -> None:
    assert useragents.CATEGORIES == catalog.CATEGORIES
    assert {d.category for d in DECLARED} == set(catalog.CATEGORIES)
    assert useragents.AI_CATEGORIES == catalog.AI_CATEGORIES


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: f"{d.category}-{d.name}")
def test_declared_clients_carry_their_name(declared: Declared) -> None:
    assert declared.name in declared.user_agent


@pytest.mark.parametrize("declared", [d for d in DECLARED if d.listed], ids=lambda d: d.name)
def test_listed_clients_are_labelled_as_their_catalog_entry(declared: Declared) -> None:
    entry = catalog.BY_NAME[declared.name]
    assert (declared.agent, declared.operator, declared.category, declared.ranges) == (
        entry.name,
        entry.operator,
        entry.category,
        entry.ranges,
    )
    assert declared.traffic_class == entry.traffic_class
    if entry.examples:  # the operator's own string where the catalog records it
        assert declared.user_agent in entry.examples


@pytest.mark.parametrize("declared", [d for d in DECLARED if not d.listed], ids=lambda d: d.name)
def test_unlisted_clients_count_as_other_with_no_operator(declared: Declared) -> None:
    assert declared.name not in catalog.BY_NAME
    assert (declared.agent, declared.operator, declared.ranges) == (OTHER, "", None)


def test_traffic_class_follows_the_category() -> None:
    for d in DECLARED:
        expected = "ai_agent" if d.category in {"ai_assistant", "ai_search", "ai_training_crawler"} else "bot"
        assert d.traffic_class == expected, d


def test_the_three_groups_split_the_table() -> None:
    groups = useragents.AI_DECLARED + useragents.CRAWLER_DECLARED + useragents.AUTOMATION_DECLARED
    assert sorted(groups, key=DECLARED.index) == list(DECLARED)
    assert {d.category for d in useragents.AUTOMATION_DECLARED} == {"http_client", "headless_browser"}
    assert tuple((d.name, d.user_agent) for d in useragents.AI_DECLARED) == useragents.AI_AGENTS


def test_verifiable_agents_are_spread_over_several_operators() -> None:
    verifiable = {d.name for d in DECLARED if d.ranges}
    assert {"GPTBot", "ClaudeBot", "Applebot", "Googlebot", "OAI-SearchBot"} <= verifiable
