"""Latency of the scans endpoint over HTTP next to the bare SQL that answers it; the rollup triggers' cost.

Uses the benchmark database built by bench/api_dataset.py (built first if it is
missing; about four minutes). Starts `scan-analytics api` in a subprocess on a
free port against that database, then for 7-, 30-, 90- and 365-day windows
ending today, for the largest organization with and without a brand, runs the
request over HTTP (httpx, keep-alive) and the same statement directly with
psycopg, interleaved, and prints p50 and p95 of each and their ratios. "SQL" is
`queries.scans_statement` executed on one long-lived connection with the API's
session options (autocommit, psycopg's automatic prepare after five runs, rows
fetched as tuples): the main statement alone. "HTTP" is the whole request as a
client sees it: connection from the pool, token, memberships (and the brand's
owner), the main statement, the document built and encoded, and the response
parsed by the client. After the table it prints the floor of the HTTP path, a
GET /healthz over the same client (no token, no database). Then
times the sink's upsert of 10,000 absolute counts with no triggers, with the
rollups of migration 0003 only, with those of 0003 and 0007, and with those of
0003, 0007 and 0009. Pending migrations are applied to the benchmark database
first.

    .venv/bin/python bench/bench_api.py [--runs 20] [--explain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_dataset

from api import queries
from api.auth.devkeys import mint_token
from api.params import ScanQuery
from api.window import Window
from scan_analytics import migrate
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings, load_settings
from stream_processors.sink import KEY_COLUMNS, UPSERT

ORG = "org-01"
BRAND = "org-01-brand-01"
WINDOWS = (7, 30, 90, 365)
SCANS = "/dashboard/api/v1/brand-analytics/scans"
UNLIMITED = ("RATE", "BURST", "CONCURRENCY")  # the benchmark measures latency, not the limits
OPTIONS = queries.session_options(Settings.model_fields["api_statement_timeout_ms"].default)


def ensure_dataset(settings: Settings, database: str) -> str:
    if not api_dataset.database_exists(settings.database_url, database):
        api_dataset.load(settings, database, 1.0, force=True, seed=7)
    return make_conninfo(settings.database_url, dbname=database)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def start_api(settings: Settings, url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        SCAN_ANALYTICS_DATABASE_URL=url,
        SCAN_ANALYTICS_DATABASE_POOL_MIN="2",
        SCAN_ANALYTICS_DATABASE_POOL_MAX="4",
        SCAN_ANALYTICS_DEV_AUTH="true",
        **{f"SCAN_ANALYTICS_API_{who}_{what}": "1000000" for who in ("USER", "ORG") for what in UNLIMITED},
    )
    script = Path(sys.executable).with_name("scan-analytics")
    proc = subprocess.Popen(
        [str(script), "api", "--port", str(port), "--no-access-log", "--log-level", "warning"], env=env
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the API did not become ready")


def latency(url: str, port: int, token: str, runs: int) -> None:
    today = datetime.now(UTC).date()
    http = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    print(
        f"\n{'window':>7} {'brand':>6} | {'SQL p50':>8} {'p95':>8} | {'HTTP p50':>8} {'p95':>8} |"
        f" {'HTTP/SQL p50':>12} {'p95':>6}   (ms, {runs} runs each, interleaved)"
    )
    p50s: dict[tuple[int, bool], float] = {}
    with psycopg.connect(url, options=OPTIONS, autocommit=True) as conn:
        for with_brand in (False, True):
            for days in WINDOWS:
                window = Window(today - timedelta(days=days - 1), today)
                query = ScanQuery(ORG, BRAND if with_brand else None, window, 20)
                statement, params = queries.scans_statement(ORG, query)
                request: dict[str, str | int] = {
                    "since": window.since.isoformat(),
                    "until": window.until.isoformat(),
                }
                if with_brand:
                    request["brand_id"] = BRAND

                def bare(statement: sql.SQL = statement, params: dict[str, Any] = params) -> None:
                    conn.execute(statement, params).fetchall()

                def endpoint(request: dict[str, str | int] = request) -> None:
                    resp = http.get(SCANS, params=request)
                    resp.raise_for_status()
                    resp.json()

                for _ in range(3):  # warm the caches and both connections
                    bare()
                    endpoint()
                sql_ms, http_ms = [], []
                for _ in range(runs):
                    sql_ms.append(timed(bare))
                    http_ms.append(timed(endpoint))
                s50, s95 = statistics.median(sql_ms), percentile(sql_ms, 0.95)
                h50, h95 = statistics.median(http_ms), percentile(http_ms, 0.95)
                p50s[(days, with_brand)] = h50
                print(
                    f"{days:>6}d {'yes' if with_brand else 'no':>6} | {s50:8.1f} {s95:8.1f} | {h50:8.1f} "
                    f"{h95:8.1f} | {h50 / s50:12.2f} {h95 / s95:6.2f}",
                    flush=True,
                )
    floor = [timed(lambda: http.get("/healthz").raise_for_status()) for _ in range(4 * runs)]
    f50, f95 = statistics.median(floor), percentile(floor, 0.95)
    print(f"HTTP floor, GET /healthz: p50 {f50:.1f} ms, p95 {f95:.1f} ms")
    http.close()
    for with_brand in (False, True):
        ratio = p50s[(365, with_brand)] / p50s[(30, with_brand)]
        print(f"365 days / 30 days over HTTP, p50, {'with' if with_brand else 'without'} brand: {ratio:.2f}x")


def explain(url: str) -> None:
    today = datetime.now(UTC).date()
    query = ScanQuery(ORG, None, Window(today - timedelta(days=29), today), 20)
    statement, params = queries.scans_statement(ORG, query)
    with psycopg.connect(url, options=OPTIONS, autocommit=True) as conn:
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the main query, org-01, 30 days:")
        for (line,) in conn.execute(sql.SQL("EXPLAIN (ANALYZE, BUFFERS) ") + statement, params):
            print(f"  {line}")


OPS = ("insert", "update", "delete", "truncate")
READ_ROLLUP_TRIGGERS = tuple(f"scan_read_rollups_{op}" for op in OPS)  # migration 0007
AGENT_ROLLUP_TRIGGERS = tuple(f"scan_agent_rollups_{op}" for op in OPS)  # migration 0009


def trigger_cost(url: str, runs: int, batch: int = 10_000) -> None:
    """Time one sink flush (`batch` upserts, half new keys, half updates) under four sets of triggers.

    None; the rollups of migration 0003 only (as before migration 0007); those of 0003 and
    0007 (as before migration 0009); all of them.
    """
    today = datetime.now(UTC).date()
    with psycopg.connect(url) as conn:
        existing = conn.execute(
            f"SELECT {', '.join(KEY_COLUMNS)}, scans"  # the whole key of migration 0008, then the count
            " FROM scan_daily_summary WHERE organization_id = %s AND day = %s LIMIT %s",
            (ORG, today, batch // 2),
        ).fetchall()
        conn.rollback()
        rows = [(*key, n + 1) for *key, n in existing]
        rows += [(today + timedelta(days=1), *key[1:], 1) for *key, _ in existing]
        columns = [list(col) for col in zip(*rows, strict=True)]
        print(
            f"\nsink flush of {len(rows)} upserts ({len(existing)} updates, {len(existing)} new keys),"
            f" the sink's UPSERT statement, rolled back; ms over {runs} runs, interleaved:"
        )
        disabled = {
            "no triggers": [sql.SQL("USER")],
            "0003 rollups only": [sql.Identifier(t) for t in READ_ROLLUP_TRIGGERS + AGENT_ROLLUP_TRIGGERS],
            "0003 + 0007 rollups": [sql.Identifier(t) for t in AGENT_ROLLUP_TRIGGERS],
            "0003 + 0007 + 0009": [],
        }
        samples: dict[str, list[float]] = {label: [] for label in disabled}
        for _ in range(runs):
            for label, triggers in disabled.items():
                with conn.transaction(force_rollback=True):
                    for trigger in triggers:
                        conn.execute(
                            sql.SQL("ALTER TABLE scan_daily_summary DISABLE TRIGGER {}").format(trigger)
                        )
                    samples[label].append(timed(lambda: conn.execute(UPSERT, columns)))
        for label, ms in samples.items():
            print(
                f"  {label:<22} p50 {statistics.median(ms):7.1f}   p95 {percentile(ms, 0.95):7.1f}"
                f"   ({statistics.median(ms) * 1000 / len(rows):.1f} us a row at p50)"
            )


def migrate_dataset(settings: Settings, url: str) -> None:
    """Apply pending migrations to the benchmark database; vacuum and analyze what they filled."""
    applied = migrate.apply(url, settings.schemas_dir / "sql")
    if applied:
        print("applied " + ", ".join(m.path.name for m in applied), flush=True)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("VACUUM (ANALYZE) {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, api_dataset.TABLES))
                )
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="sa_bench", help="benchmark database (default sa_bench)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per case (default 20)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the main query")
    args = parser.parse_args(argv)
    settings = load_settings()
    url = ensure_dataset(settings, args.database)
    migrate_dataset(settings, url)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM scan_daily_summary WHERE organization_id = %s", (ORG,)
        ).fetchone()
    print(f"dataset {args.database}: {ORG} has {rows[0] if rows else 0:,} daily rows")
    port = free_port()
    proc = start_api(settings, url, port)
    try:
        dev = settings.model_copy(update={"dev_auth": True})
        latency(url, port, mint_token(dev, api_dataset.BENCH_USER, ttl_seconds=3600), args.runs)
    finally:
        proc.terminate()
        proc.wait(20)
    if args.explain:
        explain(url)
    trigger_cost(url, max(5, args.runs // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
