"""Fixtures for the worker's integration tests: a fresh database and topics per test, worker processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC
from pathlib import Path
from typing import Any

import psycopg
import pytest
from confluent_kafka import Consumer, TopicPartition

from producers import ScanPublisher
from scan_analytics.contracts import ensure_topics
from scan_analytics.devgeo import ensure_country_mmdb
from scan_analytics.settings import ENV_PREFIX, Settings
from simulator.run import SimulationConfig, plan, send
from simulator.traffic import Scan
from simulator.truth import HOURLY_ROW_KEY, PLACE_ROW_KEY, ROW_KEY, Truth
from tests.integration.conftest import isolated


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a `scan-analytics` process read exactly these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        text = json.dumps(value) if isinstance(value, list | dict) else str(value)
        env[f"{ENV_PREFIX}{name.upper()}"] = text
    return env


@pytest.fixture()
def pipeline(base_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings with a fresh migrated database, fresh topics and a fresh consumer group."""
    rid = uuid.uuid4().hex[:10]
    ensure_country_mmdb(base_settings.geoip_path)
    with isolated(
        base_settings,
        f"sp_{rid}",
        worker_id=f"sa-sp-{rid}",
        worker_data_dir=tmp_path / "worker",
        worker_web_port=17000 + int(rid[:4], 16) % 2000,
        sink_interval_seconds=1.0,
    ) as own:
        yield own


class WorkerProcess:
    """`scan-analytics worker` as a child process with its own log."""

    def __init__(self, settings: Settings, instance: str, log_dir: Path, port_offset: int = 0) -> None:
        self.settings = settings.model_copy(
            update={"worker_instance": instance, "worker_web_port": settings.worker_web_port + port_offset}
        )
        self.log_path = log_dir / f"worker-{instance}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, **env: str) -> None:
        """Start the worker; `env` adds variables (the crash hook)."""
        log = self.log_path.open("ab")
        cli = Path(sys.executable).with_name("scan-analytics")
        self.proc = subprocess.Popen(
            [str(cli), "worker", "--loglevel", "INFO"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=settings_env(self.settings) | env,
        )
        self.starts += 1

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def wait(self, timeout: float) -> int | None:
        """Wait for the process to exit; its return code, or None if it still runs."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def metric(self, name: str) -> float:
        """The sum of a metric's samples on the worker's /metrics."""
        url = f"http://127.0.0.1:{self.settings.worker_web_port}/metrics"
        text = urllib.request.urlopen(url, timeout=10).read().decode()
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith(name) and line[len(name) : len(name) + 1] in (" ", "{")
        )

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


@pytest.fixture()
def workers(pipeline: Settings, tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    """Up to three worker processes of one group (started by the test); stopped at teardown."""
    procs = [WorkerProcess(pipeline, str(i), tmp_path, port_offset=i) for i in range(3)]
    yield procs
    for p in procs:
        p.stop()


def summary(url: str) -> dict[tuple[Any, ...], int]:
    """scan_daily_summary's rows, the day as text."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT {', '.join(ROW_KEY)}, scans FROM scan_daily_summary").fetchall()
    return {tuple(str(v) if i == 0 else v for i, v in enumerate(r[:-1])): r[-1] for r in rows}


def hourly_summary(url: str) -> dict[tuple[Any, ...], int]:
    """scan_hourly_summary's rows, the hour as a UTC ISO 8601 instant."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT {', '.join(HOURLY_ROW_KEY)}, scans FROM scan_hourly_summary").fetchall()
    return {(r[0].astimezone(UTC).isoformat(), *r[1:-1]): r[-1] for r in rows}


def place_summary(url: str) -> dict[tuple[Any, ...], int]:
    """scan_daily_place_summary's rows, tagged "place", the day as text."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(PLACE_ROW_KEY)}, scans FROM scan_daily_place_summary"
        ).fetchall()
    return {("place", str(r[0]), *r[1:-1]): r[-1] for r in rows}


def counts(url: str) -> dict[tuple[Any, ...], int]:
    """Every daily, hourly and place count row (their first columns tell them apart)."""
    return summary(url) | hourly_summary(url) | place_summary(url)


def has_rows(url: str) -> bool:
    """Whether scan_daily_summary holds any row (False while the database is away)."""
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute("SELECT count(*) FROM scan_daily_summary").fetchone()
            return bool(row and row[0])
    except psycopg.Error:
        return False


KeyOf = Callable[[Mapping[str, Any]], bytes | None]


