"""Whatever key the outside producer gives scans.raw, the counts and verdicts are exact."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Any

import pytest

from producers import ScanPublisher
from scan_analytics.contracts import publisher_config
from scan_analytics.settings import Settings
from tests.integration.stream_processors.conftest import (
    KeyOf,
    WorkerProcess,
    enriched_summary,
    expected_counts,
    publish_planned,
    wait_for,
)
from tests.integration.stream_processors.test_worker_failures import assert_exact

# a worker run waits up to 600 s for its counts after publishing: above the default test limit
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1200)]

EVENTS = int(os.environ.get("SA_WORKER_TEST_EVENTS", "100000"))


def _other_team(record: Mapping[str, Any]) -> bytes:
    # a key of its own per event that a resend repeats, unrelated to GTIN or IP
    return hashlib.sha256(b"resolver-b:" + str(record["event_id"]).encode()).digest()[:12]


KEYS: dict[str, KeyOf | None] = {
    "gtin": None,  # the documented key, as ScanPublisher.publish sets it
    "client_ip": lambda r: str(r["client_ip"]).encode(),
    "per_event": _other_team,
}


@pytest.mark.parametrize("key", sorted(KEYS))
def test_any_key_of_raw_counts_exact(key: str, pipeline: Settings, workers: list[WorkerProcess]) -> None:
    with ScanPublisher(publisher_config(pipeline)) as publisher:
        truth = publish_planned(
            pipeline, max(8_000, EVENTS // 8), seed=31, publisher=publisher, key=KEYS[key]
        )
    expected = expected_counts(truth)
    worker = workers[0]
    worker.start()
    got = wait_for(pipeline.database_url, expected, timeout=600, alive=[worker])
    assert_exact(expected, got, [worker])
    enriched = enriched_summary(pipeline)
    assert enriched["distinct_scans"] == truth.valid_distinct, enriched
    assert enriched["bots_last_wins"] == sum(r["scans"] for r in truth.rows if r["is_bot"]), enriched
    assert truth.resends > 0 and any(r["is_bot"] for r in truth.rows)
