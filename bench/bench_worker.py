"""One worker process end to end, next to a bare confluent-kafka loop, in the same run.

Both read the same pre-produced raw topic (the simulator's traffic). The bare
loop decodes, validates, enriches (User-Agent, country), encodes and produces
EnrichedScanEvent in one process, without faust, tables or a sink. The worker
does all of that plus the keyed IP hash, the batched by-IP hop, the rate rule,
the daily tables and the PostgreSQL sink. Prints events/s of both, their ratio and microseconds per
stage.

    .venv/bin/python bench/bench_worker.py [--events 100000] [--partitions 4]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

import schemas
from scan_analytics import migrate
from scan_analytics.devgeo import ensure_country_mmdb
from scan_analytics.settings import ENV_PREFIX, Settings, load_settings
from schemas import registry_client, validate_scan_event
from simulator.run import SimulationConfig, run
from stream_processors.enrich import GeoResolver, classify_user_agent
from stream_processors.records import enriched


def env_for(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"{ENV_PREFIX}{name.upper()}"] = json.dumps(value) if isinstance(value, list) else str(value)
    return env


def bare_loop(settings: Settings, total: int) -> tuple[float, dict[str, float]]:
    """Consume raw, decode, validate, enrich, encode, produce; return (seconds, µs per stage)."""
    registry = registry_client(settings.schema_registry_url)
    decoder = schemas.Decoder(registry, schemas.schema_text(schemas.SCAN_EVENT))
    encoder = schemas.encoder(
        registry,
        f"{settings.topic_enriched}-bare-value",
        schemas.schema_text(schemas.ENRICHED_SCAN_EVENT),
        auto_register=True,
    )
    geo = GeoResolver(settings.geoip_path)
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"bare-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "linger.ms": 10, "log_level": 0})
    out_topic = f"{settings.topic_enriched}-bare"
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    for future in admin.create_topics(
        [NewTopic(out_topic, num_partitions=settings.topic_partitions, replication_factor=1)]
    ).values():
        future.result()
    consumer.subscribe([settings.topic_raw])
    stages = dict.fromkeys(("consume", "rejected", "decode", "validate", "enrich", "encode", "produce"), 0.0)
    seen = 0
    started = None
    clock = time.perf_counter
    while seen < total:
        c0 = clock()
        batch = consumer.consume(500, timeout=1.0)
        if started is None and batch:
            started = clock()
        elif batch:
            stages["consume"] += clock() - c0
        for msg in batch:
            if msg.error():
                continue
            seen += 1
            t0 = clock()
            try:
                record = decoder.decode(msg.value())
                t1 = clock()
                valid = validate_scan_event(record)
            except Exception:
                stages["rejected"] += clock() - t0
                continue
            t2 = clock()
            out = enriched(
                valid,
                classify_user_agent(valid["user_agent"]),
                geo.country(valid["client_ip"]),
                rate_bot=False,
            )
            t3 = clock()
            value = encoder.encode(out)
            t4 = clock()
            producer.produce(out_topic, key=out["gtin"].encode(), value=value)
            producer.poll(0)
            t5 = clock()
            stages["decode"] += t1 - t0
            stages["validate"] += t2 - t1
            stages["enrich"] += t3 - t2
            stages["encode"] += t4 - t3
            stages["produce"] += t5 - t4
    remaining = producer.flush(60)
    assert remaining == 0, f"{remaining} records not delivered to {out_topic}"
    elapsed = clock() - (started or clock())
    consumer.close()
    return elapsed, {k: v / seen * 1e6 for k, v in stages.items()}


def group_lag(settings: Settings, consumer: Consumer) -> int:
    lag = 0
    for topic in (settings.topic_raw, f"{settings.worker_id}-scans-by-ip"):
        meta = consumer.list_topics(topic, timeout=10).topics.get(topic)
        if meta is None or not meta.partitions:
            return -1
        tps = [TopicPartition(topic, p) for p in meta.partitions]
        for tp in consumer.committed(tps, timeout=10):
            _low, high = consumer.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=10)
            lag += high - max(tp.offset, 0)
    return lag


def worker_run(settings: Settings, total: int, log: Path) -> tuple[float, float, dict[str, float]]:
    """Run `scan-analytics worker` until every input topic is drained; (seconds, startup, µs/stage)."""
    cli = Path(sys.executable).with_name("scan-analytics")
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(cli), "worker"], env=env_for(settings), stdout=out, stderr=subprocess.STDOUT
        )
    probe = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": settings.worker_id,
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    first = None
    try:
        while proc.poll() is None:
            time.sleep(0.5)
            raw = probe.committed(
                [TopicPartition(settings.topic_raw, p) for p in range(settings.topic_partitions)], timeout=10
            )
            if first is None and any(tp.offset > 0 for tp in raw):
                first = time.perf_counter()
            if first is not None and group_lag(settings, probe) == 0:
                break
        done = time.perf_counter()
        metrics = (
            urllib.request.urlopen(f"http://127.0.0.1:{settings.worker_web_port}/metrics", timeout=5)
            .read()
            .decode()
        )
    finally:
        probe.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    sums = {}
    for line in metrics.splitlines():
        if line.startswith("scan_worker_stage_seconds_sum"):
            sums[line.split('"')[1]] = float(line.split()[-1]) / total * 1e6
    assert first is not None, f"the worker processed nothing; see {log}"
    return done - first, first - started, sums


def scratch_pipeline(base: Settings, tag: str, partitions: int, web_port: int) -> tuple[Settings, Path]:
    """Settings with a migrated database, topics and a data folder of this run alone; and the folder."""
    rid = uuid.uuid4().hex[:8]
    dbname = f"sa_bench_{rid}"
    with psycopg.connect(base.database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    url = make_conninfo(base.database_url, dbname=dbname)
    migrate.apply(url, base.schemas_dir / "sql")
    ensure_country_mmdb(base.geoip_path)
    datadir = Path(tempfile.mkdtemp(prefix=f"sa-{tag}-"))
    settings = base.model_copy(
        update={
            "database_url": url,
            "topic_raw": f"scans.raw.{tag}.{rid}",
            "topic_enriched": f"scans.enriched.{tag}.{rid}",
            "topic_dlq": f"scans.dlq.{tag}.{rid}",
            "worker_id": f"sa-{tag}-{rid}",
            "worker_data_dir": datadir,
            "topic_partitions": partitions,
            "worker_web_port": web_port,
        }
    )
    return settings, datadir


def drop_scratch(base: Settings, settings: Settings, datadir: Path) -> None:
    """Drop the run's database and data folder."""
    dbname = conninfo_to_dict(settings.database_url)["dbname"]
    with psycopg.connect(base.database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(dbname))))
    shutil.rmtree(datadir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    base = load_settings()
    settings, datadir = scratch_pipeline(base, "bench", args.partitions, web_port=16100)
    url = settings.database_url
    try:
        t0 = time.perf_counter()
        truth = run(settings, SimulationConfig(events=args.events, seed=5, write_catalog=False))
        print(
            f"produced {truth.events_sent} records ({truth.valid_distinct} valid distinct) "
            f"in {time.perf_counter() - t0:.1f} s; {args.partitions} partitions"
        )
        total = truth.events_sent
        bare_s, bare_stages = bare_loop(settings, total)
        worker_s, startup_s, worker_stages = worker_run(settings, total, datadir / "worker.log")
        bare_rate, worker_rate = total / bare_s, total / worker_s
        print(f"bare confluent-kafka loop : {bare_rate:10,.0f} events/s ({bare_s:.1f} s)")
        print(
            f"worker (faust, 2 agents)  : {worker_rate:10,.0f} events/s ({worker_s:.1f} s after "
            f"{startup_s:.1f} s start-up)"
        )
        print(f"ratio worker / bare       : {worker_rate / bare_rate:10.2f}")
        print("bare loop, µs per event  : " + ", ".join(f"{k} {v:.1f}" for k, v in bare_stages.items()))
        print("worker, µs per raw event  : " + ", ".join(f"{k} {v:.1f}" for k, v in worker_stages.items()))
        with psycopg.connect(url) as conn:
            days = conn.execute("SELECT coalesce(sum(scans), 0) FROM scan_daily_summary").fetchone()
            hours = conn.execute("SELECT coalesce(sum(scans), 0) FROM scan_hourly_summary").fetchone()
        print(
            f"scan_daily_summary total {days[0] if days else 0}, scan_hourly_summary total "
            f"{hours[0] if hours else 0} (truth {truth.valid_distinct})"
        )
    finally:
        drop_scratch(base, settings, datadir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