def publish_planned(
    settings: Settings, events: int, seed: int, publisher: ScanPublisher, key: KeyOf | None = None
) -> Truth:
    """Publish the simulator's planned traffic through `publisher`; valid scans keyed by `key`.

    Without `key` scans carry the documented key (the GTIN). Malformed records keep the
    simulator's key. The publisher's schema lookup is cached, so it can publish while the
    registry is away once it has published before.
    """
    _catalog, messages, truth = plan(
        settings, SimulationConfig(events=events, seed=seed, write_catalog=False)
    )
    ensure_topics(settings)
    for message in messages:
        if key is not None and isinstance(message, Scan):
            _documented, value, event_id = publisher.encode(message.record)
            publisher.publish_raw(key(message.record), value, event_id)
        else:
            send(publisher, message)
    assert publisher.flush(60) == 0 and not publisher.stats.failed
    return truth


def truth_rows(rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], int]:
    return {tuple(str(r[k]) if k == "day" else r[k] for k in ROW_KEY): r["scans"] for r in rows}


def expected_counts(truth: Truth) -> dict[tuple[Any, ...], int]:
    """The truth's daily, hourly and place rows, as `counts` reads them."""
    hourly = {tuple(r[k] for k in HOURLY_ROW_KEY): r["scans"] for r in truth.hourly_rows}
    places = {("place", *(r[k] for k in PLACE_ROW_KEY)): r["scans"] for r in truth.place_rows}
    return truth_rows(truth.rows) | hourly | places


def wait_for(
    url: str, expected: dict[tuple[Any, ...], int], timeout: float, alive: list[WorkerProcess] | None = None
) -> dict[tuple[Any, ...], int]:
    """Poll the daily and hourly counts until they equal expected or timeout; return the last read."""
    deadline = time.monotonic() + timeout
    got: dict[tuple[Any, ...], int] = {}
    while time.monotonic() < deadline:
        try:
            got = counts(url)
        except psycopg.OperationalError:
            got = {}
        if got == expected:
            return got
        if alive is not None and not any(w.alive() for w in alive):
            break
        time.sleep(2)
    return got


def group_lag(settings: Settings) -> dict[str, int]:
    """Unconsumed records per input topic of the worker group (high water minus committed)."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": settings.worker_id,
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    try:
        out: dict[str, int] = {}
        topics = consumer.list_topics(timeout=10).topics
        for topic in (settings.topic_raw, f"{settings.worker_id}-scans-by-ip"):
            tps = [TopicPartition(topic, p) for p in topics[topic].partitions]
            committed = consumer.committed(tps, timeout=10)
            lag = 0
            for tp in committed:
                _low, high = consumer.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=10)
                lag += high - max(tp.offset, 0)
            out[topic] = lag
        return out
    finally:
        consumer.close()


def _read_topic(consumer: Consumer, topic: str, timeout: float) -> Iterator[Any]:
    """Yield the topic's records until none came for 3 s (timeout before the first); close the consumer."""
    consumer.subscribe([topic])
    idle_until = time.monotonic() + timeout
    try:
        while time.monotonic() < idle_until:
            msg = consumer.poll(1.0)
            if msg is None or msg.error():
                continue
            idle_until = time.monotonic() + 3
            yield msg
    finally:
        consumer.close()


def dead_letters(settings: Settings, timeout: float = 20.0) -> dict[tuple[str, str, str], str]:
    """Every record of the dead-letter topic by its source (topic, partition, offset) -> reason."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"dlq-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    out: dict[tuple[str, str, str], str] = {}
    for msg in _read_topic(consumer, settings.topic_dlq, timeout):
        h = {k: v.decode() for k, v in (msg.headers() or [])}
        out[(h["dlq-topic"], h["dlq-partition"], h["dlq-offset"])] = h["dlq-reason"]
    return out


def enriched_summary(settings: Settings, timeout: float = 20.0) -> dict[str, int]:
    """Read the whole enriched topic: records, distinct event ids, bots with the last record winning."""
    import schemas

    decoder = schemas.Decoder(
        schemas.registry_client(settings.schema_registry_url),
        schemas.schema_text(schemas.ENRICHED_SCAN_EVENT),
    )
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"enr-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 0,
            "isolation.level": "read_committed",
        }
    )
    records = 0
    last_verdict: dict[str, bool] = {}
    for msg in _read_topic(consumer, settings.topic_enriched, timeout):
        records += 1
        event = decoder.decode(msg.value())
        assert "client_ip" not in event
        last_verdict[event["event_id"]] = event["is_bot"]
    return {
        "records": records,
        "distinct_scans": len(last_verdict),
        "bots_last_wins": sum(last_verdict.values()),
    }


def topic_bytes(settings: Settings, topic: str, timeout: float = 15.0) -> Iterator[bytes]:
    """Every key, value and header value of a topic, from the beginning."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"all-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    for msg in _read_topic(consumer, topic, timeout):
        yield msg.key() or b""
        yield msg.value() or b""
        for _k, v in msg.headers() or []:
            yield v or b""


def topic_values(settings: Settings, topic: str, timeout: float = 15.0) -> Iterator[bytes]:
    """Every value of a topic, from the beginning."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"all-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    for msg in _read_topic(consumer, topic, timeout):
        yield msg.value() or b""
