"""Real User-Agent strings the simulator draws from, labelled with what a correct pipeline decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Browsers: the device class user-agents derives from each string.
BROWSERS: Final[dict[str, tuple[str, ...]]] = {
    "mobile": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/125.0.6422.165 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "CriOS/124.0.6367.111 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Android 14; Mobile; rv:126.0) Gecko/126.0 Firefox/126.0",
    ),
    "tablet": (
        "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/125.0.0.0 Safari/537.36",
    ),
    "desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/125.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.67",
    ),
    "other": (
        "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)",
        "Roku/DVP-12.5 (12.5.0.4174-AE)",
    ),
}

OTHER: Final = "other"  # the agent of every declared client the project's catalog does not list
AI_CATEGORIES: Final = frozenset({"ai_assistant", "ai_search", "ai_training_crawler"})
AUTOMATION_CATEGORIES: Final = frozenset({"http_client", "headless_browser"})
CATEGORIES: Final[tuple[str, ...]] = (
    "ai_assistant",
    "ai_search",
    "ai_training_crawler",
    "search_crawler",
    "seo_crawler",
    "link_preview",
    "monitoring",
    "security_scanner",
    "feed_reader",
    "http_client",
    "headless_browser",
    "unknown_bot",
)


@dataclass(frozen=True, slots=True)
class Declared:
    """A declared client's User-Agent and how a correct pipeline files it (docs/agents.md).

    name, operator, category and ranges are copied from the client's entry in the agent
    catalog (stream_processors/agents/catalog.py) when `listed`; a client the catalog does not
    list counts as agent "other" with no operator, under the category the project files it in.
    """

    name: str  # the catalog name, or what the string calls an unlisted client
    category: str
    user_agent: str
    operator: str = ""
    listed: bool = True  # in the project's agent catalog
    ranges: str | None = None  # the operator's IP-range list that verifies it, if it publishes one

    @property
    def agent(self) -> str:
        return self.name if self.listed else OTHER

    @property
    def traffic_class(self) -> str:
        return "ai_agent" if self.category in AI_CATEGORIES else "bot"


def _m(product: str) -> str:
    """The shape OpenAI, Anthropic, Perplexity and Mistral document for their agents."""
    return f"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; {product})"


def _unlisted(name: str, category: str, user_agent: str) -> Declared:
    return Declared(name, category, user_agent, listed=False)


D = Declared
DECLARED: Final[tuple[Declared, ...]] = (
    # ai_assistant: fetches a person triggered in an AI product
    D(
        "ChatGPT-User",
        "ai_assistant",
        _m("ChatGPT-User/1.0; +https://openai.com/bot"),
        "OpenAI",
        ranges="openai-chatgpt-user",
    ),
    D(
        "Claude-User",
        "ai_assistant",
        _m("Claude-User/1.0; +Claude-User@anthropic.com"),
        "Anthropic",
        ranges="anthropic",
    ),
    D(
        "Perplexity-User",
        "ai_assistant",
        _m("Perplexity-User/1.0; +https://perplexity.ai/perplexity-user"),
        "Perplexity",
    ),
    D(
        "MistralAI-User",
        "ai_assistant",
        _m("MistralAI-User/1.0; +https://docs.mistral.ai/robots"),
        "Mistral AI",
    ),
    D(
        "meta-externalfetcher",
        "ai_assistant",
        "meta-externalfetcher/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
        "Meta",
    ),
    # ai_search: indexes behind AI answers
    D(
        "OAI-SearchBot",
        "ai_search",
        _m("OAI-SearchBot/1.3; +https://openai.com/searchbot"),
        "OpenAI",
        ranges="openai-searchbot",
    ),
    D(
        "Claude-SearchBot",
        "ai_search",
        _m("Claude-SearchBot/1.0; +Claude-SearchBot@anthropic.com"),
        "Anthropic",
        ranges="anthropic",
    ),
    D(
        "PerplexityBot",
        "ai_search",
        _m("PerplexityBot/1.0; +https://perplexity.ai/perplexitybot"),
        "Perplexity",
    ),
    D(
        "Applebot",
        "ai_search",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
        "Apple",
        ranges="applebot",
    ),
    D(
        "DuckAssistBot",
        "ai_search",
        "DuckAssistBot/1.2; (+http://duckduckgo.com/duckassistbot.html)",
        "DuckDuckGo",
    ),
    # ai_training_crawler: collects content to train models
    D(
        "GPTBot",
        "ai_training_crawler",
        _m("GPTBot/1.3; +https://openai.com/gptbot"),
        "OpenAI",
        ranges="openai-gptbot",
    ),
    D(
        "ClaudeBot",
        "ai_training_crawler",
        _m("ClaudeBot/1.0; +claudebot@anthropic.com"),
        "Anthropic",
        ranges="anthropic",
    ),
    D("CCBot", "ai_training_crawler", "CCBot/2.0 (https://commoncrawl.org/faq/)", "Common Crawl"),
    D(
        "Bytespider",
        "ai_training_crawler",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "ByteDance",
    ),
    D(
        "meta-externalagent",
        "ai_training_crawler",
        "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
        "Meta",
    ),
    D(
        "Amazonbot",
        "ai_training_crawler",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/119.0.0.0 Safari/537.36 (Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot)",
        "Amazon",
    ),
    # search_crawler
    D(
        "Googlebot",
        "search_crawler",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Google",
        ranges="googlebot",
    ),
    D(
        "Googlebot",
        "search_crawler",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MNB25R) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/125.0.6422.141 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Google",
        ranges="googlebot",
    ),
    D(
        "bingbot",
        "search_crawler",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Microsoft",
    ),
    D(
        "YandexBot",
        "search_crawler",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Yandex",
    ),
    D(
        "DuckDuckBot",
        "search_crawler",
        "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "DuckDuckGo",
    ),
    D(
        "Baiduspider",
        "search_crawler",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Baidu",
    ),
    _unlisted(
        "Mail.RU_Bot",
        "search_crawler",
        "Mozilla/5.0 (compatible; Linux x86_64; Mail.RU_Bot/2.0; +https://help.mail.ru/webmaster/indexing/robots)",
    ),
    # seo_crawler
    D(
        "AhrefsBot",
        "seo_crawler",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Ahrefs",
    ),
    D(
        "SemrushBot",
        "seo_crawler",
        "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
        "Semrush",
    ),
    D("MJ12bot", "seo_crawler", "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", "Majestic"),
    D(
        "DotBot",
        "seo_crawler",
        "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)",
        "Moz",
    ),
    # link_preview
    D(
        "facebookexternalhit",
        "link_preview",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Meta",
    ),
    D("Twitterbot", "link_preview", "Twitterbot/1.0", "X"),
    D(
        "LinkedInBot",
        "link_preview",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "LinkedIn",
    ),
    D("Slackbot", "link_preview", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slack"),
    D("WhatsApp", "link_preview", "WhatsApp/2.23.20.0 A", "Meta"),
    D(
        "Discordbot",
        "link_preview",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "Discord",
    ),
    # monitoring
    D(
        "UptimeRobot",
        "monitoring",
        "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "UptimeRobot",
    ),
    D("Pingdom", "monitoring", "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "SolarWinds"),
    D("Site24x7", "monitoring", "Mozilla/5.0 (compatible; Site24x7)", "Zoho"),
    _unlisted("Uptime-Kuma", "monitoring", "Uptime-Kuma/1.23.13"),
    # security_scanner
    D("Nessus", "security_scanner", "Mozilla/5.0 (compatible; Nessus)", "Tenable"),
    D(
        "Nikto",
        "security_scanner",
        "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)",
        "CIRT.net",
    ),
    D("zgrab", "security_scanner", "Mozilla/5.0 zgrab/0.x", "ZMap"),
    D(
        "CensysInspect",
        "security_scanner",
        "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
        "Censys",
    ),
    # feed_reader
    D("Feedly", "feed_reader", "Feedly/1.0 (+https://feedly.com/poller.html; 16 subscribers)", "Feedly"),
    D(
        "Inoreader",
        "feed_reader",
        "Mozilla/5.0 (compatible; Inoreader/1.0; https://www.inoreader.com; 22 subscribers)",
        "Inoreader",
    ),
    D(
        "FeedFetcher-Google",
        "feed_reader",
        "FeedFetcher-Google; (+http://www.google.com/feedfetcher.html)",
        "Google",
        ranges="google-user-triggered",
    ),
    _unlisted("Miniflux", "feed_reader", "Mozilla/5.0 (compatible; Miniflux/2.1.3; +https://miniflux.app)"),
    # http_client
    D("curl", "http_client", "curl/8.5.0", "curl"),
    D("Wget", "http_client", "Wget/1.21.4", "GNU"),
    D("python-requests", "http_client", "python-requests/2.32.3", "Python"),
    D("python-httpx", "http_client", "python-httpx/0.28.1", "Python"),
    D("aiohttp", "http_client", "Python/3.11 aiohttp/3.9.5", "Python"),
    D("Go-http-client", "http_client", "Go-http-client/2.0", "Go"),
    D("okhttp", "http_client", "okhttp/4.12.0", "Square"),
    D("Java", "http_client", "Java/17.0.11", "Java"),
    D("Scrapy", "http_client", "Scrapy/2.11.2 (+https://scrapy.org)", "Zyte"),
    D("axios", "http_client", "axios/1.7.2", "axios"),
    _unlisted("HTTPie", "http_client", "HTTPie/3.2.2"),
    # headless_browser
    D(
        "HeadlessChrome",
        "headless_browser",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/125.0.6422.141 Safari/537.36",
        "Google",
    ),
    D(
        "PhantomJS",
        "headless_browser",
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) "
        "PhantomJS/2.1.1 Safari/538.1",
        "PhantomJS",
    ),
    # unknown_bot: says it is a bot, not what kind; no catalog entry has this category
    _unlisted(
        "ShelfWatchBot",
        "unknown_bot",
        "Mozilla/5.0 (compatible; ShelfWatchBot/1.3; +https://shelfwatch.example/bot)",
    ),
    _unlisted(
        "PackCheck-crawler", "unknown_bot", "PackCheck-crawler/2.0 (+https://packcheck.example/crawler)"
    ),
    _unlisted(
        "Barkrowler", "unknown_bot", "Mozilla/5.0 (compatible; Barkrowler/0.9; +https://babbar.tech/crawler)"
    ),
)

AI_DECLARED: Final = tuple(d for d in DECLARED if d.category in AI_CATEGORIES)
AUTOMATION_DECLARED: Final = tuple(d for d in DECLARED if d.category in AUTOMATION_CATEGORIES)
CRAWLER_DECLARED: Final = tuple(
    d for d in DECLARED if d.category not in AI_CATEGORIES and d.category not in AUTOMATION_CATEGORIES
)
# (name, User-Agent) pairs of the three groups.
AI_AGENTS: Final = tuple((d.name, d.user_agent) for d in AI_DECLARED)
CRAWLERS: Final = tuple((d.name, d.user_agent) for d in CRAWLER_DECLARED)
AUTOMATION: Final = tuple((d.name, d.user_agent) for d in AUTOMATION_DECLARED)

# Scrapers present an ordinary desktop browser.
SCRAPER_USER_AGENT: Final = BROWSERS["desktop"][0]

# Missing headers: absent, empty or blank.
MISSING: Final[tuple[str | None, ...]] = (None, "", "   ")
