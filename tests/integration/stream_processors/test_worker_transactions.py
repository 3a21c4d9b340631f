"""An outside producer writing scans.raw in transactions: every scan counted, none waited on.

Each transaction leaves an offset that holds no record (its commit or abort marker). The
worker steps over such holes at once; taken for skipped records, each would hold its
partition for a minute before being given up on.
"""

from __future__ import annotations

import os
import time

import pytest
from confluent_kafka import Producer

from producers import ScanPublisher
from scan_analytics.contracts import ensure_topics, publisher_config
from scan_analytics.settings import Settings
from simulator.run import SimulationConfig, plan, send
from simulator.traffic import Scan
from tests.integration.stream_processors.conftest import (
    WorkerProcess,
    enriched_summary,
    expected_counts,
    wait_for,
)
from tests.integration.stream_processors.test_worker_failures import assert_exact

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

EVENTS = int(os.environ.get("SA_WORKER_TEST_EVENTS", "100000"))
PER_TRANSACTION = 20
ABORT_EVERY = 10  # every 10th transaction is aborted after writing the previous one's scans again


def test_transactions_of_an_outside_producer_count_exact(
    pipeline: Settings, workers: list[WorkerProcess]
) -> None:
    _catalog, messages, truth = plan(
        pipeline, SimulationConfig(events=max(4_000, EVENTS // 16), seed=47, write_catalog=False)
    )
    ensure_topics(pipeline)
    producer = Producer(
        {
            "bootstrap.servers": pipeline.kafka_bootstrap,
            "transactional.id": f"resolver-tx-{pipeline.worker_id}",
            "linger.ms": 5,
        }
    )
    producer.init_transactions(30)
    transactions = aborted = 0
    with ScanPublisher(publisher_config(pipeline)) as publisher:
        scans: list[tuple[bytes, bytes]] = []
        for message in messages:
            if isinstance(message, Scan):
                key, value, _event_id = publisher.encode(message.record)
                scans.append((key, value))
            else:  # malformed records through the publisher's own (non-transactional) path
                send(publisher, message)
        assert publisher.flush(60) == 0 and not publisher.stats.failed
    previous: list[tuple[bytes, bytes]] = []
    for start in range(0, len(scans), PER_TRANSACTION):
        if transactions and transactions % ABORT_EVERY == 0:
            producer.begin_transaction()  # resends of the last transaction, then aborted
            for key, value in previous:
                producer.produce(pipeline.topic_raw, value=value, key=key)
            assert producer.flush(30) == 0  # in the log before the abort (it purges what is unsent)
            producer.abort_transaction(30)
            aborted += 1
        previous = scans[start : start + PER_TRANSACTION]
        producer.begin_transaction()
        for key, value in previous:
            producer.produce(pipeline.topic_raw, value=value, key=key)
        producer.commit_transaction(30)
        transactions += 1
    assert producer.flush(30) == 0

    worker = workers[0]
    started = time.monotonic()
    worker.start()
    expected = expected_counts(truth)
    got = wait_for(pipeline.database_url, expected, timeout=600, alive=[worker])
    assert_exact(expected, got, [worker])
    elapsed = time.monotonic() - started
    enriched = enriched_summary(pipeline)
    assert enriched["distinct_scans"] == truth.valid_distinct, enriched
    # a marker per transaction, each stepped over; none waited on as a skipped record
    assert worker.metric("scan_worker_offset_holes_total") >= transactions + aborted - 4, (
        transactions,
        aborted,
        elapsed,
    )
    assert worker.metric("scan_worker_skipped_records_total") == 0
