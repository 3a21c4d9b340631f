"""Local services for development and tests: PostgreSQL, Kafka, Apicurio Registry."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from scan_analytics.settings import Settings

from . import kafka, postgres, registry


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    address: str
    ready: bool
    pid: int | None
    log: str


def up(settings: Settings, echo: Callable[[str], None] = print) -> float:
    """Start every service in dependency order; return the seconds it took."""
    began = time.monotonic()
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    for name, start in (("postgres", postgres.start), ("kafka", kafka.start), ("registry", registry.start)):
        t0 = time.monotonic()
        start(settings)
        echo(f"{name}: ready ({time.monotonic() - t0:.1f} s)")
    return time.monotonic() - began


def down(settings: Settings, echo: Callable[[str], None] = print) -> None:
    """Stop the registry and the broker (and PostgreSQL) in reverse order."""
    for name, stop in (("registry", registry.stop), ("kafka", kafka.stop), ("postgres", postgres.stop)):
        echo(f"{name}: {'stopped' if stop(settings) else 'not running'}")


def status(settings: Settings) -> list[ServiceStatus]:
    """Report each service's address, readiness, pid and log file."""
    kproc, rproc = kafka.process(settings), registry.process(settings)
    return [
        ServiceStatus(
            "postgres",
            f"127.0.0.1:{settings.postgres_port}",
            postgres.is_ready(settings),
            None,
            "/var/log/postgresql/",
        ),
        ServiceStatus(
            "kafka", settings.kafka_bootstrap, kafka.is_ready(settings), kproc.pid(), str(kproc.log_file)
        ),
        ServiceStatus(
            "registry",
            settings.schema_registry_url,
            registry.is_ready(settings),
            rproc.pid(),
            str(rproc.log_file),
        ),
    ]
