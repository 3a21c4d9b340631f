"""The named agents we recognise: name, operator, category, the token that declares them.

Each entry follows its operator's own documentation of the User-Agent (see docs/agents.md);
`ranges` names the IP-range snapshot that verifies the agent, when its operator publishes one.
Order matters only where one token prefixes another (``Applebot-Extended`` before ``Applebot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Category = Literal[
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
]
CATEGORIES: Final[tuple[str, ...]] = Category.__args__  # type: ignore[attr-defined]
AI_CATEGORIES: Final = frozenset({"ai_assistant", "ai_search", "ai_training_crawler"})


@dataclass(frozen=True, slots=True)
class Agent:
    """A declared client: what it is called, who runs it, what it does."""

    name: str
    operator: str
    category: Category
    pattern: str = ""  # regex matched case-insensitively on whole tokens; default: the name
    ranges: str | None = None  # IP-range snapshot that verifies it (stream_processors/agents/ranges)
    examples: tuple[str, ...] = ()  # User-Agents as the operator documents them

    @property
    def traffic_class(self) -> str:
        return "ai_agent" if self.category in AI_CATEGORIES else "bot"


def _m(product: str) -> str:
    return f"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; {product})"


A = Agent
AGENTS: Final[tuple[Agent, ...]] = (
    # OpenAI: platform.openai.com/docs/bots
    A(
        "GPTBot",
        "OpenAI",
        "ai_training_crawler",
        ranges="openai-gptbot",
        examples=(_m("GPTBot/1.3; +https://openai.com/gptbot"),),
    ),
    A(
        "OAI-SearchBot",
        "OpenAI",
        "ai_search",
        ranges="openai-searchbot",
        examples=(_m("OAI-SearchBot/1.3; +https://openai.com/searchbot"),),
    ),
    A(
        "ChatGPT-User",
        "OpenAI",
        "ai_assistant",
        ranges="openai-chatgpt-user",
        examples=(_m("ChatGPT-User/1.0; +https://openai.com/bot"),),
    ),
    A("ChatGPT Agent", "OpenAI", "ai_assistant", pattern=r"ChatGPT[ -]Agent"),
    # Anthropic: support.claude.com, "Does Anthropic crawl data from the web"
    A(
        "ClaudeBot",
        "Anthropic",
        "ai_training_crawler",
        ranges="anthropic",
        examples=(_m("ClaudeBot/1.0; +claudebot@anthropic.com"),),
    ),
    A(
        "Claude-User",
        "Anthropic",
        "ai_assistant",
        ranges="anthropic",
        examples=(_m("Claude-User/1.0; +Claude-User@anthropic.com"),),
    ),
    A(
        "Claude-SearchBot",
        "Anthropic",
        "ai_search",
        ranges="anthropic",
        examples=(_m("Claude-SearchBot/1.0; +Claude-SearchBot@anthropic.com"),),
    ),
    A("Claude-Web", "Anthropic", "ai_assistant", ranges="anthropic"),
    A("anthropic-ai", "Anthropic", "ai_training_crawler", ranges="anthropic"),
    # Perplexity: docs.perplexity.ai/guides/bots
    A(
        "PerplexityBot",
        "Perplexity",
        "ai_search",
        examples=(_m("PerplexityBot/1.0; +https://perplexity.ai/perplexitybot"),),
    ),
    A(
        "Perplexity-User",
        "Perplexity",
        "ai_assistant",
        pattern=r"Perplexity-?User",
        examples=(_m("Perplexity-User/1.0; +https://perplexity.ai/perplexity-user"),),
    ),
    # Google: developers.google.com/search/docs/crawling-indexing/google-common-crawlers.
    # Google-Extended is a robots.txt token only: Googlebot does the fetching.
    A("Google-Extended", "Google", "ai_training_crawler"),
    A("Google-CloudVertexBot", "Google", "ai_search", ranges="googlebot"),
    A("Gemini-Deep-Research", "Google", "ai_assistant", ranges="google-user-triggered"),
    A("Google-NotebookLM", "Google", "ai_assistant", ranges="google-user-triggered"),
    A("GoogleAgent-Mariner", "Google", "ai_assistant", pattern=r"Google-?Agent-?Mariner"),
    # Apple: support.apple.com/en-us/119829. Applebot-Extended is a robots.txt token only.
    A("Applebot-Extended", "Apple", "ai_training_crawler"),
    # Meta: developers.facebook.com/docs/sharing/webmasters/web-crawlers
    A(
        "meta-externalagent",
        "Meta",
        "ai_training_crawler",
        examples=(
            "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
        ),
    ),
    A(
        "meta-externalfetcher",
        "Meta",
        "ai_assistant",
        examples=(
            "meta-externalfetcher/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
        ),
    ),
    A("FacebookBot", "Meta", "ai_training_crawler"),
    A("meta-webindexer", "Meta", "ai_search"),
    # Amazon: developer.amazon.com/amazonbot
    A(
        "Amazonbot",
        "Amazon",
        "ai_training_crawler",
        examples=(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/119.0.0.0 Safari/537.36 (Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot)",
        ),
    ),
    A("Amzn-SearchBot", "Amazon", "ai_search"),
    A("Amzn-User", "Amazon", "ai_assistant"),
    A("KendraBot", "Amazon", "ai_search"),
    # Microsoft
    A("AzureAI-SearchBot", "Microsoft", "ai_search"),
    # Others that document their agents
    A("Bytespider", "ByteDance", "ai_training_crawler"),
    A("TikTokSpider", "ByteDance", "ai_training_crawler"),
    A("CCBot", "Common Crawl", "ai_training_crawler", examples=("CCBot/2.0 (https://commoncrawl.org/faq/)",)),
    A("cohere-training-data-crawler", "Cohere", "ai_training_crawler"),
    A("cohere-ai", "Cohere", "ai_assistant"),
    A(
        "MistralAI-User",
        "Mistral AI",
        "ai_assistant",
        examples=(
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; MistralAI-User/1.0; "
            "+https://docs.mistral.ai/robots)",
        ),
    ),
    A("MistralAI-Index", "Mistral AI", "ai_search"),
    A("DuckAssistBot", "DuckDuckGo", "ai_search"),
    A("YouBot", "You.com", "ai_search"),
    A("PhindBot", "Phind", "ai_search"),
    A("kagi-fetcher", "Kagi", "ai_assistant"),
    A("TavilyBot", "Tavily", "ai_search"),
    A("LinkupBot", "Linkup", "ai_search"),
    A("Cloudflare-AutoRAG", "Cloudflare", "ai_search"),
    A("DeepSeekBot", "DeepSeek", "ai_training_crawler"),
    A("ChatGLM-Spider", "Zhipu AI", "ai_training_crawler"),
    A("PanguBot", "Huawei", "ai_training_crawler"),
    A("Diffbot", "Diffbot", "ai_training_crawler"),
    A("AI2Bot", "Allen Institute for AI", "ai_training_crawler"),
    A("Ai2Bot-Dolma", "Allen Institute for AI", "ai_training_crawler"),
    A("omgili", "Webz.io", "ai_training_crawler", pattern=r"omgili(?:bot)?"),
    A("Timpibot", "Timpi", "ai_training_crawler"),
    A("ImagesiftBot", "ImageSift", "ai_training_crawler"),
    A("img2dataset", "LAION", "ai_training_crawler"),
    A("FirecrawlAgent", "Firecrawl", "ai_assistant"),
    A("Devin", "Cognition", "ai_assistant"),
    A("iaskspider", "iAsk", "ai_search", pattern=r"iask(?:spider|bot)"),
    A("LinerBot", "Liner", "ai_search"),
    A("YandexAdditional", "Yandex", "ai_search", pattern=r"YandexAdditional(?:Bot)?"),
    A("ProRataInc", "ProRata", "ai_search"),
    A("Applebot", "Apple", "ai_search", ranges="applebot"),  # also feeds Apple Intelligence
    # Search engines
    A(
        "Googlebot",
        "Google",
        "search_crawler",
        pattern=r"Googlebot(?:-Image|-News|-Video|-Mobile)?",
        ranges="googlebot",
    ),
    A("Google-InspectionTool", "Google", "search_crawler", ranges="googlebot"),
    A("Storebot-Google", "Google", "search_crawler", ranges="googlebot"),
    A(
        "GoogleOther",
        "Google",
        "search_crawler",
        pattern=r"GoogleOther(?:-Image|-Video)?",
        ranges="googlebot",
    ),
    A(
        "AdsBot-Google",
        "Google",
        "search_crawler",
        pattern=r"AdsBot-Google(?:-Mobile)?",
        ranges="google-special",
    ),
    A("Mediapartners-Google", "Google", "search_crawler", ranges="google-special"),
    A("FeedFetcher-Google", "Google", "feed_reader", ranges="google-user-triggered"),
    A("Google-Read-Aloud", "Google", "link_preview", ranges="google-user-triggered"),
    A("bingbot", "Microsoft", "search_crawler"),
    A("BingPreview", "Microsoft", "link_preview", ranges="bingbot"),
    A("adidxbot", "Microsoft", "search_crawler", ranges="bingbot"),
    A(
        "YandexBot",
        "Yandex",
        "search_crawler",
        pattern=r"Yandex(?:Bot|Images|Mobile ?Bot|Video|Media|Accessibility ?Bot|Metrika|Direct\w*"
        r"|News|Favicons)",
    ),
    A("DuckDuckBot", "DuckDuckGo", "search_crawler", pattern=r"DuckDuck(?:Go-Favicons-)?Bot"),
    A("Baiduspider", "Baidu", "search_crawler", pattern=r"Baiduspider(?:-\w+)?"),
    A("PetalBot", "Huawei", "search_crawler"),
    A("SeznamBot", "Seznam", "search_crawler"),
    A("Sogou", "Sogou", "search_crawler", pattern=r"Sogou \w+ spider"),
    A("360Spider", "Qihoo 360", "search_crawler"),
    A("NaverBot", "Naver", "search_crawler", pattern=r"Yeti"),
    A("Qwantbot", "Qwant", "search_crawler", pattern=r"Qwant(?:ify|bot)"),
    A("MojeekBot", "Mojeek", "search_crawler"),
    A("Slurp", "Yahoo", "search_crawler"),
    # SEO tools
    A("AhrefsBot", "Ahrefs", "seo_crawler", pattern=r"Ahrefs(?:Bot|SiteAudit)"),
    A("SemrushBot", "Semrush", "seo_crawler", pattern=r"Semrush(?:Bot)?[\w-]*"),
    A("MJ12bot", "Majestic", "seo_crawler"),
    A("DotBot", "Moz", "seo_crawler"),
    A("rogerbot", "Moz", "seo_crawler"),
    A("Screaming Frog SEO Spider", "Screaming Frog", "seo_crawler"),
    A("serpstatbot", "Serpstat", "seo_crawler"),
    A("DataForSeoBot", "DataForSEO", "seo_crawler"),
    A("BLEXBot", "WebMeUp", "seo_crawler"),
    A("SiteAuditBot", "Semrush", "seo_crawler"),
    # Link previews
    A("facebookexternalhit", "Meta", "link_preview"),
    A("facebookcatalog", "Meta", "link_preview"),
    A("Twitterbot", "X", "link_preview"),
    A("LinkedInBot", "LinkedIn", "link_preview"),
    A("Slackbot", "Slack", "link_preview", pattern=r"Slack(?:bot|-ImgProxy)(?:-LinkExpanding)?"),
    A("Discordbot", "Discord", "link_preview"),
    A("TelegramBot", "Telegram", "link_preview"),
    A("WhatsApp", "Meta", "link_preview", pattern=r"WhatsApp(?=/[\d.]+[ /][ANi]\b|/[\d.]+$|$)"),
    A("SkypeUriPreview", "Microsoft", "link_preview"),
    A("Pinterestbot", "Pinterest", "link_preview", pattern=r"Pinterest(?:bot|/0\.)"),
    A("redditbot", "Reddit", "link_preview"),
    A("Embedly", "Embedly", "link_preview"),
    A("Iframely", "Iframely", "link_preview"),
    A("vkShare", "VK", "link_preview"),
    A("Snap URL Preview Service", "Snap", "link_preview"),
    # Monitoring
    A("UptimeRobot", "UptimeRobot", "monitoring"),
    A("Pingdom", "SolarWinds", "monitoring", pattern=r"Pingdom(?:\.com_bot|TMS)?"),
    A("StatusCake", "StatusCake", "monitoring", pattern=r"StatusCake(?:_Pagespeed_Indev)?"),
    A("Site24x7", "Zoho", "monitoring"),
    A("Datadog", "Datadog", "monitoring", pattern=r"Datadog(?:Synthetics|/Synthetics)"),
    A("NewRelicPinger", "New Relic", "monitoring"),
    A("Better Stack", "Better Stack", "monitoring", pattern=r"Better (?:Uptime|Stack) Bot"),
    A("Checkly", "Checkly", "monitoring"),
    A("GTmetrix", "GTmetrix", "monitoring"),
    A("Chrome-Lighthouse", "Google", "monitoring", pattern=r"Chrome-Lighthouse|Lighthouse"),
    # Security scanners
    A("Nessus", "Tenable", "security_scanner"),
    A("Nikto", "CIRT.net", "security_scanner"),
    A("sqlmap", "sqlmap", "security_scanner"),
    A("Nmap Scripting Engine", "Nmap", "security_scanner", pattern=r"Nmap Scripting Engine|nmap"),
    A("zgrab", "ZMap", "security_scanner"),
    A("masscan", "masscan", "security_scanner"),
    A("CensysInspect", "Censys", "security_scanner"),
    A("Expanse", "Palo Alto Networks", "security_scanner", pattern=r"Expanse,? a Palo Alto Networks company"),
    A("Qualys", "Qualys", "security_scanner", pattern=r"Qualys\w*"),
    A("Detectify", "Detectify", "security_scanner"),
    A("WPScan", "WPScan", "security_scanner"),
    A("Nuclei", "ProjectDiscovery", "security_scanner"),
    # Feed readers
    A("Feedly", "Feedly", "feed_reader", pattern=r"Feedly\w*"),
    A("Inoreader", "Inoreader", "feed_reader"),
    A("NewsBlur", "NewsBlur", "feed_reader", pattern=r"NewsBlur(?: \w+)*"),
    A("Feedbin", "Feedbin", "feed_reader"),
    # HTTP clients and automation
    A("curl", "curl", "http_client"),
    A("Wget", "GNU", "http_client"),
    A("python-requests", "Python", "http_client"),
    A("python-httpx", "Python", "http_client"),
    A("Python-urllib", "Python", "http_client"),
    A("aiohttp", "Python", "http_client"),
    A("Scrapy", "Zyte", "http_client"),
    A("Go-http-client", "Go", "http_client"),
    A("okhttp", "Square", "http_client"),
    A("Java", "Java", "http_client", pattern=r"Java(?=/|-http-client)"),
    A("Apache-HttpClient", "Apache", "http_client"),
    A("axios", "axios", "http_client"),
    A("node-fetch", "node-fetch", "http_client"),
    A("undici", "Node.js", "http_client"),
    A("libwww-perl", "Perl", "http_client"),
    A("Guzzle", "Guzzle", "http_client", pattern=r"Guzzle(?:Http)?"),
    A("PostmanRuntime", "Postman", "http_client"),
    A("HeadlessChrome", "Google", "headless_browser"),
    A("PhantomJS", "PhantomJS", "headless_browser"),
    A("Puppeteer", "Google", "headless_browser"),
    A("Playwright", "Microsoft", "headless_browser"),
    A("Selenium", "Selenium", "headless_browser"),
)
BY_NAME: Final[dict[str, Agent]] = {a.name: a for a in AGENTS}
