"""Latency of the scans endpoint over HTTP next to the bare SQL that answers it; the rollup triggers' cost.

Uses the benchmark database built by bench/api_dataset.py (built first if it is
missing; about four minutes). Starts `scan-analytics api` in a subprocess on a
free port against that database, then for the last 7, 30, 90 and 365 days as the
API counts them (since = today - N, both inclusive: its default window and the
dashboard's choices), and 30 days to the day (since = today - 29) for the whole
organization, for the largest organization with and without a brand, runs the
request over HTTP (httpx, keep-alive) and the same statement directly with
psycopg, interleaved, and prints p50 and p95 of each and their ratios. "SQL" is
`queries.statement_for` executed on one long-lived connection with the API's
session options, sent as the API sends it (converted once to positional
parameters, `api.statements`; autocommit, psycopg's automatic prepare after five
runs, rows fetched as tuples): the main statement alone (for UTC days it writes
most of the answer as JSON text, for the hourly path it returns rows). "HTTP" is the whole request as a
client sees it: connection from the pool, token, memberships (and the brand's
owner), the main statement, the document built and encoded, and the response
parsed by the client (httpx, the JSON decoded). "lean" is the same request from the
standard library's http.client with the body read and not parsed: what the API adds
to the statement with as little of a Python client's own work as there can be (httpx
costs about a millisecond of CPU a request by itself). "places" is the endpoint's second statement,
`places.places_statement` for the top GTINs the main one ranks (by_region and
by_city; UTC days only), on the same connection. After the table it prints the floor of the HTTP path, a
GET /healthz over the same client (no token, no database). A second table does
the same for the hourly path (inside the hourly retention): days in
America/Chicago, by hour in Chicago and by UTC hour. Then times the sink's upsert
of 10,000 absolute counts with no triggers, with the rollups of migration 0003
only, with those of 0003 and 0007, with those of 0003, 0007 and 0009, with the
layers of 0015 too, and with the trailing layer of 0016 too; and the sink's hourly
upsert of 10,000 counts without and with the totals of migration 0012; and the sink's
place upsert of 10,000 counts without and with the rollups of migration 0014.
`--only places` times requests with `places=true` (30 and 365 days, `--hourly-runs`
runs): the whole request over HTTP beside its two statements. Pending
migrations are applied to the benchmark database first, and its trailing windows (migration
0016) moved to today, as the day's first write of the sink would move them.

With `--baseline REF` the API of git commit REF (extracted with `git archive` into a
temporary folder, run with the same virtualenv) is served on a second port against the
same database, and each case's bare statement, the request to the baseline and the
request to the working tree are interleaved, their order alternated from run to run:
a before/after comparison in one session. The baseline's own main statement ("SQL before",
as its code writes it, sent the same way) is timed beside them, and its HTTP / SQL is over
that statement. Each row ends with the CPU time the API
process (and the baseline's) spent a request, on average (from /proc): on a shared
machine a steadier measure of the endpoint's own work than the latencies. `--baseline-without MODULE` hides an
installed module from the baseline (e.g. httptools, to serve it as it was served
before the module was a dependency).

    .venv/bin/python bench/bench_api.py [--runs 20] [--hourly-runs 10] [--only daily|hourly|places|writes]
                                        [--explain] [--baseline REF [--baseline-without MODULE ...]]
"""

from __future__ import annotations

import argparse
import http.client
import os
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_dataset

from api import places, queries, statements
from api.auth.devkeys import mint_token
from api.params import ScanQuery, parse_query
from api.report import expand
from scan_analytics import migrate
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings, load_settings
from stream_processors.sink import HOUR, KEY_COLUMNS, PLACE, UPSERT

