"""Names of the declared agents by kind, taken from the catalog (stream_processors/agents/catalog.py)."""

from __future__ import annotations

from typing import Final

from stream_processors.agents.catalog import AGENTS, AI_CATEGORIES

# Declared AI agents: crawlers that feed, or act for, AI products.
AI_AGENTS: Final[tuple[str, ...]] = tuple(a.name for a in AGENTS if a.category in AI_CATEGORIES)

# Declared search and link-preview crawlers.
CRAWLERS: Final[tuple[str, ...]] = tuple(
    a.name for a in AGENTS if a.category in {"search_crawler", "link_preview"}
)

# HTTP libraries, command-line clients and headless browsers.
AUTOMATION_CLIENTS: Final[tuple[str, ...]] = tuple(
    a.name for a in AGENTS if a.category in {"http_client", "headless_browser"}
)
