"""The maintained lists of declared AI agents, crawlers and automation clients.

Order matters inside each list only for tokens that prefix another
(``Applebot-Extended`` before ``Applebot``); matching is on whole tokens.
"""

from __future__ import annotations

from typing import Final

# Declared AI agents: crawlers that feed, or act for, AI products.
AI_AGENTS: Final[tuple[str, ...]] = (
    "GPTBot", "ChatGPT-User", "OAI-SearchBot",
    "ClaudeBot", "Claude-User", "Claude-SearchBot",
    "PerplexityBot", "Perplexity-User",
    "Google-Extended", "Applebot-Extended",
    "Bytespider", "CCBot", "meta-externalagent", "Amazonbot",
)

# Declared search and link-preview crawlers.
CRAWLERS: Final[tuple[str, ...]] = (
    "Googlebot", "bingbot", "Applebot", "YandexBot", "DuckDuckBot", "Baiduspider",
    "facebookexternalhit", "Twitterbot", "LinkedInBot",
)

# HTTP libraries, command-line clients and headless browsers.
AUTOMATION_CLIENTS: Final[tuple[str, ...]] = (
    "curl", "Wget", "python-requests", "python-httpx", "aiohttp", "Go-http-client",
    "okhttp", "Java", "HeadlessChrome", "PhantomJS", "Scrapy",
)
