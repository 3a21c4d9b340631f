"""One client IP flooding the worker: cost per event, largest record produced, worker memory.

Floods of 1k, 10k and 100k scans (default), each from one IP of its own, all inside five
minutes of event time, go one after the other through one `scan-analytics worker` (tables
and sink on). For each flood it prints the wall time from the first record to the drained
group per event, the agents' own time per event (scan_worker_stage_seconds), and the
worker's RSS. At the end it reads every topic the worker wrote (internal topic, changelogs,
scans.enriched, dead letters) and prints the largest record, and checks that
scan_daily_summary counts every scan.

    .venv/bin/python bench/bench_worker_flood.py [--floods 1000,10000,100000]

With `--background N` it first sends N scans of the simulator's traffic and prints the RSS
after it, a bounded long run for the memory trend (`--floods ''` for that alone).
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
from bench_worker import drop_scratch, env_for, group_lag, scratch_pipeline
from confluent_kafka import Consumer, KafkaException
from confluent_kafka.admin import AdminClient  # type: ignore[attr-defined]

from producers import ScanPublisher
from scan_analytics.contracts import ensure_topics, publisher_config
from scan_analytics.settings import Settings, load_settings
from simulator.catalog import build_catalog
from simulator.run import SimulationConfig, run

UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
FIVE_MIN_MS = 300_000


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stage_seconds(settings: Settings) -> float:
    url = f"http://127.0.0.1:{settings.worker_web_port}/metrics"
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    return sum(
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith("scan_worker_stage_seconds_sum")
    )


def wait_drained(settings: Settings, probe: Consumer, proc: subprocess.Popen[bytes]) -> float:
    """Wait until the group has committed everything; return the monotonic time it did."""
    while proc.poll() is None:
        try:
            if group_lag(settings, probe) == 0:
                return time.monotonic()
        except KafkaException:  # a topic the worker has just created has no leader yet
            pass
        time.sleep(0.25)
    raise SystemExit(f"the worker exited with {proc.returncode}")


def flood(publisher: ScanPublisher, n: int, ip: str, rng: random.Random) -> None:
    """n scans from one IP, spread over the five minutes before now, over the catalog's products."""
    products = build_catalog(3, 3, 20).products
    now = int(time.time() * 1000) - 1000
    for _ in range(n):
        p = rng.choice(products)
        publisher.publish(
            {
                "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "occurred_at": now - rng.randrange(FIVE_MIN_MS),
                "gtin": p.gtin,
                "organization_id": p.organization_id,
                "brand_id": p.brand_id,
                "digital_link": f"https://id.{p.organization_id}.example/01/{p.gtin14}",
                "link_type": None,
                "client_ip": ip,
                "user_agent": UA,
                "referer": None,
                "accept_language": "en-US",
                "status_code": 307,
            }
        )
    assert publisher.flush(120) == 0


def largest_records(settings: Settings) -> dict[str, int]:
    """The largest key + value + headers of every topic the worker writes."""
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    topics = [
        t
        for t in admin.list_topics(timeout=10).topics
        if t.startswith(settings.worker_id) or t in (settings.topic_enriched, settings.topic_dlq)
    ]
    out: dict[str, int] = {}
    for topic in topics:
        consumer = Consumer(
            {
                "bootstrap.servers": settings.kafka_bootstrap,
                "group.id": f"size-{uuid.uuid4()}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                "log_level": 0,
            }
        )
        consumer.subscribe([topic])
        biggest, idle = 0, time.monotonic() + 10
        while time.monotonic() < idle:
            for msg in consumer.consume(1000, timeout=1.0):
                if msg.error():
                    continue
                idle = time.monotonic() + 3
                size = len(msg.key() or b"") + len(msg.value() or b"")
                size += sum(len(k) + len(v or b"") for k, v in msg.headers() or [])
                biggest = max(biggest, size)
        consumer.close()
        out[topic] = biggest
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--floods", default="1000,10000,100000", help="scans per flood, comma-separated")
    parser.add_argument("--background", type=int, default=0, help="simulator scans sent first (RSS trend)")
    parser.add_argument("--steps", type=int, default=1, help="send the background in this many steps")
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    floods = [int(x) for x in args.floods.split(",") if x.strip()]
    base = load_settings()
    port = 16200 + random.randrange(500)
    settings, datadir = scratch_pipeline(base, "flood", args.partitions, web_port=port)
    ensure_topics(settings)
    cli = Path(sys.executable).with_name("scan-analytics")
    log = datadir / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(cli), "worker"], env=env_for(settings), stdout=out, stderr=subprocess.STDOUT
        )
    probe = Consumer(
        {"bootstrap.servers": settings.kafka_bootstrap, "group.id": settings.worker_id, "log_level": 0}
    )
    expected = 0
    try:
        rng = random.Random(7)
        with ScanPublisher(publisher_config(settings)) as publisher:
            flood(publisher, 10, "198.51.100.1", rng)  # start-up and first lookups, not measured
            expected += 10
            wait_drained(settings, probe, proc)
            print(f"worker started; RSS {rss_mib(proc.pid):.0f} MiB")
            sent = 0
            for step in range(args.steps if args.background else 0):
                n = args.background // args.steps
                t0 = time.monotonic()
                truth = run(settings, SimulationConfig(events=n, seed=100 + step, write_catalog=False))
                expected += sum(r["scans"] for r in truth.rows)
                sent += n
                done = wait_drained(settings, probe, proc)
                print(
                    f"background {sent:>9,} scans: {(done - t0) / n * 1e6:7.0f} µs/event incl. publishing, "
                    f"RSS {rss_mib(proc.pid):6.0f} MiB"
                )
            print(f"{'flood':>9} {'µs/event wall':>14} {'µs/event agents':>16} {'RSS MiB':>8}")
            for i, n in enumerate(floods):
                before = stage_seconds(settings)
                t0 = time.monotonic()
                flood(publisher, n, f"203.0.113.{10 + i}", rng)
                done = wait_drained(settings, probe, proc)
                expected += n
                agents = stage_seconds(settings) - before
                print(
                    f"{n:>9,} {(done - t0) / n * 1e6:14.0f} {agents / n * 1e6:16.0f} {rss_mib(proc.pid):8.0f}"
                )
        deadline = time.monotonic() + 60
        total = -1
        while time.monotonic() < deadline and total != expected:
            with psycopg.connect(settings.database_url) as conn:
                row = conn.execute("SELECT coalesce(sum(scans), 0) FROM scan_daily_summary").fetchone()
            total = int(row[0]) if row else 0
            time.sleep(1)
        print(f"scan_daily_summary total {total} (expected {expected})")
        sizes = largest_records(settings)
        top = max(sizes, key=lambda t: sizes[t])
        print(
            "largest record per topic (bytes): " + ", ".join(f"{t}: {s:,}" for t, s in sorted(sizes.items()))
        )
        print(f"largest record produced: {sizes[top]:,} bytes ({top})")
    finally:
        probe.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        drop_scratch(base, settings, datadir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
