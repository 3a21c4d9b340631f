"""The shipped range snapshots: an address from each list verifies its agents, one outside is spoofed."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest

from stream_processors.agents.catalog import AGENTS
from stream_processors.agents.verify import RANGES_DIR, Snapshot, default_snapshot, verify

OUTSIDE = ("192.0.2.1", "2001:db8::1")  # documentation addresses: in no operator's list

AGENTS_BY_LIST = {
    "googlebot": (
        "Googlebot",
        "GoogleOther",
        "Google-InspectionTool",
        "Storebot-Google",
        "Google-CloudVertexBot",
    ),
    "google-special": ("AdsBot-Google", "Mediapartners-Google"),
    "google-user-triggered": (
        "FeedFetcher-Google",
        "Google-Read-Aloud",
        "Google-NotebookLM",
        "Gemini-Deep-Research",
    ),
    "openai-chatgpt-user": ("ChatGPT-User",),
    "bingbot": ("adidxbot", "BingPreview"),
}
# Shipped, but not yet named by the catalog entry it is for (PerplexityBot, bingbot): the
# simulator's table of declared clients has to name it in the same change.
NOT_YET_NAMED = {"perplexitybot": "PerplexityBot"}


def _prefixes(name: str) -> list[str]:
    doc: dict[str, Any] = json.loads((RANGES_DIR / f"{name}.json").read_text())
    return [p.get("ipv4Prefix") or p["ipv6Prefix"] for p in doc["prefixes"]]


def _inside(prefix: str) -> str:
    """An address inside prefix: the last one, so a /32 gives itself."""
    return str(ipaddress.ip_network(prefix).broadcast_address)


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return Snapshot.load(RANGES_DIR)


@pytest.mark.parametrize(("name", "agent"), [(n, a) for n, agents in AGENTS_BY_LIST.items() for a in agents])
def test_an_address_of_the_list_verifies_and_one_outside_is_spoofed(
    snapshot: Snapshot, name: str, agent: str
) -> None:
    prefixes = _prefixes(name)
    for prefix in (prefixes[0], prefixes[len(prefixes) // 2], prefixes[-1]):
        result = verify(agent, _inside(prefix), snapshot)
        assert (result.status, result.ranges) == ("verified", name), (agent, prefix)
        assert result.created == snapshot.lists[name].created
    ipv6 = any(":" in p for p in prefixes)
    for ip in OUTSIDE if ipv6 else OUTSIDE[:1]:
        assert verify(agent, ip, snapshot).status == "spoofed", (agent, ip)


def test_google_user_triggered_holds_both_of_googles_documents(snapshot: Snapshot) -> None:
    # user-triggered-fetchers.json (user-owned fetches, 2404:f340::/… and GCP) comes first,
    # user-triggered-fetchers-google.json (Google's own proxies, 66.249.x and others) after it.
    prefixes = _prefixes("google-user-triggered")
    assert len(prefixes) == len(set(prefixes)) == 1056 + 438
    google_owned = next(p for p in prefixes if p.startswith("66.249."))
    user_owned = prefixes[0]
    for prefix in (google_owned, user_owned):
        assert verify("FeedFetcher-Google", _inside(prefix), snapshot).status == "verified"
    # a Google-owned fetcher's address is not a Googlebot address, nor the other way round
    assert verify("Googlebot", _inside(google_owned), snapshot).status == "spoofed"
    assert verify("FeedFetcher-Google", _inside(_prefixes("googlebot")[0]), snapshot).status == "spoofed"


@pytest.mark.parametrize(
    ("name", "count", "created"),
    [
        ("googlebot", 315, "2026-08-21T14:45:42.000000"),
        ("google-special", 270, "2026-08-21T14:46:19.000000"),
        ("google-user-triggered", 1494, "2025-09-11T14:46:44.000000"),
        ("openai-chatgpt-user", 217, "2026-09-17T13:04:59.394838Z"),
        ("bingbot", 28, "2024-01-03T10:00:00.121331"),
        ("perplexitybot", 8, "2025-02-07T16:56:00.000000"),
    ],
)
def test_the_snapshot_is_the_one_sources_names(name: str, count: int, created: str) -> None:
    sources = json.loads((RANGES_DIR / "SOURCES.json").read_text())
    assert sources[name]["creationTime"] == created
    assert json.loads((RANGES_DIR / f"{name}.json").read_text())["creationTime"] == created
    assert len(_prefixes(name)) == count


def test_every_shipped_list_is_named_by_an_agent() -> None:
    named = {a.ranges for a in AGENTS if a.ranges}
    assert set(default_snapshot().lists) - named <= set(NOT_YET_NAMED)


@pytest.mark.parametrize("name", sorted(NOT_YET_NAMED))
def test_a_list_not_yet_named_holds_its_addresses(snapshot: Snapshot, name: str) -> None:
    ranges = snapshot.lists[name]
    for prefix in _prefixes(name):
        assert ipaddress.ip_address(_inside(prefix)) in ranges
    assert ipaddress.ip_address(OUTSIDE[0]) not in ranges


def test_an_agent_whose_list_is_not_shipped_stays_unverified(snapshot: Snapshot) -> None:
    assert "perplexity-user" not in snapshot.lists
    assert verify("Perplexity-User", "192.0.2.1", snapshot).status == "unverified"
