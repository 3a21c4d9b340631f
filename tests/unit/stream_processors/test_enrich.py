"""classify_user_agent and GeoResolver: the shared classification rules, answered for any input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scan_analytics.devgeo import COUNTRY_NETWORKS, build_country_mmdb, city_networks, place_of
from stream_processors.bots import AI_AGENTS, AUTOMATION_CLIENTS, CRAWLERS
from stream_processors.enrich import NAME_LIMIT, GeoResolver, Place, classify_user_agent

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


@pytest.mark.parametrize(
    ("ip", "place"),
    [
        ("24.16.1.2", Place("US", "US-TX", "Texas", "Austin")),
        ("::ffff:24.16.1.2", Place("US", "US-TX", "Texas", "Austin")),
        ("24.16.64.9", Place("US", "US-IL", "Illinois", "Chicago")),
        ("2600:1::5", Place("US", "US-TX", "Texas", "Austin")),
        ("24.16.250.1", Place("US")),  # the country-only quarter
        ("90.0.3.4", Place("FR", "FR-IDF", "Île-de-France", "Paris")),
        ("46.80.1.1", Place("DE", "DE-BY", "Bavaria", "Munich")),
        ("126.0.1.1", Place("JP", "JP-13", "Tokyo", "Tokyo")),
        ("177.0.1.1", Place("BR", "BR-SP", "São Paulo", "São Paulo")),
        ("10.0.0.1", None),
        ("45.0.0.1", None),
        ("not an ip", None),
    ],
)
def test_place_table(geo: GeoResolver, ip: str, place: Place | None) -> None:
    assert geo.place(ip) == place


@pytest.mark.parametrize("iso", sorted(COUNTRY_NETWORKS))
def test_place_of_every_city_is_the_simulators_truth(geo: GeoResolver, iso: str) -> None:
    for _, v4, v6 in city_networks(iso):
        for ip in (str(v4.network_address + 7), str(v6.network_address + 7)):
            assert tuple(geo.place(ip) or ()) == tuple(place_of(ip) or ())
            assert geo.country(ip) == iso


def write_mmdb(path: Path, records: dict[str, Any], database_type: str = "GeoIP2-City") -> Path:
    """Write a database of one record per IPv4 network, as devgeo does."""
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=database_type, languages=["en"])
    for network, record in records.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


US = {"iso_code": "US", "names": {"en": "United States"}}
TEXAS = {"iso_code": "TX", "names": {"en": "Texas"}}
LONG_NAMED = {"iso_code": "9", "names": {"en": "X" * 999}}


def city(name: Any, subdivisions: Any = (TEXAS,), country: Any = US) -> dict[str, Any]:
    return {"country": country, "subdivisions": list(subdivisions), "city": {"names": {"en": name}}}


# network -> (record as the database holds it, the Place it must give)
HOSTILE: dict[str, tuple[Any, Place | None]] = {
    "8.0.0.0/24": (city("Aus\x00tin\x1b"), Place("US", "US-TX", "Texas", "Austin")),
    "8.0.1.0/24": (city("\u202eAustin\u200b"), Place("US", "US-TX", "Texas", "Austin")),
    "8.0.2.0/24": (city(" New\nYork\u00a0 City\t"), Place("US", "US-TX", "Texas", "New York City")),
    "8.0.3.0/24": (city("A" * NAME_LIMIT), Place("US", "US-TX", "Texas", "A" * NAME_LIMIT)),
    "8.0.4.0/24": (city("A" * (NAME_LIMIT + 1)), Place("US", "US-TX", "Texas", None)),
    "8.0.5.0/24": (city("x" * 100_000), Place("US", "US-TX", "Texas", None)),
    "8.0.6.0/24": (city(42), Place("US", "US-TX", "Texas", None)),
    "8.0.7.0/24": (city(["Austin"]), Place("US", "US-TX", "Texas", None)),
    "8.0.8.0/24": (city(" \x00\t "), Place("US", "US-TX", "Texas", None)),
    "8.0.9.0/24": ({"country": US, "city": {"names": "Austin"}}, Place("US")),
    "8.0.10.0/24": ({"country": US, "city": "Austin"}, Place("US")),
    "8.0.11.0/24": (city("Austin", subdivisions=()), Place("US", None, None, "Austin")),
    "8.0.12.0/24": (city("Austin", [{**TEXAS, "iso_code": "tx"}]), Place("US", None, "Texas", "Austin")),
    "8.0.13.0/24": (city("Austin", [{"iso_code": "TEXAS"}]), Place("US", None, None, "Austin")),
    "8.0.14.0/24": (city("Austin", [{"iso_code": 48}]), Place("US", None, None, "Austin")),
    "8.0.15.0/24": (city("Austin", [{"iso_code": "T\nX"}]), Place("US", None, None, "Austin")),
    "8.0.16.0/24": (city("Austin", ["TX"]), Place("US", None, None, "Austin")),
    "8.0.17.0/24": ({**city("Austin"), "subdivisions": TEXAS}, Place("US", None, None, "Austin")),
    "8.0.18.0/24": (city("Austin", country={"iso_code": "USA"}), Place(None, None, "Texas", "Austin")),
    "8.0.19.0/24": (city("Austin", country={"iso_code": 840}), Place(None, None, "Texas", "Austin")),
    "8.0.20.0/24": (city("Austin", country="US"), Place(None, None, "Texas", "Austin")),
    "8.0.21.0/24": ("just a string", None),
    "8.0.22.0/24": ({"city": {"names": {"en": 7}}}, None),
    "8.0.23.0/24": ({"registered_country": US}, Place("US")),
    "8.0.24.0/24": (city("Austin", [LONG_NAMED]), Place("US", "US-9", None, "Austin")),
    # DB-IP City Lite: a region's English name, no ISO code
    "8.0.25.0/24": (city("Austin", [{"names": {"en": "Texas"}}]), Place("US", None, "Texas", "Austin")),
}  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GeoResolver:
    path = tmp_path_factory.mktemp("geo") / "hostile.mmdb"
    return GeoResolver(write_mmdb(path, {net: record for net, (record, _) in HOSTILE.items()}))


@pytest.mark.parametrize("network", sorted(HOSTILE))
def test_untrusted_database_values_are_cleaned_bounded_or_dropped(hostile: GeoResolver, network: str) -> None:
    ip = network.replace("0/24", "9")
    assert hostile.place(ip) == HOSTILE[network][1]
    place = hostile.place(ip)
    assert hostile.country(ip) == (place.country if place else None)
    for text in place or ():
        assert text is None or (text.isprintable() and 0 < len(text) <= NAME_LIMIT)


def test_a_country_database_gives_the_country_alone(tmp_path: Path) -> None:
    path = write_mmdb(
        tmp_path / "country.mmdb",
        {"8.0.0.0/24": {"country": US}, "8.0.1.0/24": {"registered_country": US}},
        "GeoLite2-Country",
    )
    resolver = GeoResolver(path)
    for ip in ("8.0.0.1", "8.0.1.1"):
        assert resolver.place(ip) == Place("US", None, None, None)
        assert resolver.country(ip) == "US"
    assert resolver.place("8.0.2.1") is None
    resolver.close()


def test_lookups_are_cached_per_address(tmp_path: Path) -> None:
    resolver = GeoResolver(write_mmdb(tmp_path / "c.mmdb", {"8.0.0.0/24": city("Austin")}), cache_size=2)
    for ip in ("8.0.0.1", "8.0.0.1", "8.0.0.2", "8.0.0.3"):
        resolver.place(ip)
    info = resolver.place.cache_info()  # type: ignore[attr-defined]
    assert (info.hits, info.misses, info.currsize, info.maxsize) == (1, 3, 2, 2)
    resolver.close()


@given(st.text(max_size=300))
def test_any_name_is_answered_printable_and_bounded(name: str) -> None:
    from stream_processors.enrich import _name

    cleaned = _name(name)
    assert cleaned is None or (cleaned.isprintable() and 0 < len(cleaned) <= NAME_LIMIT)
    assert cleaned is None or cleaned == cleaned.strip()
