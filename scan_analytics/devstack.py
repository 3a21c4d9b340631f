"""`make run`: services up, migrate, then worker, API and a simulator trickle in the foreground.

Each part runs as its own `scan-analytics` process with its log under
.services/logs; Ctrl-C stops them (the services keep running; stop those with
`scan-analytics services down`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from scan_analytics import migrate, services
from scan_analytics.cli import build_parser, command_names
from scan_analytics.devgeo import ensure_country_mmdb
from scan_analytics.errors import ScanAnalyticsError
from scan_analytics.settings import ENV_PREFIX, Settings, load_settings

DEMO_USER = "alice"


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("scan-analytics")
    return [str(script)] if script.exists() else [shutil.which("scan-analytics") or "scan-analytics"]


class Part:
    """One child process of the development stack."""

    def __init__(self, name: str, argv: Sequence[str], log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._log = self.log.open("ab")
        self.proc = subprocess.Popen(
            list(argv), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def _wait_http(url: str, part: Part, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and part.alive():
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


def _token(cli: list[str], user: str) -> str | None:
    result = subprocess.run([*cli, "token", "--user", user], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def run(settings: Settings, rate: int) -> int:
    print("== services")
    services.up(settings)
    applied = migrate.apply(settings.database_url, settings.schemas_dir / "sql")
    print(f"== database migrated ({len(applied)} new migration(s))")
    ensure_country_mmdb(settings.geoip_path)
    commands, cli, parts = set(command_names(build_parser())), _cli(), []
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    try:
        if "simulate" in commands:
            seeded = subprocess.run([*cli, "simulate", "--events", "2000", "--rate", "0"])
            if seeded.returncode != 0:
                print("simulate: seeding the catalog failed; see the output above")
                return 1
            parts.append(
                Part("simulator", [*cli, "simulate", "--forever", "--rate", str(rate)], settings.logs_dir)
            )
        if "worker" in commands:
            parts.append(Part("worker", [*cli, "worker"], settings.logs_dir))
        api_url = f"http://{settings.api_host}:{settings.api_port}"
        if "api" in commands:
            api = Part("api", [*cli, "api"], settings.logs_dir)
            parts.append(api)
            if not _wait_http(f"{api_url}/readyz", api):
                print(f"api: not ready; see {api.log}")
                return 1
        print("\n== scan-analytics is running")
        for part in parts:
            print(f"   {part.name:<10} pid {part.proc.pid:<8} log {part.log}")
        if "api" in commands:
            token = _token(cli, DEMO_USER)
            print(f"\n   API      {api_url}   (OpenAPI docs: {api_url}/docs)")
            if token:
                print(f"   token    for user {DEMO_USER}: TOKEN=$(scan-analytics token --user {DEMO_USER})")
                print("\n   Try it:\n")
                print(f"   curl -s -H 'Authorization: Bearer {token}' \\")
                print(f"        '{api_url}/dashboard/api/v1/brand-analytics/scans?top=5'\n")
        print("   Ctrl-C stops these processes; `scan-analytics services down` stops the services.")
        while all(part.alive() for part in parts):
            time.sleep(1)
        dead = [p for p in parts if not p.alive()]
        for part in dead:
            print(f"{part.name} exited with code {part.proc.returncode}; see {part.log}")
        return 1 if dead else 0
    except KeyboardInterrupt:
        print("\nstopping ...")
        return 0
    finally:
        for part in reversed(parts):
            part.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__)
    parser.add_argument(
        "--rate",
        type=int,
        default=int(os.environ.get("RATE", "300")),
        help="simulated scans per second (default 300, or $RATE)",
    )
    args = parser.parse_args(argv)
    # the development stack: its API trusts the local development key, and `token` signs with it
    os.environ.setdefault(f"{ENV_PREFIX}DEV_AUTH", "true")
    try:
        return run(load_settings(), args.rate)
    except ScanAnalyticsError as e:
        print(f"make run: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
