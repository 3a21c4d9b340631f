"""One worker process end to end, next to a bare confluent-kafka loop, in the same run.

Both read the same pre-produced raw topic (the simulator's traffic). The bare
loop decodes, validates, enriches (User-Agent, country), encodes and produces
EnrichedScanEvent in one process, without faust, tables or a sink. The worker
does all of that plus the keyed IP hash, the batched by-IP hop, the rate rule,
the daily tables and the PostgreSQL sink. Prints events/s of both, their ratio and microseconds per
stage, and the CPU time per event of each process (all its threads), which moves less than the
rates when other work shares the machine.

With `--workers N` (N > 1) the bare loop is left out: the raw topic is read by one worker, then,
on a fresh pipeline of its own (database, worker id, enriched, dead-letter and internal topics,
data folder) by N workers of one consumer group (instances 0..N-1, one metrics port each). Both
runs are timed the same way, from the group's first committed offset on the raw topic to its lag
reaching zero on every input topic, and both summaries are checked against the simulator's truth.
Prints events/s of one and of N workers and their ratio, and per raw event the agents' time and
the time in sink flushes (`scan_worker_sink_flush_seconds`), summed over the workers.
`--keep-logs` copies the workers' logs out of the scratch folders (they are kept when a run fails).

    .venv/bin/python bench/bench_worker.py [--events 100000] [--partitions 4] [--workers 2] [--keep-logs]
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
from psycopg.conninfo import conninfo_to_dict

import schemas
from scan_analytics import migrate
from scan_analytics.contracts import drop_topics, scratch_names
from scan_analytics.databases import create_database, drop_database
from scan_analytics.devgeo import ensure_country_mmdb
from scan_analytics.settings import ENV_PREFIX, Settings, load_settings
from schemas import registry_client, validate_scan_event
from simulator.run import SimulationConfig, run
from stream_processors.enrich import GeoResolver, classify_user_agent
from stream_processors.records import enriched

STALL_SECONDS = 180  # a lag that does not move this long ends the run (faust-streaming#606)


def env_for(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"{ENV_PREFIX}{name.upper()}"] = json.dumps(value) if isinstance(value, list) else str(value)
    return env


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bare_loop(settings: Settings, total: int) -> tuple[float, float, dict[str, float]]:
    """Consume raw, decode, validate, enrich, encode, produce; return (seconds, CPU seconds, µs per stage)."""
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
    started, cpu_started = None, 0.0
    clock = time.perf_counter
    while seen < total:
        c0 = clock()
        batch = consumer.consume(500, timeout=1.0)
        if started is None and batch:
            started, cpu_started = clock(), cpu_seconds(os.getpid())
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
    cpu = cpu_seconds(os.getpid()) - cpu_started
    consumer.close()
    return elapsed, cpu, {k: v / seen * 1e6 for k, v in stages.items()}


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


def start_worker(settings: Settings, instance: int, log: Path) -> subprocess.Popen[bytes]:
    """Start `scan-analytics worker` as instance `instance`, metrics on WORKER_WEB_PORT + instance."""
    cli = Path(sys.executable).with_name("scan-analytics")
    own = settings.model_copy(
        update={"worker_instance": str(instance), "worker_web_port": settings.worker_web_port + instance}
    )
    with log.open("wb") as out:
        return subprocess.Popen([str(cli), "worker"], env=env_for(own), stdout=out, stderr=subprocess.STDOUT)


SINK = "sink flush"  # not an agent stage: PostgreSQL writes, awaited beside the agents


def stage_sums(settings: Settings, instances: int) -> dict[str, float]:
    """Seconds per stage and in sink flushes, added up over the running instances."""
    sums: dict[str, float] = {}
    for instance in range(instances):
        url = f"http://127.0.0.1:{settings.worker_web_port + instance}/metrics"
        for line in urllib.request.urlopen(url, timeout=5).read().decode().splitlines():
            if line.startswith("scan_worker_stage_seconds_sum"):
                stage = line.split('"')[1]
                sums[stage] = sums.get(stage, 0.0) + float(line.split()[-1])
            elif line.startswith("scan_worker_sink_flush_seconds_sum"):
                sums[SINK] = sums.get(SINK, 0.0) + float(line.split()[-1])
    return sums


def worker_run(
    settings: Settings, total: int, logdir: Path, workers: int = 1
) -> tuple[float, float, float, dict[str, float]]:
    """Run `workers` worker processes until every input topic is drained.

    Returns (seconds, startup seconds, CPU seconds of the processes, µs per stage). The
    run is timed from the group's first commit on the raw topic to no lag; the records
    committed by that first commit were read before it, so the seconds and CPU seconds are
    those of the records committed inside the window, scaled to all `total` records.
    """
    started = time.perf_counter()
    procs = [start_worker(settings, i, logdir / f"worker-{i}.log") for i in range(workers)]
    probe = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": settings.worker_id,
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    first, cpu_first, cpu, before = None, 0.0, 0.0, 0
    lag, moved = -1, time.perf_counter()
    try:
        while all(proc.poll() is None for proc in procs):
            time.sleep(0.5)
            raw = probe.committed(
                [TopicPartition(settings.topic_raw, p) for p in range(settings.topic_partitions)], timeout=10
            )
            if first is None and any(tp.offset > 0 for tp in raw):
                first = time.perf_counter()
                cpu_first = sum(cpu_seconds(proc.pid) for proc in procs)
                before = sum(max(tp.offset, 0) for tp in raw)
            if first is not None:
                now_lag = group_lag(settings, probe)
                if now_lag == 0:
                    break
                if now_lag != lag:
                    lag, moved = now_lag, time.perf_counter()
                elif time.perf_counter() - moved > STALL_SECONDS:
                    raise RuntimeError(f"the group's lag stayed at {lag} for {STALL_SECONDS} s; see {logdir}")
        done = time.perf_counter()
        cpu = sum(cpu_seconds(proc.pid) for proc in procs) - cpu_first
        sums = stage_sums(settings, workers)
    finally:
        probe.close()
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(60)
    assert first is not None, f"the worker processed nothing; see {logdir}"
    scale = total / max(total - before, 1)
    return (done - first) * scale, first - started, cpu * scale, {k: v / total * 1e6 for k, v in sums.items()}


def scratch_pipeline(base: Settings, tag: str, partitions: int, web_port: int) -> tuple[Settings, Path]:
    """Settings with a migrated database, topics and a data folder of this run alone; and the folder."""
    rid = uuid.uuid4().hex[:8]
    dbname = f"sa_bench_{rid}"
    url = create_database(base.database_url, dbname)
    migrate.apply(url, base.schemas_dir / "sql")
    ensure_country_mmdb(base.geoip_path)
    datadir = Path(tempfile.mkdtemp(prefix=f"sa-{tag}-"))
    settings = base.model_copy(
        update={
            "database_url": url,
            **scratch_names(f"{tag}.{rid}"),
            "worker_data_dir": datadir,
            "topic_partitions": partitions,
            "worker_web_port": web_port,
        }
    )
    return settings, datadir


def drop_scratch(base: Settings, settings: Settings, datadir: Path) -> None:
    """Drop the run's database, topics (its own and the worker's internal ones) and data folder."""
    dbname = conninfo_to_dict(settings.database_url)["dbname"]
    drop_database(base.database_url, str(dbname))
    shutil.rmtree(datadir, ignore_errors=True)
    drop_topics(settings, f"{settings.topic_enriched}-bare")


def summary_totals(url: str) -> tuple[int, int]:
    """Sums of scans in scan_daily_summary and scan_hourly_summary."""
    with psycopg.connect(url) as conn:
        days = conn.execute("SELECT coalesce(sum(scans), 0) FROM scan_daily_summary").fetchone()
        hours = conn.execute("SELECT coalesce(sum(scans), 0) FROM scan_hourly_summary").fetchone()
    return int(days[0]) if days else 0, int(hours[0]) if hours else 0


def keep_logs(datadir: Path) -> None:
    """Copy the run's worker logs out of its data folder, which is dropped, and say where and whose."""
    logs = sorted(datadir.glob("*.log"))
    if logs:
        kept = Path(tempfile.mkdtemp(prefix="sa-bench-logs-"))
        for log in logs:
            shutil.copy(log, kept)
        sys.stdout.flush()  # after the figures printed so far
        print(f"logs of {len(logs)} worker(s) kept in {kept}", file=sys.stderr, flush=True)


