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
        if not (agent.category == "http_client" and _after_mobile_platform(ua, found[0].start())):
            return Detected(agent.name, agent.operator, agent.category, "catalog")
    matomo = _matomo().search(ua)
    if matomo is not None:
        m, (name, producer, category) = matomo
        if "\\g<1>" in name or "$1" in name:
            name = next((g for g in m.groups() if g), name)
        return Detected(name, producer, category, "matomo")
    spans = _platform_spans(ua)

    def listed_ok(m: re.Match[str], payload: tuple[str, tuple[str, ...]]) -> bool:
        return (
            _whole_tokens(ua, m)
            and not _inside(m.start(), spans)
            and (
                _listed_name(payload[0], m.group(0)).lower() not in _catalog_names()
                or _COMPATIBLE.search(ua, 0, m.start()) is not None
            )
            # a messenger's in-app browser, not its link-preview fetcher
            and not ("social-preview" in payload[1] and _after_mobile_platform(ua, m.start()))
        )

    listed = _crawler_list().search(ua, listed_ok)
    if listed is not None:
        m, (pattern, tags) = listed
        name = _listed_name(pattern, m.group(0))
        if "ai-crawler" in tags:
            kind: Category = _ai_category(name)
        else:
            kind = next((TAG_CATEGORY[t] for t in tags if t in TAG_CATEGORY), "unknown_bot")
        return Detected(name, None, kind, "crawler-user-agents")
    hint = _HINT.search(ua)
    while hint is not None and (_inside(hint.start(), spans) or _library_in_app(ua, hint, spans)):
        hint = _HINT.search(ua, hint.end())
    if hint is not None and not (_HINT_EXCEPTIONS.search(ua) and not _strong_hint(ua, spans)):
        return Detected(_product(ua), None, "unknown_bot", "hint")
    return None


_STRONG = re.compile(r"bot\b|bot/|crawl|spider|\+https?://|compatible; [\w .-]+/[\d.]+; \+?https?://", re.I)

# A browser's or app's platform section: the OS, device model and build. Also an in-app
# browser's own device section, as Instagram and Facebook write it: `Android (28/9; 480dpi; ...)`.
_PLATFORM = re.compile(
    r"\((?![^)]*compatible)[^)]*(?:Android|iPhone|iPad|iPod|Windows|Macintosh|Mac OS X|X11|Linux|"
    r"Darwin|iOS|tvOS|CrOS)[^)]*\)|\b(?:Android|iOS|iPadOS) \(\d+/[\d.]+;[^)]*\)",
    re.IGNORECASE,
)
# A mobile platform section, which an app, not a crawler, sends along with its HTTP library.
_MOBILE_PLATFORM = re.compile(r"\b(?:Android|iPhone|iPad|iPod|iOS|tvOS|J2ME|MIDP)\b", re.IGNORECASE)
_DESKTOP_PLATFORM = re.compile(r"Windows NT|Macintosh|X11", re.IGNORECASE)
_LIBRARY_HINT = re.compile(r"httpclient|http-client|http_request|urllib|libcurl", re.IGNORECASE)


def _platform_spans(ua: str) -> list[range]:
    """Where a device's platform sections (model, build) lie: no agent is named there.

    A desktop's section names no device model, so a name in it (`Windows NT 10.0; cludo.com bot`)
    is the agent's own and is not masked.
    """
    return [
        range(m.start(), m.end())
        for m in _PLATFORM.finditer(ua)
        if _MOBILE_PLATFORM.search(ua, m.start(), m.end())
        or not _DESKTOP_PLATFORM.search(ua, m.start(), m.end())
    ]


def _inside(pos: int, spans: list[range]) -> bool:
    return any(pos in span for span in spans)


# Inside `(compatible; ...`: the classic form in which an agent declares itself.
_COMPATIBLE = re.compile(r"\(compatible;[^()]*$", re.IGNORECASE)
_VERSION_SUFFIX = re.compile(r"[Vv]?\d")


def _whole_tokens(ua: str, m: re.Match[str]) -> bool:
    """A listed pattern names a product: it neither starts nor ends inside a longer word."""
    start, end = m.start(), m.end()
    if start > 0 and ua[start - 1].isalnum() and ua[start].isalnum():
        return False
    if end < len(ua) and end > start and ua[end - 1].isalnum() and ua[end].isalnum():
        return _VERSION_SUFFIX.match(ua, end) is not None  # HeadOnlyScraperV2, not SogouMobileBrowser
    return True


def _after_mobile_platform(ua: str, at: int) -> bool:
    """An HTTP library named after an app's own mobile platform section is that app's transport."""
    return at > 0 and any(
        span.stop <= at and _MOBILE_PLATFORM.search(ua, span.start, span.stop) for span in _platform_spans(ua)
    )


def _library_in_app(ua: str, hint: re.Match[str], spans: list[range]) -> bool:
    """A library's name after a platform section: the app's own transport (otg ... libcurl/7.58.0)."""
    if _LIBRARY_HINT.fullmatch(hint.group(0)) is None:
        return False
    return any(span.stop <= hint.start() for span in spans)


@cache
def _catalog_names() -> frozenset[str]:
    """The catalog decides for the agents it names: a list entry of the same name does not overrule it."""
    return frozenset(a.name.lower() for a in AGENTS)


def _strong_hint(ua: str, spans: list[range] | None = None) -> bool:
    return any(not _inside(m.start(), spans or []) for m in _STRONG.finditer(ua))


_PRODUCT = re.compile(r"compatible;\s*([\w .-]+?)(?:/|;|\))|^([\w.-]+)")


def _product(ua: str) -> str:
    m = _PRODUCT.search(ua)
    if m is None:
        return "unknown"
    return (m.group(1) or m.group(2) or "unknown").strip()[:64]
