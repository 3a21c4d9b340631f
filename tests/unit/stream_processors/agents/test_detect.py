"""Taxonomy: category, name and operator of declared agents; devices by ordered rules."""
# ruff: noqa: E501  (tables of real User-Agent strings)

from __future__ import annotations

import pytest

from stream_processors.agents.catalog import AGENTS, CATEGORIES
from stream_processors.agents.patterns import required_literal
from stream_processors.enrich import classify_user_agent


@pytest.mark.parametrize(
    ("ua", "traffic", "category", "name", "operator"),
    [
        (
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ChatGPT-User/1.0; +https://openai.com/bot)",
            "ai_agent",
            "ai_assistant",
            "ChatGPT-User",
            "OpenAI",
        ),
        (
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; OAI-SearchBot/1.3; +https://openai.com/searchbot)",
            "ai_agent",
            "ai_search",
            "OAI-SearchBot",
            "OpenAI",
        ),
        (
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
            "ai_agent",
            "ai_training_crawler",
            "ClaudeBot",
            "Anthropic",
        ),
        (
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "bot",
            "search_crawler",
            "Googlebot",
            "Google",
        ),
        (
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
            "bot",
            "seo_crawler",
            "AhrefsBot",
            "Ahrefs",
        ),
        (
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "bot",
            "link_preview",
            "Slackbot",
            "Slack",
        ),
        (
            "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
            "bot",
            "monitoring",
            "UptimeRobot",
            "UptimeRobot",
        ),
        ("python-requests/2.32.3", "bot", "http_client", "python-requests", "Python"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/125.0.0.0 Safari/537.36",
            "bot",
            "headless_browser",
            "HeadlessChrome",
            "Google",
        ),
    ],
)
def test_declared_agents(ua: str, traffic: str, category: str, name: str, operator: str) -> None:
    c = classify_user_agent(ua)
    assert (c.traffic_class, c.category, c.agent_name, c.operator, c.is_bot) == (
        traffic,
        category,
        name,
        operator,
        True,
    )


@pytest.mark.parametrize(
    ("ua", "device"),
    [
        (
            "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
            "tablet",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
            "Mobile/15E148 Safari/604.1",
            "tablet",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile Safari/537.36",
            "mobile",
        ),
        (
            "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0 "
            "TV Safari/537.36",
            "other",
        ),
        (
            "Mozilla/5.0 (Linux; Android 9; AFTMM) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0 Mobile Safari/537.36",
            "other",
        ),
        (
            "Mozilla/5.0 (X11; GNU/Linux) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/79.0 Chrome/79.0 Safari/537.36 "
            "Tesla/2020.16.2.1",
            "other",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36",
            "desktop",
        ),
    ],
)
def test_device_classes(ua: str, device: str) -> None:
    c = classify_user_agent(ua)
    assert (c.device_class, c.traffic_class, c.category) == (device, "human", None)


def test_a_device_model_that_says_bot_is_not_an_agent() -> None:
    ua = (
        "Mozilla/5.0 (Linux; Android 7.1.2; M bot tab 10) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/78.0.3904.108 Safari/537.36"
    )
    assert classify_user_agent(ua).traffic_class == "human"


def test_every_catalog_entry_has_a_known_category_and_is_found() -> None:
    for agent in AGENTS:
        assert agent.category in CATEGORIES
    for agent in AGENTS:
        for ua in agent.examples:
            assert classify_user_agent(ua).agent_name == agent.name


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (r"Googlebot\/", "googlebot/"),
        (r"[cC]laude[bB]ot", "laude"),
        (r"a|b", None),
        (r"ab?", None),
        (r"Yandex(?:Bot|Images)", "yandex"),
        (r"meta-externalagent\/", "meta-externalagent/"),
    ],
)
def test_required_literal(pattern: str, literal: str | None) -> None:
    assert required_literal(pattern) == literal
