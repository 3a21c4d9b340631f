"""PostgreSQL from Debian's packages: install if missing, start, create role and databases."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from scan_analytics.errors import ServiceError
from scan_analytics.settings import Settings

from .process import port_open, wait_until

PG_ROOT = Path("/usr/lib/postgresql")
READER_ROLE = "scan_analytics_reader"  # the role the read API reads with


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int
    status: str


def _run(argv: list[str], *, check: bool = True, as_postgres: bool = False) -> str:
    if as_postgres:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    result = subprocess.run(argv, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise ServiceError(f"{' '.join(argv)} failed: {result.stderr.strip() or result.stdout}")
    return result.stdout


def ensure_installed(echo: bool = True) -> None:
    """Install Debian's postgresql package if no server binaries are present."""
    if list(PG_ROOT.glob("*/bin/postgres")) and shutil.which("pg_ctlcluster"):
        return
    if echo:
        print("postgres: installing Debian's postgresql package (apt-get) ...", flush=True)
    env_cmd = ["env", "DEBIAN_FRONTEND=noninteractive"]
    _run([*env_cmd, "apt-get", "update", "-q"])
    _run([*env_cmd, "apt-get", "install", "-y", "-q", "postgresql"])


def clusters() -> list[Cluster]:
    """List the Debian-managed clusters (pg_lsclusters)."""
    out = _run(["pg_lsclusters", "--no-header"], check=False)
    found = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            found.append(Cluster(parts[0], parts[1], int(parts[2]), parts[3]))
    return found


def _cluster(settings: Settings) -> Cluster:
    for cluster in clusters():
        if cluster.port == settings.postgres_port:
            return cluster
    versions = sorted(p.parent.parent.name for p in PG_ROOT.glob("*/bin/postgres"))
    if not versions:
        raise ServiceError("postgres: no PostgreSQL server binaries found under /usr/lib/postgresql")
    version = versions[-1]
    taken = {c.name for c in clusters() if c.version == version}
    name = "main" if "main" not in taken else f"port{settings.postgres_port}"
    _run(["pg_createcluster", version, name, "--port", str(settings.postgres_port)])
    return Cluster(version, name, settings.postgres_port, "down")


def is_ready(settings: Settings) -> bool:
    return port_open("127.0.0.1", settings.postgres_port)


def start(settings: Settings) -> None:
    """Start the cluster on the configured port and wait until it accepts connections."""
    ensure_installed()
    cluster = _cluster(settings)
    if cluster.status != "online":
        log = settings.logs_dir / "postgres-start.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["pg_ctlcluster", cluster.version, cluster.name, "start"], capture_output=True, text=True
        )
        log.write_text(result.stdout + result.stderr)
        if result.returncode != 0 and "already running" not in result.stderr:
            raise ServiceError(
                f"postgres: pg_ctlcluster {cluster.version} {cluster.name} start failed; "
                f"see /var/log/postgresql/postgresql-{cluster.version}-{cluster.name}.log\n"
                f"{result.stderr.strip()}"
            )
    wait_until(lambda: is_ready(settings), timeout=60, what="postgres")
    ensure_role_and_databases(settings)


def stop(settings: Settings) -> bool:
    for cluster in clusters():
        if cluster.port == settings.postgres_port and cluster.status == "online":
            _run(["pg_ctlcluster", cluster.version, cluster.name, "stop", "-m", "fast"])
            return True
    return False


def _psql(port: int, sql: str) -> str:
    return _run(
        ["psql", "-X", "-q", "-t", "-A", "-p", str(port), "-v", "ON_ERROR_STOP=1", "-c", sql],
        as_postgres=True,
    )


def ensure_role_and_databases(settings: Settings) -> None:
    """Create the project's role and databases (its own and the registry's) if missing."""
    info = conninfo_to_dict(settings.database_url)
    user, password, dbname = str(info["user"]), str(info.get("password", "")), str(info["dbname"])
    port = settings.postgres_port
    exists = _psql(port, f"SELECT 1 FROM pg_roles WHERE rolname = '{user}'").strip()
    if not exists:
        _psql(port, f"CREATE ROLE \"{user}\" LOGIN CREATEDB PASSWORD '{password}'")
    # The read API's role (migration 0005 grants it SELECT); the owner, no superuser
    # here, cannot create roles, so the cluster's superuser creates it for it.
    if not _psql(port, f"SELECT 1 FROM pg_roles WHERE rolname = '{READER_ROLE}'").strip():
        _psql(port, f'CREATE ROLE "{READER_ROLE}" NOLOGIN')
    _psql(port, f'GRANT "{READER_ROLE}" TO "{user}"')
    for name in (dbname, settings.apicurio_database):
        if not _psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip():
            _psql(port, f'CREATE DATABASE "{name}" OWNER "{user}"')
