"""What classifying a User-Agent costs: cold (every string new) and a Zipf stream from an empty cache.

Strings come from the labelled set `bench/eval_classify.py` builds (default
/tmp/scan-analytics-eval/labelled.jsonl), or from the simulator's tables when it is absent.
The Zipf stream draws --events events from --distinct strings (rank r with weight r^-s),
as in docs/performance-notes: 200,000 events, 2,000 distinct.

    .venv/bin/python bench/bench_classify.py [--events 200000] [--distinct 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from stream_processors import enrich


def strings(path: Path) -> list[str]:
    if path.exists():
        return [json.loads(line)["ua"] for line in path.read_text().splitlines()]
    from simulator import useragents

    base = [ua for uas in useragents.BROWSERS.values() for ua in uas]
    base += [ua for _, ua in useragents.AI_AGENTS + useragents.CRAWLERS + useragents.AUTOMATION]
    return [f"{ua} build/{i}" for i in range(400) for ua in base]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", type=Path, default=Path("/tmp/scan-analytics-eval/labelled.jsonl"))
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--distinct", type=int, default=2_000)
    parser.add_argument("--zipf", type=float, default=1.1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pool = strings(args.set)
    enrich.classify_user_agent("warm up the pattern sets")  # one-time load, not per string

    cold = []
    for run in range(args.runs):
        sample = random.Random(run).sample(pool, min(len(pool), 5_000))
        enrich._classify.cache_clear()
        started = time.perf_counter()
        for ua in sample:
            enrich.classify_user_agent(ua)
        cold.append(len(sample) / (time.perf_counter() - started))
    print(
        f"cold: {statistics.median(cold):,.0f} User-Agents/s "
        f"({1e6 / statistics.median(cold):.1f} µs each), median of {args.runs}"
    )

    rng = random.Random(7)
    ranked = rng.sample(pool, min(args.distinct, len(pool)))
    weights = [1 / (r + 1) ** args.zipf for r in range(len(ranked))]
    stream = rng.choices(ranked, weights, k=args.events)
    per_event = []
    for _ in range(args.runs):
        enrich._classify.cache_clear()
        started = time.perf_counter()
        for ua in stream:
            enrich.classify_user_agent(ua)
        per_event.append((time.perf_counter() - started) / len(stream) * 1e6)
    distinct = len(set(stream))
    print(
        f"zipf stream: {statistics.median(per_event):.2f} µs/event from an empty cache "
        f"({args.events:,} events, {distinct:,} distinct, s={args.zipf}), median of {args.runs}"
    )


if __name__ == "__main__":
    main()
