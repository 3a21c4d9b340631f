"""Declared agents in a User-Agent: our catalog first, then the crawler-user-agents list, then hints.

crawler-user-agents (MIT, pinned on PyPI) brings ~1,500 patterns with tags; a tag gives the
category. Hints catch what no list names: words such as bot, crawler, spider; a contact URL
or address; a bare `name/version` with no platform.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

import yaml

from stream_processors.agents.catalog import AGENTS, AI_CATEGORIES, Agent, Category
from stream_processors.agents.patterns import PatternSet

TAG_CATEGORY: Final[dict[str, Category]] = {
    "search-engine": "search_crawler",
    "seo": "seo_crawler",
    "social-preview": "link_preview",
    "monitoring": "monitoring",
    "scanner": "security_scanner",
    "feed-reader": "feed_reader",
    "http-library": "http_client",
    "browser-automation": "headless_browser",
}


@dataclass(frozen=True, slots=True)
class Detected:
    """A declared agent: its name, operator (None when unknown), category and how it was found."""

    name: str
    operator: str | None
    category: Category
    source: str  # catalog, crawler-user-agents or hint

    @property
    def traffic_class(self) -> str:
        return "ai_agent" if self.category in AI_CATEGORIES else "bot"


def _token(pattern: str) -> str:
    return r"(?<![\w-])(?:" + pattern + r")(?![\w-])"


def _ai_category(name: str) -> Category:
    lowered = name.lower()
    if "user" in lowered or "agent" in lowered or "assistant" in lowered:
        return "ai_assistant"
    if "search" in lowered:
        return "ai_search"
    return "ai_training_crawler"


def _listed_name(pattern: str, matched: str) -> str:
    plain = re.sub(r"\\(.)", r"\1", pattern)
    if re.fullmatch(r"[\w .-]+", plain):
        return plain
    return re.sub(r"[/;(]+$", "", matched).strip() or matched


@cache
def _catalog() -> PatternSet[Agent]:
    return PatternSet([(a.pattern or re.escape(a.name), a) for a in AGENTS], re.IGNORECASE, _token)


MATOMO_CATEGORY: Final[dict[str, Category]] = {
    "AI Agent": "ai_assistant",
    "AI Assistant": "ai_assistant",
    "AI Data Scraper": "ai_training_crawler",
    "AI Search Crawler": "ai_search",
    "Search bot": "search_crawler",
    "Search tools": "seo_crawler",
    "Feed Fetcher": "feed_reader",
    "Feed Parser": "feed_reader",
    "Feed Reader": "feed_reader",
    "Security Checker": "security_scanner",
    "Security search bot": "security_scanner",
    "Site Monitor": "monitoring",
    "Network Monitor": "monitoring",
    "Benchmark": "monitoring",
    "Validator": "monitoring",
    "Social Media Agent": "link_preview",
}


@cache
def _matomo() -> PatternSet[tuple[str, str | None, Category]]:
    text = resources.files("device_detector").joinpath("regexes/upstream/bots.yml").read_text()
    entries = []
    for e in yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        producer = (e.get("producer") or {}).get("name") or None
        category = MATOMO_CATEGORY.get(e.get("category") or "", "unknown_bot")
        try:
            re.compile(_matomo_wrap(e["regex"]))
        except re.error:  # PCRE-only syntax (variable-width look-behind): a handful of entries
            continue
        entries.append((e["regex"], (e["name"], producer, category)))
    return PatternSet(entries, re.IGNORECASE, _matomo_wrap)


def _matomo_wrap(pattern: str) -> str:
    # Matomo's parser requires a token boundary before every regex (as a look-behind here: a
    # leading alternation would be tried at every position and costs ~50 µs a regex).
    return r"(?<![A-Z0-9_-])(?:" + pattern + ")"


@cache
def _crawler_list() -> PatternSet[tuple[str, tuple[str, ...]]]:
    text = resources.files("crawleruseragents").joinpath("crawler-user-agents.json").read_text()
    entries = json.loads(text)
    return PatternSet([(e["pattern"], (e["pattern"], tuple(e.get("tags", ())))) for e in entries])


_HINT = re.compile(
    r"bot\b|bot[/_-]|crawl|spider|scrap|fetch(?:er)?\b|(?<![a-z])(?:monitor|checker|validator|preview|"
    r"archiver|indexer|harvest|httpclient|http-client|http_request|urllib|libcurl|"
    r"headless)|\+https?://|https?://\S+\)|@\w+\.\w+",
    re.IGNORECASE,
)
# Hints that are also found in ordinary browsers and apps.
_HINT_EXCEPTIONS = re.compile(r"cubot|\bbot(?:tle|tom)|fetchtv|Mozilla/|Opera/|Dalvik/|CFNetwork/", re.I)


def detect(ua: str) -> Detected | None:
    """Return the declared agent in ua, or None for what reads as a person's browser or app."""
    found = _catalog().search(ua)
    if found is not None:
        agent = found[1]
        return Detected(agent.name, agent.operator, agent.category, "catalog")
    matomo = _matomo().search(ua)
    if matomo is not None:
        m, (name, producer, category) = matomo
        if "\\g<1>" in name or "$1" in name:
            name = next((g for g in m.groups() if g), name)
        return Detected(name, producer, category, "matomo")
    platform = _platform_span(ua)
    listed = _crawler_list().search(ua)
    if listed is not None and listed[0].start() in platform:
        listed = None
    if listed is not None:
        m, (pattern, tags) = listed
        name = _listed_name(pattern, m.group(0))
        if "ai-crawler" in tags:
            kind: Category = _ai_category(name)
        else:
            kind = next((TAG_CATEGORY[t] for t in tags if t in TAG_CATEGORY), "unknown_bot")
        return Detected(name, None, kind, "crawler-user-agents")
    hint = _HINT.search(ua)
    if hint is not None and hint.start() in platform:
        hint = None
    if hint is not None and not (_HINT_EXCEPTIONS.search(ua) and not _strong_hint(ua)):
        return Detected(_product(ua), None, "unknown_bot", "hint")
    return None


_STRONG = re.compile(r"bot\b|bot/|crawl|spider|\+https?://|compatible; [\w .-]+/[\d.]+; \+?https?://", re.I)


_PLATFORM = re.compile(
    r"\((?![^)]*compatible)[^)]*(?:Android|iPhone|iPad|Windows NT|Macintosh|X11|Linux)[^)]*\)"
)


def _platform_span(ua: str) -> range:
    """Where a browser's platform section (device model, build) lies: no agent is named there."""
    m = _PLATFORM.search(ua)
    return range(m.start(), m.end()) if m is not None else range(0)


def _strong_hint(ua: str) -> bool:
    return _STRONG.search(ua) is not None


_PRODUCT = re.compile(r"compatible;\s*([\w .-]+?)(?:/|;|\))|^([\w.-]+)")


def _product(ua: str) -> str:
    m = _PRODUCT.search(ua)
    if m is None:
        return "unknown"
    return (m.group(1) or m.group(2) or "unknown").strip()[:64]
