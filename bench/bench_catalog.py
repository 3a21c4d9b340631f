"""Time and peak memory of `scan-analytics catalog import` and `export` on a large catalog.

Writes a catalog file (by default 50 organizations, 500 brands and 100,000
products, one file with a kind column) to a temporary folder, creates a scratch
database and migrates it, then runs the real command in a child process for each
step: the dry run, the import, the re-import (which must change nothing), the
export, and the import of the export (which must change nothing either). For
each it prints the wall time, the command's CPU time and its peak resident
memory (the child's own rusage; PostgreSQL's share shows in the wall time only).
The scratch database is dropped at the end.

    .venv/bin/python bench/bench_catalog.py [--products 100000] [--format csv|jsonl]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from scan_analytics import migrate
from scan_analytics.databases import create_database, drop_database
from scan_analytics.settings import REPO_ROOT, Settings, load_settings

COLUMNS = ("kind", "organization_id", "brand_id", "gtin", "name")
WORDS = ("Citric", "Oat", "Sparkling", "Organic", "Kids", "Dark", "Sea Salt", "Vanilla", "Berry", "Classic")


def check_digit(body: str) -> str:
    """Return the GS1 mod-10 check digit of a GTIN without its last digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def catalog_rows(organizations: int, brands: int, products: int, seed: int) -> list[dict[str, str]]:
    """Return the rows of a catalog file: organizations, brands spread over them, products over brands."""
    rng = random.Random(seed)
    rows = [
        {"kind": "organization", "organization_id": f"org-{o:03d}", "name": f"Organization {o}"}
        for o in range(organizations)
    ]
    rows += [
        {
            "kind": "brand",
            "brand_id": f"brand-{b:04d}",
            "organization_id": f"org-{b % organizations:03d}",
            "name": f"Brand {b}",
        }
        for b in range(brands)
    ]
    for p in range(products):
        body = (
            f"{4_000_000 + p:07d}{rng.randrange(10**5):05d}"  # 12 digits: a GTIN-13 without its check digit
        )
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.randrange(50, 2000)} g, no. {p}"
        rows.append(
            {
                "kind": "product",
                "gtin": body + check_digit(body),
                "brand_id": f"brand-{p % brands:04d}",
                "name": name,
            }
        )
    return rows


def write_file(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        if path.suffix == ".csv":
            writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            f.writelines(json.dumps(row) + "\n" for row in rows)


def run(url: str, *args: str) -> tuple[float, float, float, str]:
    """Run `scan-analytics ARGS --quiet` on `url`; return wall and CPU seconds, peak RSS (MiB), stdout."""
    env = dict(os.environ, SCAN_ANALYTICS_DATABASE_URL=url)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "scan_analytics.cli", *args, "--quiet"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage, not all children's
        seconds = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code:
            raise SystemExit(f"scan-analytics {' '.join(args)} failed (exit {code}):\n{err.read()}")
        return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read()


def counts(output: str) -> dict[str, tuple[int, int, int]]:
    """Return {table: (inserted, updated, unchanged)} from the import command's output."""
    found = re.findall(r"^(\w+):\s+(\d+) [\w ]+?, (\d+) [\w ]+?, (\d+) unchanged$", output, re.M)
    return {table: (int(i), int(u), int(n)) for table, i, u, n in found}


def scratch_database(settings: Settings) -> tuple[str, str]:
    name = f"sa_bench_catalog_{uuid.uuid4().hex[:8]}"
    url = create_database(settings.database_url, name)
    migrate.apply(url, settings.schemas_dir / "sql")
    return name, url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organizations", type=int, default=50)
    parser.add_argument("--brands", type=int, default=500)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    settings = load_settings()

    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        source = Path(tmp) / f"catalog.{args.format}"
        exported = Path(tmp) / f"exported.{args.format}"
        started = time.perf_counter()
        rows = catalog_rows(args.organizations, args.brands, args.products, args.seed)
        write_file(source, rows)
        print(
            f"{source.name}: {len(rows):,} rows ({args.organizations} organizations, {args.brands} brands, "
            f"{args.products:,} products), {source.stat().st_size / 2**20:.1f} MiB, "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        name, url = scratch_database(settings)
        try:
            print(f"\n{'step':<24} {'wall s':>7} {'CPU s':>6} {'peak RSS MiB':>13}  result")
            steps = [
                ("dry run", ("catalog", "import", str(source), "--dry-run"), "new"),
                ("import", ("catalog", "import", str(source)), "new"),
                ("re-import (no-op)", ("catalog", "import", str(source)), "unchanged"),
                ("export", ("catalog", "export", str(exported)), None),
                ("import of the export", ("catalog", "import", str(exported)), "unchanged"),
            ]
            for label, command, expect in steps:
                seconds, cpu, rss, output = run(url, *command)
                result = " ".join(output.split()) if expect is None else _check(counts(output), expect, args)
                print(f"{label:<24} {seconds:7.2f} {cpu:6.2f} {rss:13.0f}  {result}")
        finally:
            drop_database(settings.database_url, name)
    return 0


def _check(found: dict[str, tuple[int, int, int]], expect: str, args: argparse.Namespace) -> str:
    sizes = {"organizations": args.organizations, "brands": args.brands, "products": args.products}
    for table, size in sizes.items():
        wanted = (size, 0, 0) if expect == "new" else (0, 0, size)
        if found.get(table) != wanted:
            raise SystemExit(
                f"{table}: expected {wanted} (inserted, updated, unchanged), got {found.get(table)}"
            )
    return "all new" if expect == "new" else "all unchanged"


if __name__ == "__main__":
    sys.exit(main())