ORG = "org-01"
BRAND = "org-01-brand-01"
WINDOWS = (7, 30, 90, 365)
PLACES_WINDOWS = (30, 365)
CHICAGO = "America/Chicago"
# the hourly path's cases: (tz, granularity, windows in days), all inside the hourly retention
HOURLY: tuple[tuple[str | None, str | None, tuple[int, ...]], ...] = (
    (CHICAGO, None, (1, 7, 30, 90)),
    (CHICAGO, "hour", (7, 90)),
    (None, "hour", (30,)),
)
SCANS = "/dashboard/api/v1/brand-analytics/scans"
MIN_PLACE_SCANS = Settings.model_fields["api_place_min_scans"].default  # the API's, served as default
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


def start_api(settings: Settings, url: str, port: int, source: Path | None = None) -> subprocess.Popen[bytes]:
    """Serve the API on `port`: the working tree's, or the one under `source` (a baseline)."""
    env = dict(
        os.environ,
        SCAN_ANALYTICS_DATABASE_URL=url,
        SCAN_ANALYTICS_DATABASE_POOL_MIN="2",
        SCAN_ANALYTICS_DATABASE_POOL_MAX="4",
        SCAN_ANALYTICS_DEV_AUTH="true",
        # the working tree's key, which signs the benchmark's token (a baseline's tree would have its own)
        SCAN_ANALYTICS_JWKS_FILE=str(settings.jwks_file),
        **{f"SCAN_ANALYTICS_API_{who}_{what}": "1000000" for who in ("USER", "ORG") for what in UNLIMITED},
    )
    args = ["api", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    if source is None:
        command = [str(Path(sys.executable).with_name("scan-analytics")), *args]
    else:  # its packages first on the path, ahead of the editable install of the working tree
        env["PYTHONPATH"] = os.pathsep.join([str(source / "hidden"), str(source)])
        # -P: `python -c` would otherwise put the working directory (this checkout) ahead of
        # PYTHONPATH, and the baseline would import the working tree's packages
        command = [sys.executable, "-P", "-c"]
        command += ["import sys; from scan_analytics.cli import main; sys.exit(main())"]
        command += args
    proc = subprocess.Popen(command, env=env)
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


def extract(ref: str, into: Path, hidden: list[str]) -> Path:
    """Write the tree of git commit `ref` under `into`; `hidden` modules fail to import there."""
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(["git", "-C", str(root), "archive", ref], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    (into / "hidden").mkdir()
    for module in hidden:  # as if not installed: uvicorn, for one, falls back when an import fails
        (into / "hidden" / f"{module}.py").write_text(f"raise ImportError('{module} hidden by bench_api')\n")
    return into


# Run with the baseline's packages (python -P, PYTHONPATH): its main statement for each case,
# converted to positional parameters as it sends it. Reads [(request, now)] pickled on stdin.
_BASELINE_STATEMENTS = """
import pickle, re, sys
from api import queries
from api.params import parse_query
out = []
for request, now in pickle.load(sys.stdin.buffer):
    query = parse_query(
        organization_id=None, brand_id=request.get("brand_id"), since=request["since"],
        until=request["until"], top=None, today=now.date(), tz=request.get("tz"),
        granularity=request.get("granularity"), now=now,
    )
    statement, params = queries.statement_for(%r, query)
    numbers = {}  # %%(name)s to $n, numbered in order of first appearance, as psycopg converts them
    text = re.sub(
        r"%%\\((\\w+)\\)s",
        lambda m: "$%%d" %% numbers.setdefault(m.group(1), len(numbers) + 1),
        statement.as_string(None),
    )
    out.append((text.encode(), [params[name] for name in numbers]))
pickle.dump(out, sys.stdout.buffer)
"""


def baseline_statements(source: Path, cases: list[Case]) -> list[tuple[bytes, list[Any]]]:
    """Each case's main statement as the baseline's code writes it, ready to send as it sends it."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(source / "hidden"), str(source)]))
    now = datetime.now(UTC)
    done = subprocess.run(
        [sys.executable, "-P", "-c", _BASELINE_STATEMENTS % ORG],
        input=pickle.dumps([(c.request, now) for c in cases]),
        env=env,
        capture_output=True,
        check=True,
    )
    loaded: list[tuple[bytes, list[Any]]] = pickle.loads(done.stdout)
    return loaded


@dataclass(frozen=True)
class Case:
    """One request of the table: its label, its query string and the query the API makes of it."""

    label: str
    request: dict[str, str]
    query: ScanQuery
    days: int
    brand: bool


def case(
    days: int,
    brand: bool,
    tz: str | None = None,
    granularity: str | None = None,
    with_places: bool = False,
    last: bool = False,
) -> Case:
    """The request for the `days` days up to today (in `tz`), of org-01 or of its first brand.

    `last`: the API's "last `days` days" instead, since = until - `days` (both inclusive, so a
    day more), as its default window and the dashboard count them.
    """
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(tz or "UTC")).date()
    first = today - timedelta(days=days if last else days - 1)
    request = {"since": first.isoformat(), "until": today.isoformat()}
    request |= {"brand_id": BRAND} if brand else {}
    request |= {"tz": tz} if tz else {}
    request |= {"granularity": granularity} if granularity else {}
    request |= {"places": "true"} if with_places else {}
    query = parse_query(
        organization_id=None,
        brand_id=request.get("brand_id"),
        since=request["since"],
        until=request["until"],
        top=None,
        today=now.date(),
        tz=tz,
        granularity=granularity,
        places=request.get("places"),
        now=now,
    )
    label = f"{days:>4}d {'one' if brand else 'all':>3}" + (f" tz={tz}" if tz else "")
    label += " to the day" if not (last or tz or granularity) else ""
    label += (f" {granularity}" if granularity else "") + (" places" if with_places else "")
    return Case(label, request, query, days, brand)


def daily_cases() -> list[Case]:
    """The last 7, 30, 90 and 365 days as the API counts them (the dashboard's and default windows).

    And 30 days to the day (since = until - 29) of the whole organization.
    """
    cases = [case(days, brand, last=True) for brand in (False, True) for days in WINDOWS]
    return [*cases[: len(WINDOWS)], case(30, False), *cases[len(WINDOWS) :]]


def places_cases() -> list[Case]:
    """By region and city asked for (`places=true`): the whole request against its two statements."""
    return [
        case(days, brand, with_places=True, last=True) for brand in (False, True) for days in PLACES_WINDOWS
    ]


def hourly_cases() -> list[Case]:
    """Days in Chicago (not UTC days) and by hour, within the hourly retention: the hourly path."""
    return [
        case(days, brand, tz, granularity)
        for tz, granularity, windows in HOURLY
        for brand in (False, True)
        for days in windows
    ]


def runner(
    conn: psycopg.Connection[Any], statement: sql.SQL, params: dict[str, Any]
) -> Callable[[], list[Any]]:
    """Return a function running `statement` as the API runs it (see api.statements)."""
    converted = statements.positional(statement)
    return raw_runner(conn, converted.query, converted.values(params))


def raw_runner(conn: psycopg.Connection[Any], text: bytes, values: list[Any]) -> Callable[[], list[Any]]:
    """Return a function running `text` (with $n placeholders) with `values` through a raw cursor."""
    return lambda: psycopg.RawCursor(conn).execute(text, values).fetchall()


def cpu_ms(pid: int | None) -> float:
    """CPU time (user and system) the process `pid` has used, in ms; 0 where /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


class Lean:
    """A keep-alive HTTP/1.1 client with no more to it than the standard library's http.client.

    httpx spends about a millisecond of the client's CPU on each request (building it, its
    models of the headers and the URL); a request's cost to the API is clearer without it.
    `get` reads the whole body and checks the status; it does not parse the JSON.
    """

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = headers

    def get(self, path: str, params: dict[str, str] | None = None) -> bytes:
        target = f"{path}?{urlencode(params)}" if params else path
        try:
            self.connection.request("GET", target, headers=self.headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError):
            # idle past the server's keep-alive (slow cases): connect again, as httpx does
            self.connection.close()
            self.connection.request("GET", target, headers=self.headers)
            response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {target}: {response.status} {body[:200]!r}")
        return body

    def close(self) -> None:
        self.connection.close()


def latency(
    url: str,
    port: int,
    token: str,
    cases: list[Case],
    runs: int,
    baseline: int | None = None,
    pids: tuple[int | None, int | None] = (None, None),
    baseline_sql: list[tuple[bytes, list[Any]]] | None = None,
) -> dict[tuple[int, bool], float]:
    """Print each case's SQL and HTTP p50 and p95, interleaved; return the HTTP p50s of the daily cases.

    Each request is timed with two clients on their own keep-alive connections: "HTTP", httpx
    with the JSON parsed (as a Python caller sees it; as in the tables before), and "lean",
    the standard library's http.client with the body read but not parsed (what the API adds
    to the statement, with as little of the client's own work as a Python client can do). With
    `baseline` (the port of another API), the same two requests to it, and with `baseline_sql`
    (each case's statement as the baseline sends it) that statement, timed beside the others,
    the baseline's ratios over it (else over the working tree's statement). Every run takes the
    measurements in a new random order, so none always follows another.
    With `pids` (the API's, the baseline's), the CPU time each process spent a request, on average:
    on a shared machine a steadier measure of the endpoint's own work than the latencies.
    """
    headers = {"Authorization": f"Bearer {token}"}
    ports = {"": port} | ({"before ": baseline} if baseline is not None else {})
    httpx_clients = {
        who: httpx.Client(base_url=f"http://127.0.0.1:{p}", headers=headers, timeout=60)
        for who, p in ports.items()
    }
    lean_clients = {who: Lean(p, headers) for who, p in ports.items()}
    head = f"{'SQL':>13} | {'places':>13}"
    if baseline is not None:
        head += f" | {'SQL before':>13} | {'before HTTP':>13} | {'before lean':>13} | {'ratios before':>13}"
    head += f" | {'HTTP':>13} | {'lean':>13} | {'HTTP/SQL':>11} | {'lean/SQL':>11}"
    print(f"\n{'case':<34} | {head}   (ms p50 / p95, {runs} runs each, interleaved)")
    p50s: dict[tuple[int, bool], float] = {}
    shuffle = random.Random(11)
    with psycopg.connect(url, options=OPTIONS, autocommit=True) as conn:
        for i, c in enumerate(cases):
            # as the API sends them: converted once to positional parameters, through a raw cursor
            main = runner(conn, *queries.statement_for(ORG, c.query))

            # the places statement (the endpoint's second), for the top GTINs the main one ranks
            report = expand(queries.report_of(ORG, c.query, main()))
            gtins = [p["gtin"] for p in report["top_products"]]
            where = runner(conn, *places.places_statement(ORG, c.query, gtins, MIN_PLACE_SCANS))
            daily = places.answers(c.query)  # by_region and by_city answer UTC days only

            def placed(where: Callable[[], list[Any]] = where, daily: bool = daily) -> None:
                if daily:
                    where()

            def parsed(client: httpx.Client, request: dict[str, str] = c.request) -> None:
                resp = client.get(SCANS, params=request)
                resp.raise_for_status()
                resp.json()

            timings: dict[str, Callable[[], Any]] = {"SQL": main, "places": placed}
            if baseline_sql:  # the baseline's own statement, sent the same way
                timings["SQL before"] = raw_runner(conn, *baseline_sql[i])
            for who in ports:
                timings[f"{who}HTTP"] = partial(parsed, httpx_clients[who])
                timings[f"{who}lean"] = partial(lean_clients[who].get, SCANS, c.request)
            for _ in range(3):  # warm the caches and the connections
                for fn in timings.values():
                    fn()
            samples: dict[str, list[float]] = {name: [] for name in timings}
            order = list(timings)
            cpu_start = [cpu_ms(pid) for pid in pids]
            for _ in range(runs):
                shuffle.shuffle(order)
                for name in order:
                    samples[name].append(timed(timings[name]))
            # two requests of each API a run
            cpu = [(cpu_ms(pid) - start) / (2 * runs) for pid, start in zip(pids, cpu_start, strict=True)]
            p50 = {name: statistics.median(v) for name, v in samples.items()}
            p95 = {name: percentile(v, 0.95) for name, v in samples.items()}

            def cell(name: str, p50: dict[str, float] = p50, p95: dict[str, float] = p95) -> str:
                return f"{p50[name]:6.1f} {p95[name]:6.1f}"

            def ratio(name: str, over: str, p50: dict[str, float] = p50, p95: dict[str, float] = p95) -> str:
                return f"{p50[name] / p50[over]:5.2f} {p95[name] / p95[over]:5.2f}"

            if not c.query.hourly and not c.query.places:
                p50s.setdefault((c.days, c.brand), p50["HTTP"])  # the first case of a window: the API's count
            line = f"{c.label:<34} | {cell('SQL')} | {cell('places')}"
            if baseline is not None:
                old = "SQL before" if baseline_sql else "SQL"
                line += f" | {cell(old)} | {cell('before HTTP')} | {cell('before lean')}"
                line += f" | {p50['before HTTP'] / p50[old]:5.2f} {p50['before lean'] / p50[old]:5.2f}  "
            line += f" | {cell('HTTP')} | {cell('lean')} | {ratio('HTTP', 'SQL')} | {ratio('lean', 'SQL')}"
            line += f" | API CPU/request {cpu[0]:.2f}" if pids[0] else ""
            line += f", before {cpu[1]:.2f}" if pids[1] else ""
            print(line, flush=True)
    if baseline is not None:
        print("ratios before: HTTP / SQL before and lean / SQL before, at p50")
    for who in ports:
        label = " (baseline)" if who else ""
        for kind, get in (
            ("httpx", lambda c=httpx_clients[who]: c.get("/healthz").raise_for_status()),
            ("lean", lambda c=lean_clients[who]: c.get("/healthz")),
        ):
            floor = [timed(get) for _ in range(4 * runs)]
            f50, f95 = statistics.median(floor), percentile(floor, 0.95)
            print(f"HTTP floor{label}, GET /healthz, {kind}: p50 {f50:.1f} ms, p95 {f95:.1f} ms")
        httpx_clients[who].close()
        lean_clients[who].close()
    return p50s


def ratios(p50s: dict[tuple[int, bool], float]) -> None:
    for with_brand in (False, True):
        if (365, with_brand) in p50s and (30, with_brand) in p50s:
            ratio = p50s[(365, with_brand)] / p50s[(30, with_brand)]
            which = "with" if with_brand else "without"
            print(f"365 days / 30 days over HTTP, p50, {which} brand: {ratio:.2f}x")


def explain(url: str, cases: list[Case]) -> None:
    with psycopg.connect(url, options=OPTIONS, autocommit=True) as conn:
        for c in cases:
            statement, params = queries.statement_for(ORG, c.query)
            print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the main query, org-01, {c.label.strip()}:")
            for (line,) in conn.execute(sql.SQL("EXPLAIN (ANALYZE, BUFFERS) ") + statement, params):
                print(f"  {line}")


OPS = ("insert", "update", "delete", "truncate")
READ_ROLLUP_TRIGGERS = tuple(f"scan_read_rollups_{op}" for op in OPS)  # migration 0007
AGENT_ROLLUP_TRIGGERS = tuple(f"scan_agent_rollups_{op}" for op in OPS)  # migration 0009
TRAILING_TRIGGERS = tuple(f"scan_trailing_totals_{op}" for op in (*OPS, "move"))  # migration 0016


def trigger_cost(url: str, runs: int, batch: int = 10_000) -> None:
    """Time one sink flush (`batch` upserts, half new keys, half updates) under six sets of triggers.

    None; the rollups of migration 0003 only (as before migration 0007); those of 0003 and
    0007 (as before migration 0009); those of 0003, 0007 and 0009 (as before migration 0015);
    those and 0015's layers (as before migration 0016); all of them.
    """
    with psycopg.connect(url) as conn:
        # the dataset's last day (the day it was built, or today) and the day after it: inside
        # the trailing window once it is moved to today
        latest = conn.execute(
            "SELECT max(day) FROM scan_daily_totals WHERE organization_id = %s", (ORG,)
        ).fetchone()
        last = latest[0] if latest and latest[0] is not None else datetime.now(UTC).date()
        existing = conn.execute(
            f"SELECT {', '.join(KEY_COLUMNS)}, scans"  # the whole key of migration 0008, then the count
            " FROM scan_daily_summary WHERE organization_id = %s AND day = %s LIMIT %s",
            (ORG, last, batch // 2),
        ).fetchall()
        conn.rollback()
        rows = [(*key, n + 1) for *key, n in existing]
        rows += [(last + timedelta(days=1), *key[1:], 1) for *key, _ in existing]
        columns = [list(col) for col in zip(*rows, strict=True)]
        print(
            f"\nsink flush of {len(rows)} upserts ({len(existing)} updates, {len(existing)} new keys),"
            f" the sink's UPSERT statement, rolled back; ms over {runs} runs, interleaved:"
        )
        has_layers = conn.execute("SELECT to_regclass('scan_layers')").fetchone() != (None,)
        has_trailing = conn.execute("SELECT to_regclass('scan_trailing_windows')").fetchone() != (None,)
        # the tables whose triggers keep the layers of migration 0015 (they have no others)
        sources = [row[0] for row in conn.execute("SELECT source FROM scan_layers")] if has_layers else []
        conn.rollback()
        daily = "scan_daily_summary"
        Triggers = list[tuple[str, sql.Composable]]
        trailing: Triggers = [
            ("scan_daily_gtin_totals", sql.Identifier(t)) for t in TRAILING_TRIGGERS if has_trailing
        ]
        layers: Triggers = [(source, sql.SQL("USER")) for source in sources] + trailing
        agents: Triggers = [(daily, sql.Identifier(t)) for t in AGENT_ROLLUP_TRIGGERS]
        disabled: dict[str, Triggers] = {
            "no triggers": [(daily, sql.SQL("USER"))],
            "0003 rollups only": [
                (daily, sql.Identifier(t)) for t in READ_ROLLUP_TRIGGERS + AGENT_ROLLUP_TRIGGERS
            ],
            "0003 + 0007 rollups": agents + layers,
            "0003 + 0007 + 0009": layers,
        }
        if has_layers:
            disabled["... + 0015 layers"] = trailing
        if has_trailing:
            disabled["... + 0016 trailing"] = []
        samples: dict[str, list[float]] = {label: [] for label in disabled}
        for _ in range(runs):
            for label, triggers in disabled.items():
                with conn.transaction(force_rollback=True):
                    for table, trigger in triggers:
                        conn.execute(
                            sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(
                                sql.Identifier(table), trigger
                            )
                        )
                    samples[label].append(timed(lambda: conn.execute(UPSERT, columns)))
        for label, ms in samples.items():
            print(
                f"  {label:<22} p50 {statistics.median(ms):7.1f}   p95 {percentile(ms, 0.95):7.1f}"
                f"   ({statistics.median(ms) * 1000 / len(rows):.1f} us a row at p50)"
            )


HOURLY_TOTALS_TRIGGERS = tuple(f"scan_hourly_totals_{op}" for op in OPS)  # migration 0012


def hourly_trigger_cost(url: str, runs: int, batch: int = 10_000) -> None:
    """Time one sink flush of `batch` hourly upserts (half updates, half new keys) without and with 0012."""
    with psycopg.connect(url) as conn:
        latest = conn.execute(
            "SELECT max(hour) FROM scan_hourly_summary WHERE organization_id = %s", (ORG,)
        ).fetchone()
        if latest is None or latest[0] is None:
            print("\nno hourly rows: the hourly write cost is not measured")
            return
        existing = conn.execute(
            f"SELECT hour, {', '.join(KEY_COLUMNS[1:])}, scans FROM scan_hourly_summary"
            " WHERE organization_id = %s AND hour > %s - interval '1 day' LIMIT %s",
            (ORG, latest[0], batch // 2),
        ).fetchall()
        has_totals = conn.execute("SELECT to_regclass('scan_hourly_totals')").fetchone() != (None,)
        conn.rollback()
        rows = [(*key, n + 1) for *key, n in existing]
        rows += [(key[0] + timedelta(days=1), *key[1:], 1) for *key, _ in existing]
        columns = [list(col) for col in zip(*rows, strict=True)]
        print(
            f"\nsink flush of {len(rows)} hourly upserts ({len(existing)} updates, {len(existing)} new keys),"
            f" the sink's hourly UPSERT statement, rolled back; ms over {runs} runs, interleaved:"
        )
        disabled = {"no triggers": [sql.SQL("USER")]}
        if has_totals:
            disabled["0012 hourly totals"] = []
        samples: dict[str, list[float]] = {label: [] for label in disabled}
        for _ in range(runs):
            for label, triggers in disabled.items():
                with conn.transaction(force_rollback=True):
                    for trigger in triggers:
                        conn.execute(
                            sql.SQL("ALTER TABLE scan_hourly_summary DISABLE TRIGGER {}").format(trigger)
                        )
                    samples[label].append(timed(lambda: conn.execute(HOUR.upsert, columns)))
        for label, ms in samples.items():
            print(
                f"  {label:<22} p50 {statistics.median(ms):7.1f}   p95 {percentile(ms, 0.95):7.1f}"
                f"   ({statistics.median(ms) * 1000 / len(rows):.1f} us a row at p50)"
            )


PLACE_TOTALS_TRIGGERS = tuple(f"scan_place_totals_{op}" for op in OPS)  # migration 0014


def place_trigger_cost(url: str, runs: int, batch: int = 10_000) -> None:
    """Time one sink flush of `batch` place upserts (half updates, half new keys) without and with 0014."""
    with psycopg.connect(url) as conn:
        latest = conn.execute(
            "SELECT max(day) FROM scan_daily_place_summary WHERE organization_id = %s", (ORG,)
        ).fetchone()
        if latest is None or latest[0] is None:
            print("\nno place rows: the place write cost is not measured")
            return
        # the sink's place rows carry every dimension of the daily key; the summary sums them
        existing = conn.execute(
            "SELECT day, organization_id, brand_id, gtin, country_code, is_bot, region_code,"
            " region_name, city, scans FROM scan_daily_place_summary"
            " WHERE organization_id = %s AND day = %s LIMIT %s",
            (ORG, latest[0], batch // 2),
        ).fetchall()
        has_totals = conn.execute("SELECT to_regproc('scan_place_totals_rebuild')").fetchone() != (None,)
        conn.rollback()

        def full(
            day: Any, org: Any, brand: Any, gtin: Any, cc: Any, bot: Any, *place: Any
        ) -> tuple[Any, ...]:
            traffic = ("bot", "", "", "", "") if bot else ("human", "", "", "", "")
            return (day, org, brand, gtin, cc, "bot" if bot else "mobile", bot, *traffic, *place)

        rows = [(*full(*key), n + 1) for *key, n in existing]
        rows += [(*full(key[0] + timedelta(days=1), *key[1:]), 1) for *key, _ in existing]
        columns = [list(col) for col in zip(*rows, strict=True)]
        print(
            f"\nsink flush of {len(rows)} place upserts ({len(existing)} updates, {len(existing)} new keys),"
            f" the sink's place UPSERT statement, rolled back; ms over {runs} runs, interleaved:"
        )
        disabled = {"no triggers": [sql.SQL("USER")]}
        if has_totals:
            disabled["0014 place totals"] = []
        samples: dict[str, list[float]] = {label: [] for label in disabled}
        for _ in range(runs):
            for label, triggers in disabled.items():
                with conn.transaction(force_rollback=True):
                    for trigger in triggers:
                        conn.execute(
                            sql.SQL("ALTER TABLE scan_daily_place_summary DISABLE TRIGGER {}").format(trigger)
                        )
                    samples[label].append(timed(lambda: conn.execute(PLACE.upsert, columns)))
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
            more = api_dataset.HOURLY_TABLES + api_dataset.PLACE_TABLES + api_dataset.TRAILING_TABLES
            tables = [*api_dataset.TABLES, *api_dataset.existing(conn, more)]
            conn.execute(
                sql.SQL("VACUUM (ANALYZE) {}").format(sql.SQL(", ").join(map(sql.Identifier, tables)))
            )
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regproc('scan_trailing_roll')").fetchone() != (None,):
            # the dataset is not written to: move the trailing windows (0016) to today, as the
            # day's first write of the sink would
            started = time.perf_counter()
            conn.execute("SELECT scan_trailing_roll()")
            print(f"trailing windows moved to today in {(time.perf_counter() - started) * 1000:.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="sa_bench", help="benchmark database (default sa_bench)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per case (default 20)")
    parser.add_argument(
        "--hourly-runs", type=int, default=10, help="timed runs per case of the hourly path (default 10)"
    )
    parser.add_argument(
        "--only",
        choices=("daily", "hourly", "places", "writes"),
        help="run only these cases (or only the write cost); the places cases run only when asked for",
    )
    parser.add_argument(
        "--baseline", metavar="REF", help="also serve the API of git commit REF and time it beside"
    )
    parser.add_argument(
        "--baseline-without",
        metavar="MODULE",
        action="append",
        default=[],
        help="hide an installed module from the baseline API (repeatable)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN ANALYZE of the main query: 30 and 365 days, 1 and 30 Chicago days",
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    url = ensure_dataset(settings, args.database)
    migrate_dataset(settings, url)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM scan_daily_summary WHERE organization_id = %s", (ORG,)
        ).fetchone()
        hours = conn.execute(
            "SELECT count(*) FROM scan_hourly_summary WHERE organization_id = %s", (ORG,)
        ).fetchone()
    print(
        f"dataset {args.database}: {ORG} has {rows[0] if rows else 0:,} daily rows, "
        f"{hours[0] if hours else 0:,} hourly rows"
    )
    if args.only != "writes":
        with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
            port, baseline = free_port(), None
            daily_sql: list[tuple[bytes, list[Any]]] | None = None
            hourly_sql: list[tuple[bytes, list[Any]]] | None = None
            places_sql: list[tuple[bytes, list[Any]]] | None = None
            procs = [start_api(settings, url, port)]
            try:
                if args.baseline:
                    source = extract(args.baseline, Path(tmp), args.baseline_without)
                    baseline = free_port()
                    procs.append(start_api(settings, url, baseline, source))
                    print(f"baseline: {args.baseline} on port {baseline}")
                    daily_sql = baseline_statements(source, daily_cases())
                    hourly_sql = baseline_statements(source, hourly_cases())
                    places_sql = baseline_statements(source, places_cases())
                dev = settings.model_copy(update={"dev_auth": True})
                token = mint_token(dev, api_dataset.BENCH_USER, ttl_seconds=3600)
                pids = (procs[0].pid, procs[1].pid if baseline else None)
                if args.only in (None, "daily"):
                    ratios(latency(url, port, token, daily_cases(), args.runs, baseline, pids, daily_sql))
                if args.only in (None, "hourly"):
                    latency(url, port, token, hourly_cases(), args.hourly_runs, baseline, pids, hourly_sql)
                if args.only == "places":
                    latency(url, port, token, places_cases(), args.hourly_runs, baseline, pids, places_sql)
            finally:
                for proc in procs:
                    proc.terminate()
                    proc.wait(20)
        if args.explain:
            explain(
                url,
                [
                    case(30, False, last=True),
                    case(365, False, last=True),
                    case(1, False, CHICAGO),
                    case(30, False, CHICAGO),
                ],
            )
    if args.only in (None, "writes"):
        trigger_cost(url, max(5, args.runs // 2))
        hourly_trigger_cost(url, max(5, args.runs // 2))
        place_trigger_cost(url, max(5, args.runs // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
