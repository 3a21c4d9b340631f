"""The read API under load with one abusive client: latency of the others, 429s, 503s, no other 5xx.

Uses a benchmark database built by bench/api_dataset.py (built first if missing, at
--scale). Starts `scan-analytics api` on a free loopback port with the default limits
(or the ones in the environment), adds one member per client to the dataset's
organizations, then runs two phases of --seconds each:

1. well-behaved clients only: --clients users over the six largest organizations, each
   asking for 30 days (one in five for 90 days) then waiting --think seconds, and
   waiting out Retry-After when refused;
2. the same clients plus one abusive member of the largest organization sending
   --abusive-connections requests at once for two-year windows without pause, ignoring
   Retry-After.

Prints p50/p95/p99 of the well-behaved clients' answers in each phase, and every
status count (a failed connection counts as "failed"). --unlimited adds a third
phase: phase 2 against an API whose limits are raised out of reach, to show what
the limits buy. Loopback only; each phase is bounded by --seconds and --max-requests.

    .venv/bin/python bench/bench_api_load.py [--database sa_bench_load] [--scale 0.25] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from psycopg.conninfo import make_conninfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_dataset

from api.auth.devkeys import mint_token
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings, load_settings

SCANS = "/dashboard/api/v1/brand-analytics/scans"
ORGS = ("org-01", "org-02", "org-03", "org-04", "org-05", "org-06")
ABUSER = "load-abuser"
UNLIMITED = {
    "SCAN_ANALYTICS_API_USER_RATE": "100000",
    "SCAN_ANALYTICS_API_USER_BURST": "100000",
    "SCAN_ANALYTICS_API_USER_CONCURRENCY": "100000",
    "SCAN_ANALYTICS_API_ORG_RATE": "100000",
    "SCAN_ANALYTICS_API_ORG_BURST": "100000",
    "SCAN_ANALYTICS_API_ORG_CONCURRENCY": "100000",
}


@dataclass
class Tally:
    """What one kind of client saw."""

    latencies_ms: list[float] = field(default_factory=list)  # of 200 answers
    statuses: Counter[int] = field(default_factory=Counter)

    def note(self, status: int, ms: float) -> None:
        self.statuses[status] += 1
        if status == 200:
            self.latencies_ms.append(ms)


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ensure_dataset(settings: Settings, database: str, scale: float) -> str:
    if not api_dataset.database_exists(settings.database_url, database):
        api_dataset.load(settings, database, scale, force=True, seed=7)
    return make_conninfo(settings.database_url, dbname=database)


def add_members(url: str, users: list[tuple[str, str]]) -> None:
    with psycopg.connect(url) as conn:
        conn.cursor().executemany(
            "INSERT INTO organization_memberships (user_id, organization_id, is_default)"
            " VALUES (%s, %s, true) ON CONFLICT DO NOTHING",
            users,
        )


def start_api(url: str, port: int, auth: Path, extra: dict[str, str]) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        SCAN_ANALYTICS_DATABASE_URL=url,
        SCAN_ANALYTICS_DEV_AUTH="true",
        SCAN_ANALYTICS_JWKS_FILE=str(auth / "jwks.json"),
        SCAN_ANALYTICS_DEV_PRIVATE_KEY_FILE=str(auth / "key.pem"),
        **extra,
    )
    script = Path(sys.executable).with_name("scan-analytics")
    proc = subprocess.Popen(
        [
            str(script),
            "api",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "error",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the API did not become ready")


async def send(client: httpx.AsyncClient, token: str, params: dict[str, str]) -> httpx.Response | None:
    """Return the answer, or None when the connection failed (counted as status 0)."""
    try:
        return await client.get(SCANS, params=params, headers={"Authorization": f"Bearer {token}"})
    except httpx.TransportError:
        return None


async def polite(
    client: httpx.AsyncClient,
    token: str,
    index: int,
    think: float,
    stop: float,
    budget: list[int],
    tally: Tally,
) -> None:
    today = datetime.now(UTC).date()
    n = 0
    while time.monotonic() < stop and budget[0] > 0:
        budget[0] -= 1
        days = 90 if (n + index) % 5 == 0 else 30
        params = {"since": (today - timedelta(days=days - 1)).isoformat(), "until": today.isoformat()}
        start = time.perf_counter()
        resp = await send(client, token, params)
        status = 0 if resp is None else resp.status_code
        tally.note(status, (time.perf_counter() - start) * 1000)
        n += 1
        wait = think
        if resp is not None and status in (429, 503):
            wait = float(resp.headers.get("retry-after", think))
        await asyncio.sleep(wait)


async def abusive(
    client: httpx.AsyncClient, token: str, stop: float, budget: list[int], tally: Tally
) -> None:
    today = datetime.now(UTC).date()
    params = {"since": (today - timedelta(days=730)).isoformat(), "until": today.isoformat(), "top": "100"}
    while time.monotonic() < stop and budget[0] > 0:
        budget[0] -= 1
        start = time.perf_counter()
        resp = await send(client, token, params)
        tally.note(0 if resp is None else resp.status_code, (time.perf_counter() - start) * 1000)


async def phase(
    base: str, tokens: list[str], abuser: str | None, args: argparse.Namespace
) -> tuple[Tally, Tally]:
    good, bad = Tally(), Tally()
    stop = time.monotonic() + args.seconds
    budget = [args.max_requests]
    limits = httpx.Limits(max_connections=len(tokens) + args.abusive_connections)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        jobs = [polite(client, t, i, args.think, stop, budget, good) for i, t in enumerate(tokens)]
        if abuser is not None:
            jobs += [abusive(client, abuser, stop, budget, bad) for _ in range(args.abusive_connections)]
        await asyncio.gather(*jobs)
    return good, bad


def row(name: str, good: Tally, bad: Tally) -> str:
    others = [s for s in {*good.statuses, *bad.statuses} if (s >= 500 and s != 503) or s == 0]
    lat = good.latencies_ms
    return (
        f"| {name} | {len(lat)} | {percentile(lat, 0.5):.0f} | {percentile(lat, 0.95):.0f} | "
        f"{percentile(lat, 0.99):.0f} | {good.statuses[429]} | {good.statuses[503]} | "
        f"{bad.statuses[200]} | {bad.statuses[429]} | {bad.statuses[503]} | "
        f"{sum(good.statuses[s] + bad.statuses[s] for s in others)} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="sa_bench_load", help="benchmark database")
    parser.add_argument("--scale", type=float, default=0.25, help="catalog scale if it must be built")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase (default 20)")
    parser.add_argument("--clients", type=int, default=12, help="well-behaved clients (default 12)")
    parser.add_argument("--think", type=float, default=0.5, help="their pause between requests, s")
    parser.add_argument("--abusive-connections", type=int, default=16, help="the abuser's parallel requests")
    parser.add_argument("--max-requests", type=int, default=20000, help="bound on the requests of a phase")
    parser.add_argument("--unlimited", action="store_true", help="add a phase: the abuser, no limits")
    args = parser.parse_args(argv)
    settings = load_settings()
    url = ensure_dataset(settings, args.database, args.scale)
    users = [(f"load-{i:02d}", ORGS[i % len(ORGS)]) for i in range(args.clients)]
    add_members(url, [*users, (ABUSER, ORGS[0])])
    with tempfile.TemporaryDirectory() as tmp:
        auth = Path(tmp)
        dev = settings.model_copy(
            update={
                "dev_auth": True,
                "jwks_file": auth / "jwks.json",
                "dev_private_key_file": auth / "key.pem",
            }
        )
        tokens = [mint_token(dev, user, ttl_seconds=3600) for user, _ in users]
        abuser = mint_token(dev, ABUSER, ttl_seconds=3600)
        print(
            f"{args.clients} well-behaved clients over {', '.join(ORGS)}; one abuser in {ORGS[0]} with "
            f"{args.abusive_connections} parallel two-year requests; {args.seconds:g} s a phase\n"
        )
        print(
            "| phase | well-behaved 200s | p50 ms | p95 ms | p99 ms | their 429 | their 503 | "
            "abuser 200 | abuser 429 | abuser 503 | other 5xx or failed |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        runs: list[tuple[str, dict[str, str], bool]] = [
            ("well-behaved only", {}, False),
            ("with the abuser", {}, True),
        ]
        if args.unlimited:
            runs.append(("with the abuser, no limits", UNLIMITED, True))
        for name, extra, with_abuser in runs:
            port = free_port()
            proc = start_api(url, port, auth, extra)
            try:
                base = f"http://127.0.0.1:{port}"
                good, bad = asyncio.run(phase(base, tokens, abuser if with_abuser else None, args))
                print(row(name, good, bad), flush=True)
            finally:
                proc.terminate()
                proc.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
