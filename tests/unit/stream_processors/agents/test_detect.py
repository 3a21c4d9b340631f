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
        # Android on a laptop: a ChromeOS build, a Chromebook, a laptop line with no phone token
        (
            "Mozilla/5.0 (Linux; Android 11; Lenovo Chromebook Duet Build/R120-15662.76.0) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
            "desktop",
        ),
        (
            "Mozilla/5.0 (Linux; Android 9; Latitude 5490) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0 Safari/537.36",
            "desktop",
        ),
        # a Mac app over CFNetwork names an Intel Darwin or the Mac's model; an iPhone app does not
        ("Notes/2.0 CFNetwork/1240 Darwin/20.6.0 (x86_64)", "desktop"),
        ("Notes/2.0 CFNetwork/1240 Darwin/20.6.0 (arm64) (MacBookAir10%2C1)", "desktop"),
        ("Notes/2.0 CFNetwork/1240 Darwin/20.6.0", "mobile"),
        # a maker's browser on Windows is a desktop; a Windows tablet PC too
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 "
            "Chrome/121.0 Safari/537.36",
            "desktop",
        ),
        ("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; Tablet PC 2.0)", "desktop"),
        (
            "Mozilla/5.0 (Windows NT 10.0; ARM; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Edge/14.14393",
            "mobile",
        ),
        # makers of TVs and phones: the phone token decides
        (
            "Mozilla/5.0 (Linux; Android 12; Hisense H60) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0 "
            "Mobile Safari/537.36",
            "mobile",
        ),
        (
            "Mozilla/5.0 (Linux; Android 11; Hisense 55A7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0 Safari/537.36",
            "other",
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; Phone 2) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile "
            "Safari/537.36 XiaoMi/MiuiBrowser/14.0",
            "mobile",
        ),
        # Linux on ARM without Android: an appliance; a VR headset
        (
            "Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) QtWebEngine/5.15 Chrome/87.0 Safari/537.36",
            "other",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; Quest 3) AppleWebKit/537.36 (KHTML, like Gecko) OculusBrowser/30.0 "
            "Chrome/120.0 VR Safari/537.36",
            "other",
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


@pytest.mark.parametrize(
    "ua",
    [
        # a browser's own token that a list names as a crawler's prefix (Sogou)
        "Mozilla/5.0 (Linux; Android 10; V2027) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0 Mobile "
        "Safari/537.36 SogouMobileBrowser/6.1.5",
        # the WhatsApp app, not its link-preview fetcher
        "WhatsApp/2.23.10 Android/13 Device/Nokia-G21",
        # a messenger's in-app browser
        "Mozilla/5.0 (Linux; Android 12; RMX3363) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0 Mobile "
        "Safari/537.36 Viber/19.2.0",
        # an app's HTTP library after its own platform section
        "Radio/3.1 (com.example.radio; build:12; Android 13; Model: SM-A546B) okhttp/4.11.0",
        # a phone maker's name in an in-app browser's device section
        "Mozilla/5.0 (Linux; Android 10; X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/100.0 Mobile "
        "Safari/537.36 Instagram 250.0 Android (29/10; 480dpi; 1080x2340; CUBOT; X30; X30; mt6771; en_US)",
        # a media centre naming its site in its platform section
        "XBMC/12.0 (Windows; Windows 7 build 7601; http://www.xbmc.org)",
    ],
)
def test_people_s_apps_are_not_agents(ua: str) -> None:
    assert classify_user_agent(ua).traffic_class == "human"


@pytest.mark.parametrize(
    ("ua", "name"),
    [
        ("WhatsApp/2.19.92 i", "WhatsApp"),
        ("okhttp/4.11.0", "okhttp"),
        ("Mozilla/5.0 (compatible; Sogou/2.1)", "Sogou"),
        (
            "Mozilla/5.0 (Windows NT 10.0; example.com bot) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0",
            "Mozilla",
        ),
    ],
)
def test_agents_still_declared(ua: str, name: str) -> None:
    c = classify_user_agent(ua)
    assert (c.is_bot, c.agent_name) == (True, name)


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
