"""Event-to-API freshness: how long after a scan is published the scans endpoint counts it.

One worker runs on a scratch pipeline (its own database, topics, worker id and data folder, as
bench_worker.py builds them) and `scan-analytics api` serves that database on a free port (as
bench_api.py starts it), with a development token for the catalog's member alice.

The scans are the simulator's people alone (`simulator.traffic.TrafficPlanner` with every other
share at zero: no resends, late, too-late, malformed or bot traffic; one to five scans per
address, far below the rate rule), one organization, so every scan is valid, distinct and
human-looking, and counted once. They are published with the producers library at a steady
`--rate` per second, each at its own deadline (no bursts), `occurred_at` set to the moment it is
published and that moment noted. Meanwhile a poller asks the endpoint over HTTP every `--poll`
seconds for the organization's scans of UTC yesterday and today (so midnight changes nothing)
and notes each answer's `total_scans` (billable plus bot scans over the window, docs/api.md) and
the time it arrived.

The scan published k-th (rank k in publish order) is fresh at the first answer whose total is
at least k; its freshness is that answer's arrival minus its publish time. The total says how
many scans are counted, not which, so this is by rank, not identity; an answer is timed when it
arrives, so each freshness is an upper bound by at most one poll interval plus one request.
Before the timed stream a warm-up of one second of scans is published and waited for in the
API, so the worker's start-up and first assignment are not measured. Prints p50, p95 and max
freshness, the sink interval in effect (SCAN_ANALYTICS_SINK_INTERVAL_SECONDS), and the final
API total and scan_daily_summary against the number published.

    .venv/bin/python bench/bench_freshness.py [--rate 300] [--seconds 60] [--poll 0.25]
                                              [--partitions 4] [--keep-logs]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import SCANS, percentile, start_api
from bench_worker import drop_scratch, keep_logs, scratch_pipeline, start_worker

from api.auth.devkeys import mint_token
from producers import ScanPublisher
from scan_analytics.contracts import ensure_topics, publisher_config
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings, load_settings
from schemas.validation import to_millis
from simulator.catalog import build_catalog
from simulator.catalog_db import seed_catalog
from simulator.traffic import Scan, Shares, TrafficPlanner

USER = "alice"  # default member of the catalog's first organization (simulator.catalog)
PEOPLE_ONLY = Shares(
    malformed=0,
    resend=0,
    too_late=0,
    scraper=0,
    ai_agent=0,
    crawler=0,
    automation=0,
    spoofed=0,
    missing_user_agent=0,
    late=0,
)


def people(settings: Settings, events: int, seconds: float, seed: int) -> tuple[str, list[dict[str, Any]]]:
    """Seed a one-organization catalog; return its id and `events` planned scans of people."""
    catalog = build_catalog(organizations=1)
    seed_catalog(settings.database_url, catalog)
    now_ms = to_millis(datetime.now(UTC))
    planner = TrafficPlanner(catalog, seed, PEOPLE_ONLY)
    planned = planner.plan(events, now_ms - int(seconds * 1000), now_ms, now_ms, settings.late_horizon_days)
    records = [m.record for m in planned if isinstance(m, Scan)]
    assert len(records) == events, "the planner sent something other than people's scans"
    return catalog.organizations[0].organization_id, records


def publish_steady(publisher: ScanPublisher, records: list[dict[str, Any]], rate: float) -> list[float]:
    """Publish each record at start + i / rate, occurring then; return the publish times."""
    stamps: list[float] = []
    start = time.monotonic()
    for i, record in enumerate(records):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        record["occurred_at"] = to_millis(datetime.now(UTC))
        stamps.append(time.monotonic())
        publisher.publish(record)
    remaining = publisher.flush(60)
    assert remaining == 0 and not publisher.stats.failed, "scans were not delivered"
    return stamps


class Poller:
    """GET the organization's total every `interval` seconds in a thread; keep (arrival, total)."""

    def __init__(self, client: httpx.Client, organization: str, interval: float) -> None:
        self.client, self.organization, self.interval = client, organization, interval
        self.answers: list[tuple[float, int]] = []
        self.request_ms: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name="poller", daemon=True)

    def total(self) -> int:
        today = datetime.now(UTC).date()
        params = {
            "organization_id": self.organization,
            "since": (today - timedelta(days=1)).isoformat(),
            "until": today.isoformat(),
        }
        sent = time.monotonic()
        resp = self.client.get(SCANS, params=params)
        resp.raise_for_status()
        total = int(resp.json()["total_scans"])
        arrived = time.monotonic()
        self.answers.append((arrived, total))
        self.request_ms.append((arrived - sent) * 1000)
        return total

    def run(self) -> None:
        tick = time.monotonic()
        while not self.stop.is_set():
            self.total()
            tick = max(tick + self.interval, time.monotonic())
            self.stop.wait(tick - time.monotonic())

    def wait_for(self, total: int, timeout: float) -> bool:
        """Wait until an answer's total is at least `total`; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers and self.answers[-1][1] >= total:
                return True
            time.sleep(self.interval)
        return False


def freshness(stamps: list[float], answers: list[tuple[float, int]], before: int) -> list[float]:
    """Seconds from each publish to the first answer counting its rank (`before` scans went first)."""
    out, j = [], 0
    for k, published in enumerate(stamps):
        rank = before + k + 1
        while j < len(answers) and answers[j][1] < rank:
            j += 1
        if j == len(answers):
            break  # this one and the later ones were never counted by the last answer
        out.append(answers[j][0] - published)
    return out


def measure(
    settings: Settings, port: int, token: str, organization: str, records: list[dict[str, Any]], args: Any
) -> None:
    """Warm up, publish the timed stream at the rate while polling the API; print the figures."""
    warmup = int(args.rate)
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client,
        ScanPublisher(publisher_config(settings)) as publisher,
    ):
        poller = Poller(client, organization, args.poll)
        poller.thread.start()
        try:
            t0 = time.monotonic()
            publish_steady(publisher, records[:warmup], args.rate)
            if not poller.wait_for(warmup, timeout=240):
                raise SystemExit(f"the API never counted the {warmup} warm-up scans")
            print(f"warm-up: {warmup} scans counted by the API {time.monotonic() - t0:.1f} s after the first")
            timed = records[warmup:]
            stamps = publish_steady(publisher, timed, args.rate)
            rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
            counted = poller.wait_for(warmup + len(timed), timeout=120)
        finally:
            poller.stop.set()
            poller.thread.join(30)
    fresh = freshness(stamps, poller.answers, warmup)
    print(
        f"published {len(stamps)} scans at {rate:.1f}/s for {stamps[-1] - stamps[0]:.1f} s; "
        f"{len(poller.answers)} answers, request p50 {statistics.median(poller.request_ms):.0f} ms, "
        f"p95 {percentile(poller.request_ms, 0.95):.0f} ms"
    )
    print(f"sink interval in effect: {settings.sink_interval_seconds:g} s; poll every {args.poll:g} s")
    if fresh:
        print(
            f"freshness, event to API : p50 {statistics.median(fresh):.2f} s, "
            f"p95 {percentile(fresh, 0.95):.2f} s, max {max(fresh):.2f} s ({len(fresh)} scans)"
        )
    if not counted:
        print(f"{len(stamps) - len(fresh)} scans not counted by the API 120 s after the last publish")
    print(f"API total_scans at the end {poller.answers[-1][1]} (published {len(records)})")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=300.0, help="scans published per second (default 300)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the timed stream (default 60)")
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between requests (default 0.25)")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep-logs", action="store_true", help="keep the worker's log (always on failure)")
    args = parser.parse_args()
    base = load_settings()
    settings, datadir = scratch_pipeline(base, "fresh", args.partitions, web_port=free_port())
    procs = []
    try:
        events = int(args.rate) + int(args.rate * args.seconds)
        organization, records = people(settings, events, args.seconds + 1, args.seed)
        ensure_topics(settings)
        procs.append(start_worker(settings, 0, datadir / "worker-0.log"))
        port = free_port()
        token = mint_token(settings.model_copy(update={"dev_auth": True}), USER, ttl_seconds=3600)
        procs.append(start_api(settings, settings.database_url, port))
        measure(settings, port, token, organization, records, args)
        with psycopg.connect(settings.database_url) as conn:
            row = conn.execute("SELECT coalesce(sum(scans), 0) FROM scan_daily_summary").fetchone()
        print(f"scan_daily_summary total {row[0] if row else 0} (published {events})")
        if args.keep_logs:
            keep_logs(datadir)
    except BaseException:
        keep_logs(datadir)
        raise
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(60)
        drop_scratch(base, settings, datadir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
