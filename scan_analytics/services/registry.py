"""Apicurio Registry 3.x with its Confluent-compatible API, storing in PostgreSQL."""

from __future__ import annotations

import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from scan_analytics.errors import ServiceError
from scan_analytics.settings import Settings

from . import maven
from .process import ManagedProcess, ensure_started, port_open


def _home(settings: Settings) -> Path:
    return settings.services_dir / "apicurio"


def process(settings: Settings) -> ManagedProcess:
    return ManagedProcess("registry", settings.services_dir / "run", settings.logs_dir)


def is_ready(settings: Settings) -> bool:
    if not port_open("127.0.0.1", settings.apicurio_port):
        return False
    try:
        with urllib.request.urlopen(f"{settings.schema_registry_url}/subjects", timeout=3) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def install(settings: Settings) -> Path:
    """Fetch and unpack the registry's distribution once per version; return its folder."""
    version = settings.apicurio_version
    app = _home(settings) / f"apicurio-registry-{version}"
    if _runner(app) is not None:
        return app
    print(f"registry: resolving apicurio-registry-app:{version} from Maven Central ...", flush=True)
    downloads = _home(settings) / "downloads"
    archive = maven.copy_artifact(
        f"io.apicurio:apicurio-registry-app:{version}:tar.gz:all",
        downloads,
        settings.logs_dir / "maven.log",
    )
    tmp = app.with_name(app.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
    roots = [p.parent for p in (*tmp.rglob("quarkus-run.jar"), *tmp.rglob("*-runner.jar"))]
    if not roots:
        raise ServiceError(f"registry: no quarkus-run.jar or *-runner.jar in {archive}")
    shutil.rmtree(app, ignore_errors=True)
    roots[0].rename(app)
    shutil.rmtree(tmp, ignore_errors=True)
    archive.unlink(missing_ok=True)
    return app


def _runner(app: Path) -> Path | None:
    """Return the executable jar: quarkus-run.jar (fast-jar) or *-runner.jar (legacy)."""
    if (app / "quarkus-run.jar").exists():
        return app / "quarkus-run.jar"
    return next(iter(sorted(app.glob("*-runner.jar"))), None)


def environment(settings: Settings) -> dict[str, str]:
    """Environment for the registry: loopback, SQL storage in the project's PostgreSQL."""
    info = conninfo_to_dict(settings.database_url)
    jdbc = (
        f"jdbc:postgresql://{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/"
        f"{settings.apicurio_database}"
    )
    return {
        "QUARKUS_HTTP_HOST": "127.0.0.1",
        "QUARKUS_HTTP_PORT": str(settings.apicurio_port),
        "APICURIO_STORAGE_KIND": "sql",
        "APICURIO_STORAGE_SQL_KIND": "postgresql",
        "APICURIO_DATASOURCE_URL": jdbc,
        "APICURIO_DATASOURCE_USERNAME": str(info["user"]),
        "APICURIO_DATASOURCE_PASSWORD": str(info.get("password", "")),
        "APICURIO_DATASOURCE_JDBC_INITIAL_SIZE": "2",
        "APICURIO_DATASOURCE_JDBC_MIN_SIZE": "2",
        "APICURIO_DATASOURCE_JDBC_MAX_SIZE": "10",
        "QUARKUS_LOG_LEVEL": "INFO",
    }


def start(settings: Settings) -> None:
    """Start the registry unless it runs; wait until its ccompat API answers."""
    proc = process(settings)

    def launch() -> None:
        app = install(settings)
        heap = settings.apicurio_heap
        proc.start(
            ["java", f"-Xms{heap}", f"-Xmx{heap}", "-Djava.awt.headless=true", "-jar", str(_runner(app))],
            env=environment(settings),
            cwd=app,
        )

    ensure_started(
        proc,
        port=settings.apicurio_port,
        ready=lambda: is_ready(settings),
        launch=launch,
        timeout=settings.service_start_timeout,
    )


def stop(settings: Settings) -> bool:
    return process(settings).stop()
