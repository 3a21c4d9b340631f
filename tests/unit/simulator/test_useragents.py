"""The User-Agent tables agree with what user-agents derives and with the shared token lists."""

from __future__ import annotations

import pytest
import user_agents

from simulator import useragents

DECLARED = [token for token, _ in useragents.AI_AGENTS + useragents.CRAWLERS + useragents.AUTOMATION]
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
    assert not any(token.lower() in ua.lower() for token in DECLARED)


@pytest.mark.parametrize(("token", "ua"), useragents.AI_AGENTS + useragents.CRAWLERS + useragents.AUTOMATION)
def test_declared_clients_carry_their_token(token: str, ua: str) -> None:
    assert token in ua


def test_scrapers_look_like_a_desktop_browser() -> None:
    assert device_class(useragents.SCRAPER_USER_AGENT) == "desktop"
