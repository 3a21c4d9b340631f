"""verify(): verified inside the operator's ranges, spoofed outside them, unverified without a list."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from stream_processors.agents.commands import RefreshError, refresh
from stream_processors.agents.verify import Snapshot, default_snapshot, verify, with_verification
from stream_processors.enrich import classify_user_agent

GOOGLE_SHAPE = {
    "creationTime": "2026-01-02T03:04:05.000000",
    "prefixes": [
        {"ipv4Prefix": "192.0.2.0/25"},
        {"ipv4Prefix": "192.0.2.128/26"},
        {"ipv6Prefix": "2001:db8:1::/48"},
    ],
}


@pytest.fixture
def snapshot(tmp_path: Path) -> Snapshot:
    (tmp_path / "googlebot.json").write_text(json.dumps(GOOGLE_SHAPE))
    (tmp_path / "SOURCES.json").write_text("{}")
    return Snapshot.load(tmp_path)


@pytest.mark.parametrize(
    ("agent", "ip", "status"),
    [
        ("Googlebot", "192.0.2.1", "verified"),
        ("Googlebot", "192.0.2.191", "verified"),
        ("Googlebot", "192.0.2.192", "spoofed"),
        ("Googlebot", "::ffff:192.0.2.7", "verified"),
        ("Googlebot", "2001:db8:1:ffff::1", "verified"),
        ("Googlebot", "2001:db8:2::1", "spoofed"),
        ("Googlebot", "not an ip", "unverified"),
        ("GoogleOther", "198.51.100.1", "spoofed"),
        ("Slackbot", "198.51.100.1", "unverified"),
        ("NoSuchAgent", "198.51.100.1", "unverified"),
        (None, "198.51.100.1", "unverified"),
    ],
)
def test_verify_table(snapshot: Snapshot, agent: str | None, ip: str, status: str) -> None:
    assert verify(agent, ip, snapshot).status == status


def test_snapshot_date_for_the_metric(snapshot: Snapshot) -> None:
    assert verify("Googlebot", "192.0.2.1", snapshot).created == "2026-01-02T03:04:05.000000"
    oldest = snapshot.oldest()
    assert oldest is not None and (oldest.year, oldest.month, oldest.day) == (2026, 1, 2)


def test_a_spoofed_crawler_is_a_bot_whatever_the_ua_says(snapshot: Snapshot) -> None:
    cls = classify_user_agent("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    spoofed = with_verification(cls, verify(cls.agent_name, "203.0.113.9", snapshot))
    assert (spoofed.traffic_class, spoofed.is_bot, spoofed.bot_reason) == ("bot", True, "spoofed_agent")
    assert (spoofed.category, spoofed.verification, spoofed.agent_name) == (
        "unknown_bot",
        "spoofed",
        "Googlebot",
    )
    verified = with_verification(cls, verify(cls.agent_name, "192.0.2.9", snapshot))
    assert verified == replace(cls, verification="verified")


def test_the_shipped_snapshot_loads_and_every_list_has_its_source() -> None:
    snapshot = default_snapshot()
    sources = json.loads(
        (Path(__file__).parents[4] / "stream_processors/agents/ranges/SOURCES.json").read_text()
    )
    assert snapshot.lists and set(snapshot.lists) == set(sources)
    assert verify("GPTBot", "20.171.206.5").status == "verified"
    assert verify("GPTBot", "8.8.8.8").status == "spoofed"


def test_refresh_from_a_file_and_a_url(tmp_path: Path) -> None:
    (tmp_path / "SOURCES.json").write_text("{}")
    source = tmp_path / "in.json"
    source.write_text(json.dumps(GOOGLE_SHAPE))
    assert refresh("googlebot", str(source), tmp_path) == ("2026-01-02T03:04:05.000000", 3)
    assert verify("Googlebot", "192.0.2.1", Snapshot.load(tmp_path)).status == "verified"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={**GOOGLE_SHAPE, "creationTime": "2026-02-02T00:00:00Z"})

    created, _ = refresh(
        "googlebot", "https://example.test/googlebot.json", tmp_path, httpx.MockTransport(handler)
    )
    assert created == "2026-02-02T00:00:00Z"
    assert json.loads((tmp_path / "SOURCES.json").read_text())["googlebot"]["creationTime"] == created


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"creationTime": "x", "prefixes": []},
        {"creationTime": "x", "prefixes": [{"ipv4Prefix": "300.1.1.0/24"}]},
    ],
)
def test_refresh_refuses_what_is_not_a_range_list(tmp_path: Path, doc: object) -> None:
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(doc))
    with pytest.raises(RefreshError):
        refresh("googlebot", str(source), tmp_path)
    assert not (tmp_path / "googlebot.json").exists()