def bare_and_one(settings: Settings, truth_valid: int, total: int, datadir: Path) -> None:
    """Print the bare loop and one worker side by side (the default)."""
    bare_s, bare_cpu, bare_stages = bare_loop(settings, total)
    worker_s, startup_s, worker_cpu, worker_stages = worker_run(settings, total, datadir)
    bare_rate, worker_rate = total / bare_s, total / worker_s
    print(f"bare confluent-kafka loop : {bare_rate:10,.0f} events/s ({bare_s:.1f} s)")
    print(
        f"worker (faust, 2 agents)  : {worker_rate:10,.0f} events/s ({worker_s:.1f} s after "
        f"{startup_s:.1f} s start-up)"
    )
    print(f"ratio worker / bare       : {worker_rate / bare_rate:10.2f}")
    bare_us, worker_us = bare_cpu / total * 1e6, worker_cpu / total * 1e6
    # CPU time is counted in clock ticks: a run over within one tick of the window reads 0
    ratio = f"{bare_us / worker_us:.2f}" if worker_us else "n/a, too short a run to time: more --events"
    print(
        f"CPU µs per event          : bare {bare_us:.0f}, worker {worker_us:.0f} "
        f"(ratio bare / worker {ratio}; all threads, same window as events/s)"
    )
    print("bare loop, µs per event  : " + ", ".join(f"{k} {v:.1f}" for k, v in bare_stages.items()))
    shown = {k: v for k, v in worker_stages.items() if k != SINK}
    print("worker, µs per raw event  : " + ", ".join(f"{k} {v:.1f}" for k, v in shown.items()))
    days, hours = summary_totals(settings.database_url)
    print(f"scan_daily_summary total {days}, scan_hourly_summary total {hours} (truth {truth_valid})")


