"""What a typed event costs per record: a TypedDict against a plain dict and a slotted dataclass.

Each variant takes the dict the Avro decoder returns, makes the event the worker
works with, reads five fields and writes the dict the encoder takes, as the
worker does for every scan. Medians of --runs runs of --events events each.

    .venv/bin/python bench/bench_events.py [--events 200000] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from schemas.events import ScanEvent


@dataclass(slots=True)
class ScanEventClass:
    event_id: str
    occurred_at: int
    gtin: str
    organization_id: str
    brand_id: str
    digital_link: str
    link_type: str | None
    client_ip: str
    user_agent: str | None
    referer: str | None
    accept_language: str | None
    status_code: int | None


def decoded(i: int) -> dict[str, Any]:
    return {
        "event_id": f"00000000-0000-4000-8000-{i:012d}",
        "occurred_at": 1_780_000_000_000 + i,
        "gtin": "04006381333931",
        "organization_id": "org-acme",
        "brand_id": "org-acme-01",
        "digital_link": "https://id.example.com/01/04006381333931",
        "link_type": None,
        "client_ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0",
        "referer": None,
        "accept_language": "en",
        "status_code": 307,
    }


def plain(records: list[dict[str, Any]]) -> int:
    n = 0
    for r in records:
        e = dict(r)
        n += len(e["gtin"]) + e["occurred_at"] % 7 + len(e["client_ip"]) + len(e["organization_id"])
        n += len(e["brand_id"])
        out = {k: v for k, v in e.items() if k != "client_ip"}
        n += len(out)
    return n


def typed(records: list[dict[str, Any]]) -> int:
    n = 0
    for r in records:
        e: ScanEvent = dict(r)  # type: ignore[assignment]
        n += len(e["gtin"]) + e["occurred_at"] % 7 + len(e["client_ip"]) + len(e["organization_id"])
        n += len(e["brand_id"])
        out = {k: v for k, v in e.items() if k != "client_ip"}
        n += len(out)
    return n


def dataclass_(records: list[dict[str, Any]]) -> int:
    n = 0
    for r in records:
        e = ScanEventClass(**r)
        n += len(e.gtin) + e.occurred_at % 7 + len(e.client_ip) + len(e.organization_id)
        n += len(e.brand_id)
        out = asdict(e)
        del out["client_ip"]
        n += len(out)
    return n


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    records = [decoded(i) for i in range(args.events)]
    variants: dict[str, Callable[[list[dict[str, Any]]], int]] = {
        "dict": plain,
        "TypedDict": typed,
        "dataclass(slots)": dataclass_,
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.runs):  # interleaved, so drift hits every variant alike
        for name, fn in variants.items():
            t0 = time.perf_counter()
            fn(records)
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["dict"])
    print(f"{args.events} events, median of {args.runs} runs")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:<18} {med / args.events * 1e6:6.2f} µs/event   {med / base:5.2f} x dict")


if __name__ == "__main__":
    main()
