"""The worker killed between its output flush and its commit, and the registry away. Totals exact."""

from __future__ import annotations

import os
import random
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from producers import ScanPublisher
from scan_analytics.contracts import publisher_config
from scan_analytics.services import registry
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings
from stream_processors.app import KILL_AFTER_FLUSH, LOSE_RECORD
from tests.integration.conftest import create_database, drop_database
from tests.integration.stream_processors.conftest import (
    WorkerProcess,
    enriched_summary,
    expected_counts,
    has_rows,
    publish_planned,
    wait_for,
)
from tests.integration.stream_processors.test_worker_failures import assert_drained, assert_exact, simulate

# a worker run waits up to 600 s for its counts after publishing: above the default test limit
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1200)]

EVENTS = int(os.environ.get("SA_WORKER_TEST_EVENTS", "100000"))


def test_sigkill_after_output_flush_before_commit(pipeline: Settings, workers: list[WorkerProcess]) -> None:
    """Each agent's outputs are flushed, then the process dies before faust commits the batch."""
    expected, truth = simulate(pipeline, max(10_000, EVENTS // 4), seed=21)
    worker = workers[0]
    rnd = random.Random()
    hooks = [f"route:{rnd.randint(1, 5)}", f"classify:{rnd.randint(1, 3)}", f"classify:{rnd.randint(2, 6)}"]
    for hook in hooks:
        worker.start(**{KILL_AFTER_FLUSH: hook})
        code = worker.wait(240)
        assert code == -signal.SIGKILL, f"{hook}: the hook did not fire (exit {code})\n{worker.tail()}"
    worker.start()
    got = wait_for(pipeline.database_url, expected, timeout=600, alive=[worker])
    assert_exact(expected, got, [worker])
    assert_drained(pipeline)
    enriched = enriched_summary(pipeline)
    assert enriched["distinct_scans"] == truth.valid_distinct, enriched
    assert enriched["bots_last_wins"] == sum(r["scans"] for r in truth.rows if r["is_bot"]), enriched
    assert worker.stop() == 0


def test_records_skipped_by_the_consumer_are_read_again(
    pipeline: Settings, workers: list[WorkerProcess]
) -> None:
    """Records vanish before either agent sees them (faust's skip around a rebalance): none is lost."""
    expected, _truth = simulate(pipeline, max(10_000, EVENTS // 10), seed=23)
    worker = workers[0]
    worker.start(**{LOSE_RECORD: "route:3,classify:2"})
    got = wait_for(pipeline.database_url, expected, timeout=600, alive=[worker])
    assert_exact(expected, got, [worker])
    assert worker.metric("scan_worker_rewinds_total") >= 2, worker.tail()
    assert worker.metric("scan_worker_skipped_records_total") == 0, worker.tail()
    assert_drained(pipeline)
    assert worker.stop() == 0


@pytest.fixture()
def own_registry(pipeline: Settings, base_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """The pipeline's settings with a registry of this test alone (own port, own database)."""
    port = free_port()
    database = f"sa_test_registry_{uuid.uuid4().hex[:8]}"
    own = pipeline.model_copy(
        update={
            "services_dir": tmp_path / "services",
            "apicurio_port": port,
            "apicurio_database": database,
            "apicurio_heap": "384m",
            "schema_registry_url": f"http://127.0.0.1:{port}/apis/ccompat/v7",
        }
    )
    # The shared registry's unpacked distribution, instead of resolving it again.
    app = f"apicurio-registry-{own.apicurio_version}"
    (own.services_dir / "apicurio").mkdir(parents=True)
    (own.services_dir / "apicurio" / app).symlink_to(base_settings.services_dir / "apicurio" / app)
    create_database(base_settings.database_url, database)
    try:
        registry.start(own)
        yield own
    finally:
        registry.stop(own)
        drop_database(base_settings.database_url, database)


def test_registry_down_30s_totals_exact(own_registry: Settings, tmp_path: Path) -> None:
    """Registry stopped for 30 s while scans arrive and the worker restarts with nothing cached."""
    settings = own_registry
    events = max(5_000, EVENTS // 8)
    worker = WorkerProcess(settings, "reg", tmp_path)
    try:
        with ScanPublisher(publisher_config(settings)) as publisher:
            first = publish_planned(settings, events, seed=22, publisher=publisher)
            worker.start()
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and not has_rows(settings.database_url):
                time.sleep(1)
            assert has_rows(settings.database_url), worker.tail()
            assert registry.stop(settings)
            worker.kill()
            worker.start()  # a fresh process: no writer schema, no enriched schema known
            second = publish_planned(settings, events, seed=23, publisher=publisher)  # lookup cached
            time.sleep(30)
            assert worker.alive(), worker.tail()
            assert worker.metric("scan_worker_registry_retries_total") > 0, worker.tail()
            registry.start(settings)
        expected = Counter(expected_counts(first))
        expected.update(expected_counts(second))
        got = wait_for(settings.database_url, dict(expected), timeout=600, alive=[worker])
        assert_exact(dict(expected), got, [worker])
        assert_drained(settings)
    finally:
        worker.stop()