def one_and_many(
    base: Settings, settings: Settings, truth_valid: int, total: int, datadir: Path, workers: int, keep: bool
) -> None:
    """Print one worker, then `workers` workers on a fresh pipeline reading the same raw topic."""
    rates = {}
    for n in (1, workers):
        if n == 1:
            run_settings, run_dir = settings, datadir
        else:
            fresh, run_dir = scratch_pipeline(base, f"bench{n}", settings.topic_partitions, web_port=16100)
            run_settings = fresh.model_copy(update={"topic_raw": settings.topic_raw})
        try:
            seconds, startup_s, _cpu, stages = worker_run(run_settings, total, run_dir, workers=n)
            days, hours = summary_totals(run_settings.database_url)
            rates[n] = total / seconds
            label = f"{n} worker{'s' if n > 1 else ''} (faust, 2 agents)"
            print(f"{label:<28}: {rates[n]:10,.0f} events/s ({seconds:.1f} s after {startup_s:.1f} s start)")
            print("  µs per raw event, summed : " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
            print(f"  scan_daily_summary total {days}, scan_hourly_summary {hours} (truth {truth_valid})")
            if keep and n != 1:  # the one worker's logs are kept by main
                keep_logs(run_dir)
        except BaseException:
            if n != 1:
                keep_logs(run_dir)
            raise
        finally:
            if n != 1:
                drop_scratch(base, run_settings, run_dir)
    print(f"ratio {workers} workers / 1 worker   : {rates[workers] / rates[1]:10.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument(
        "--workers", type=int, default=1, help="compare one worker with this many (default 1: the bare loop)"
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the workers' logs (always on failure)")
    args = parser.parse_args()
    base = load_settings()
    settings, datadir = scratch_pipeline(base, "bench", args.partitions, web_port=16100)
    try:
        t0 = time.perf_counter()
        truth = run(settings, SimulationConfig(events=args.events, seed=5, write_catalog=False))
        print(
            f"produced {truth.events_sent} records ({truth.valid_distinct} valid distinct) "
            f"in {time.perf_counter() - t0:.1f} s; {args.partitions} partitions"
        )
        if args.workers > 1:
            one_and_many(
                base, settings, truth.valid_distinct, truth.events_sent, datadir, args.workers, args.keep_logs
            )
        else:
            bare_and_one(settings, truth.valid_distinct, truth.events_sent, datadir)
        if args.keep_logs:
            keep_logs(datadir)
    except BaseException:
        keep_logs(datadir)
        raise
    finally:
        drop_scratch(base, settings, datadir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
