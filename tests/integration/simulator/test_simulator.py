"""The simulator against real services: catalog in PostgreSQL, messages on the topic as the truth says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from scan_analytics.settings import Settings
from schemas.errors import InvalidScanEvent
from schemas.validation import validate_scan_event
from simulator import run as simulator
from simulator.catalog import build_catalog
from simulator.run import SimulationConfig
from simulator.truth import ROW_KEY
from tests.integration.producers.conftest import consume_all

pytestmark = pytest.mark.integration


def catalog_counts(url: str) -> tuple[int, ...]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM brands),"
            " (SELECT count(*) FROM products),"
            " (SELECT count(*) FROM organization_memberships WHERE user_id = 'alice' AND is_default)"
        ).fetchone()
    assert row is not None
    return tuple(int(v) for v in row)


def test_simulation_matches_its_truth(unique_topics: Settings) -> None:
    settings = unique_topics
    config = SimulationConfig(events=4_000, seed=11)
    truth = simulator.run(settings, config)
    catalog = build_catalog()
    assert catalog_counts(settings.database_url) == (
        len(catalog.organizations),
        len(catalog.brands),
        len(catalog.products),
        1,
    )

    received = consume_all(settings, settings.topic_raw, truth.events_sent)
    assert len(received) == truth.events_sent == 4_000
    undecodable = sum(1 for _, value, error in received if error is not None)
    invalid, ids = 0, Counter[str]()
    for _, value, _ in received:
        if value is None:
            continue
        try:
            ids[validate_scan_event(value)["event_id"]] += 1
        except InvalidScanEvent:
            invalid += 1
    assert undecodable + invalid == truth.malformed
    assert undecodable > 0 and invalid > 0
    assert len(ids) == truth.valid_distinct + truth.too_late
    assert sum(ids.values()) - len(ids) == truth.resends
    known = {p.gtin14 for p in catalog.products}
    assert {row["gtin"] for row in truth.rows} <= known

    # Re-running writes the catalog again without harm.
    simulator.run(settings, SimulationConfig(events=10, seed=12))
    assert catalog_counts(settings.database_url)[2] == len(catalog.products)


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "SCAN_ANALYTICS_DATABASE_URL": settings.database_url,
        "SCAN_ANALYTICS_TOPIC_RAW": settings.topic_raw,
        "SCAN_ANALYTICS_TOPIC_ENRICHED": settings.topic_enriched,
        "SCAN_ANALYTICS_TOPIC_DLQ": settings.topic_dlq,
    }
    return subprocess.run(
        [sys.executable, "-m", "scan_analytics.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_simulate_command_writes_the_truth(unique_topics: Settings, tmp_path: Path) -> None:
    out = tmp_path / "truth.json"
    result = cli(unique_topics, "simulate", "--events", "800", "--seed", "3", "--truth", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "valid distinct scans" in result.stdout
    truth = json.loads(out.read_text())
    assert truth["events_sent"] == 800 and truth["seed"] == 3
    assert sum(r["scans"] for r in truth["rows"]) == truth["valid_distinct"]
    assert set(truth["rows"][0]) == {*ROW_KEY, "scans"}
    assert {"traffic_class", "category", "agent", "operator", "verification"} <= set(ROW_KEY)


def test_schemas_and_topics_commands(unique_topics: Settings) -> None:
    result = cli(unique_topics, "schemas", "register")
    assert result.returncode == 0, result.stderr
    assert "compatibility BACKWARD" in result.stdout and f"{unique_topics.topic_raw}-value" in result.stdout
    result = cli(unique_topics, "topics", "create")
    assert result.returncode == 0 and result.stdout.count("created") == 3
    assert "all topics exist" in cli(unique_topics, "topics", "create").stdout


def test_bad_options_are_one_line_errors(unique_topics: Settings) -> None:
    result = cli(unique_topics, "simulate", "--days", "30", "--events", "5")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("scan-analytics: error: --days must be within")
    assert len(result.stderr.strip().splitlines()) == 1


def test_forever_mode_trickles_until_stopped(unique_topics: Settings) -> None:
    stop = threading.Event()
    sent: list[int] = []
    worker = threading.Thread(
        target=lambda: sent.append(
            simulator.run_forever(unique_topics, SimulationConfig(rate=200), stop, report=lambda _: None)
        )
    )
    worker.start()
    stop.wait(3.0)
    stop.set()
    worker.join(60)
    assert not worker.is_alive() and 100 < sent[0] < 2_000
    assert len(consume_all(unique_topics, unique_topics.topic_raw, sent[0], decode=False)) == sent[0]
