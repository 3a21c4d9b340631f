"""Time the local services from nothing to ready, cold and warm Maven cache; report memory.

Runs a second, private set of services on other ports (own folder, own Maven
repository for the cold run, own PostgreSQL cluster), so the services in use
are not disturbed. Prints one line per phase and the resident memory of the
broker and the registry once ready.

    .venv/bin/python bench/bench_services.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from scan_analytics.services import kafka, postgres, registry
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings, load_settings


def rss_mib(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def private_settings(base: Settings, root: Path, pg_port: int, database: str) -> Settings:
    kport, cport, rport = free_port(), free_port(), free_port()
    return base.model_copy(
        update={
            "services_dir": root,
            "kafka_port": kport,
            "kafka_controller_port": cport,
            "kafka_bootstrap": f"127.0.0.1:{kport}",
            "apicurio_port": rport,
            "apicurio_database": database,
            "schema_registry_url": f"http://127.0.0.1:{rport}/apis/ccompat/v7",
            "database_url": base.database_url.replace(f":{base.postgres_port}/", f":{pg_port}/"),
            "postgres_port": pg_port,
        }
    )


def run_once(settings: Settings, label: str) -> None:
    timings = {}
    began = time.monotonic()
    for name, start in (("postgres", postgres.start), ("kafka", kafka.start), ("registry", registry.start)):
        t0 = time.monotonic()
        start(settings)
        timings[name] = time.monotonic() - t0
    total = time.monotonic() - began
    parts = "  ".join(f"{k} {v:5.1f} s" for k, v in timings.items())
    print(f"{label:<28} total {total:6.1f} s   {parts}")
    print(
        f"{'':<28} RSS kafka {rss_mib(kafka.process(settings).pid()):6.0f} MiB   "
        f"registry {rss_mib(registry.process(settings).pid()):6.0f} MiB"
    )
    registry.stop(settings)
    kafka.stop(settings)
    postgres.stop(settings)


def main() -> None:
    base = load_settings()
    pg_port = free_port()
    database = f"apicurio_bench_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="sa-bench-services-") as tmp:
        cold_repo = Path(tmp) / "m2"
        os.environ["MAVEN_OPTS"] = f"-Dmaven.repo.local={cold_repo}"
        cold = private_settings(base, Path(tmp) / "cold", pg_port, database)
        try:
            run_once(cold, "cold (empty Maven cache)")
            os.environ.pop("MAVEN_OPTS")
            warm = private_settings(base, Path(tmp) / "warm", pg_port, database + "_warm")
            run_once(warm, "warm (Maven cache filled)")
            run_once(warm, "restart (installed, formatted)")
        finally:
            for cluster in postgres.clusters():
                if cluster.port == pg_port:
                    subprocess.run(["pg_dropcluster", "--stop", cluster.version, cluster.name], check=False)
            shutil.rmtree(cold_repo, ignore_errors=True)


if __name__ == "__main__":
    main()
