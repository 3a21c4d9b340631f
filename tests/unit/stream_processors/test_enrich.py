"""classify_user_agent and GeoResolver: the shared classification rules, answered for any input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scan_analytics.devgeo import COUNTRY_NETWORKS, build_country_mmdb
from stream_processors.bots import AI_AGENTS, AUTOMATION_CLIENTS, CRAWLERS
from stream_processors.enrich import GeoResolver, classify_user_agent

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.0 Mobile/15E148 Safari/604.1"
)
WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("ua", "device", "is_bot", "traffic", "agent", "reason"),
    [
        (IPHONE, "mobile", False, "human", None, None),
        (IPAD, "tablet", False, "human", None, None),
        (WINDOWS, "desktop", False, "human", None, None),
        ("Mozilla/5.0 (PlayStation 5 3.11) AppleWebKit/605.1.15", "other", False, "human", None, None),
        ("garbage", "other", False, "human", None, None),
        (None, "other", True, "bot", None, "missing_user_agent"),
        ("", "other", True, "bot", None, "missing_user_agent"),
        ("   ", "other", True, "bot", None, "missing_user_agent"),
        (
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
            "bot",
            True,
            "ai_agent",
            "GPTBot",
            "ai_agent",
        ),
        (
            "Mozilla/5.0 (compatible; Applebot-Extended/0.1)",
            "bot",
            True,
            "ai_agent",
            "Applebot-Extended",
            "ai_agent",
        ),
        ("Mozilla/5.0 (compatible; Applebot/0.1)", "bot", True, "ai_agent", "Applebot", "ai_agent"),
        (
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "bot",
            True,
            "bot",
            "Googlebot",
            "declared_crawler",
        ),
        ("curl/8.5.0", "bot", True, "bot", "curl", "automation_client"),
        ("Java/17.0.2", "bot", True, "bot", "Java", "automation_client"),
        ("JavaScript-enabled thing", "other", False, "human", None, None),
        (
            "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0.0.0 Safari/537.36",
            "bot",
            True,
            "bot",
            "HeadlessChrome",
            "automation_client",
        ),
    ],
)
def test_classify_table(
    ua: str | None, device: str, is_bot: bool, traffic: str, agent: str | None, reason: str | None
) -> None:
    c = classify_user_agent(ua)
    assert (c.device_class, c.is_bot, c.traffic_class, c.agent_name, c.bot_reason) == (
        device,
        is_bot,
        traffic,
        agent,
        reason,
    )


@pytest.mark.parametrize("token", AI_AGENTS)
def test_every_ai_agent_is_declared(token: str) -> None:
    c = classify_user_agent(f"Mozilla/5.0 (compatible; {token}/1.0; +https://example.com/bot)")
    assert (c.traffic_class, c.agent_name, c.device_class) == ("ai_agent", token, "bot")


@pytest.mark.parametrize("token", CRAWLERS)
def test_every_crawler_is_declared(token: str) -> None:
    c = classify_user_agent(f"Mozilla/5.0 (compatible; {token}/2.1)")
    assert (c.traffic_class, c.agent_name, c.bot_reason) == ("bot", token, "declared_crawler")


@pytest.mark.parametrize("token", AUTOMATION_CLIENTS)
def test_every_automation_client(token: str) -> None:
    c = classify_user_agent(f"{token}/1.2.3")
    assert (c.is_bot, c.agent_name, c.bot_reason) == (True, token, "automation_client")


def test_huge_user_agent_is_answered() -> None:
    assert classify_user_agent("x" * 10_000).device_class == "other"
    assert classify_user_agent("curl/8 " + "y" * 10_000).is_bot


@given(st.one_of(st.none(), st.text(max_size=300)))
def test_any_string_is_answered(ua: str | None) -> None:
    c = classify_user_agent(ua)
    assert c.device_class in {"mobile", "tablet", "desktop", "bot", "other"}
    assert c.traffic_class in {"human", "ai_agent", "bot"}
    assert c.is_bot == (c.traffic_class != "human")


@pytest.fixture(scope="module")
def geo(tmp_path_factory: pytest.TempPathFactory) -> GeoResolver:
    path: Path = tmp_path_factory.mktemp("geo") / "dev-country.mmdb"
    return GeoResolver(build_country_mmdb(path))


@pytest.mark.parametrize(
    ("ip", "country"),
    [
        ("24.16.1.2", "US"),
        ("::ffff:24.16.1.2", "US"),
        ("2600:1::5", "US"),
        ("46.80.9.9", "DE"),
        ("10.0.0.1", None),
        ("192.168.1.1", None),
        ("127.0.0.1", None),
        ("::1", None),
        ("fe80::1", None),
        ("100.64.0.1", None),
        ("224.0.0.1", None),
        ("45.0.0.1", None),
        ("2c0f:f000::1", None),
        ("not an ip", None),
        ("", None),
        ("999.1.1.1", None),
    ],
)
def test_country_table(geo: GeoResolver, ip: str, country: str | None) -> None:
    assert geo.country(ip) == country


@pytest.mark.parametrize("iso", sorted(COUNTRY_NETWORKS))
def test_country_of_every_listed_network(geo: GeoResolver, iso: str) -> None:
    _, v4, v6 = COUNTRY_NETWORKS[iso]
    assert geo.country(v4.split("/")[0].rsplit(".", 1)[0] + ".7") == iso
    assert geo.country(v6.split("/")[0] + "7") == iso
