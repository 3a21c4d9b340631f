"""Apache Kafka 4.x, single-node KRaft, from Maven Central jars."""

from __future__ import annotations

import base64
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

from scan_analytics.errors import ServiceError
from scan_analytics.settings import REPO_ROOT, Settings

from . import maven
from .process import ManagedProcess, ensure_started, port_open

POM = REPO_ROOT / "deploy" / "maven" / "kafka" / "pom.xml"

SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data_dir}
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=336
log.segment.bytes=268435456
"""

LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
logger.org.name = org.apache.kafka
logger.org.level = WARN
"""


def _home(settings: Settings) -> Path:
    return settings.services_dir / "kafka"


def process(settings: Settings) -> ManagedProcess:
    return ManagedProcess("kafka", settings.services_dir / "run", settings.logs_dir)


def is_ready(settings: Settings) -> bool:
    if not port_open("127.0.0.1", settings.kafka_port):
        return False
    from confluent_kafka.admin import AdminClient

    try:
        admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
        metadata = admin.list_topics(timeout=3)
    except Exception:
        return False
    return bool(metadata.brokers)


def install(settings: Settings) -> Path:
    """Resolve the broker jars once per version; return the libs folder."""
    libs = _home(settings) / f"libs-{settings.kafka_version}"
    if libs.is_dir() and any(libs.glob("kafka_2.13-*.jar")):
        return libs
    print(f"kafka: resolving kafka_2.13:{settings.kafka_version} from Maven Central ...", flush=True)
    maven.copy_dependencies(
        POM, "kafka.version", settings.kafka_version, libs, settings.logs_dir / "maven.log"
    )
    return libs


def _configure(settings: Settings) -> tuple[Path, Path]:
    home = _home(settings)
    data_dir = home / "data"
    config = home / "server.properties"
    config.write_text(
        SERVER_PROPERTIES.format(
            port=settings.kafka_port, controller_port=settings.kafka_controller_port, data_dir=data_dir
        )
    )
    log4j = home / "log4j2.properties"
    log4j.write_text(LOG4J2)
    return config, log4j


def _java(libs: Path, log4j: Path, heap: str, *args: str) -> list[str]:
    return [
        "java",
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        f"{libs}/*",
        *args,
    ]


def new_cluster_id(draw: Callable[[], uuid.UUID] = uuid.uuid4) -> str:
    """A random cluster id as Kafka writes one: URL-safe base64, never starting with "-".

    Kafka's own ``Uuid.randomUuid`` draws again for such ids; a leading "-" would also read as
    an option to ``kafka-storage format`` (one fresh install in 64 failed that way).
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(draw().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _format_storage(settings: Settings, libs: Path, config: Path, log4j: Path) -> None:
    data_dir = _home(settings) / "data"
    if (data_dir / "meta.properties").exists():
        return
    result = subprocess.run(
        _java(
            libs,
            log4j,
            "256m",
            "kafka.tools.StorageTool",
            "format",
            f"--cluster-id={new_cluster_id()}",
            "-c",
            str(config),
        ),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise ServiceError(f"kafka: formatting storage failed:\n{result.stdout}{result.stderr}")


def start(settings: Settings) -> None:
    """Start the broker unless it runs; wait until it answers metadata requests."""
    proc = process(settings)

    def launch() -> None:
        libs = install(settings)
        config, log4j = _configure(settings)
        _format_storage(settings, libs, config, log4j)
        proc.start(_java(libs, log4j, settings.kafka_heap, "kafka.Kafka", str(config)))

    ensure_started(
        proc,
        port=settings.kafka_port,
        ready=lambda: is_ready(settings),
        launch=launch,
        timeout=settings.service_start_timeout,
    )


def stop(settings: Settings) -> bool:
    return process(settings).stop()
