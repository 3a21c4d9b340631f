"""Publisher throughput next to a bare confluent-kafka loop producing the same pre-serialized bytes.

Against the running local broker and registry, on a fresh topic per run. In the
same run and with the same producer settings (idempotent, acks=all, zstd,
linger 20 ms, batch 1 MB), interleaved, each repeated --runs times:

- publisher:   ScanPublisher.publish(record) for N simulated scans (validation,
               Avro encoding, produce), then flush: the figure the resolver gets;
- bare:        confluent_kafka.Producer.produce(topic, value, key) of the same
               N pre-serialized (key, value) pairs, then flush: the ceiling;
- bare+encode: the bare loop also encoding each (already validated) scan with
               fastavro's schemaless writer behind the wire-format header, the
               schema id looked up once: a loop without the library;
- encode:      validation + encoding alone, no Kafka (where the time goes).

Prints the median events/s of each and the ratios publisher / bare and
publisher / bare+encode, after one uncounted warm-up round of each.

    .venv/bin/python bench/bench_publisher.py [--events 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from fastavro import schemaless_writer

import schemas
from producers import ScanPublisher
from scan_analytics.contracts import publisher_config
from scan_analytics.settings import load_settings
from schemas.codec import HEADER, MAGIC, parse
from schemas.validation import to_millis, validate_scan_event
from simulator.catalog import build_catalog
from simulator.traffic import DAY_MS, Scan, Shares, TrafficPlanner


def records(n: int) -> list[dict[str, Any]]:
    now_ms = to_millis(datetime.now(UTC))
    planner = TrafficPlanner(build_catalog(), seed=1, shares=Shares(malformed=0, resend=0))
    return [m.record for m in planner.plan(n, now_ms - 3 * DAY_MS, now_ms, now_ms, 7) if isinstance(m, Scan)]


def timed(fn: Callable[[], None], n: int) -> float:
    start = time.perf_counter()
    fn()
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    settings = load_settings()
    topic = f"bench.publisher.{uuid.uuid4().hex[:8]}"
    schemas.ensure_topics(settings.kafka_bootstrap, [schemas.TopicSpec(topic, settings.topic_partitions)])
    config = publisher_config(settings, topic=topic)
    data = records(args.events)
    n = len(data)

    publisher = ScanPublisher(config)
    encoded = [publisher.encode(r)[:2] for r in data]  # also registers the schema before timing
    bare = Producer(config.producer_config())
    schema_text = schemas.schema_text(schemas.SCAN_EVENT)
    schema_id = schemas.schema_id(
        schemas.registry_client(config.schema_registry_url),
        schemas.value_subject(topic),
        schema_text,
        auto_register=True,
    )
    header = HEADER.pack(MAGIC, schema_id)
    plain_schema = parse(schema_text)
    plain = [validate_scan_event(r) for r in data]

    def run_publisher() -> None:
        for r in data:
            publisher.publish(r)
        assert publisher.flush(120) == 0

    def run_bare() -> None:
        for key, value in encoded:
            while True:
                try:
                    bare.produce(topic, value=value, key=key)
                    break
                except BufferError:
                    bare.poll(0.05)
            bare.poll(0)
        assert bare.flush(120) == 0

    def run_bare_encode() -> None:
        for r in plain:
            buf = BytesIO()
            buf.write(header)
            schemaless_writer(buf, plain_schema, r)
            value = buf.getvalue()
            while True:
                try:
                    bare.produce(topic, value=value, key=r["gtin"])
                    break
                except BufferError:
                    bare.poll(0.05)
            bare.poll(0)
        assert bare.flush(120) == 0

    def run_encode() -> None:
        for r in data:
            publisher.encode(r)

    run_bare()  # warm-up: connections, metadata, the first batches
    run_bare_encode()
    run_publisher()
    rates: dict[str, list[float]] = {"publisher": [], "bare": [], "bare+encode": [], "encode": []}
    for _ in range(args.runs):
        rates["bare"].append(timed(run_bare, n))
        rates["bare+encode"].append(timed(run_bare_encode, n))
        rates["publisher"].append(timed(run_publisher, n))
        rates["encode"].append(timed(run_encode, n))
    publisher.close()

    print(f"topic {topic}, {settings.topic_partitions} partitions, {n} scans per run, {args.runs} runs")
    for name, values in rates.items():
        runs = ", ".join(f"{v:,.0f}" for v in values)
        print(f"  {name:<11} median {statistics.median(values):>10,.0f} events/s   (runs: {runs})")
    for base in ("bare", "bare+encode"):
        ratio = statistics.median(rates["publisher"]) / statistics.median(rates[base])
        print(f"  publisher / {base} = {ratio:.2f}")
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    admin.delete_topics([topic])[topic].result()


if __name__ == "__main__":
    main()
