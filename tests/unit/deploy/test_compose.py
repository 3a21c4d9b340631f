"""docker-compose.yml is valid Compose and stays in step with the local services and settings.

No Docker engine runs here, so the file is interpolated as `docker compose` would
(`${VAR}`, `${VAR:-default}`, `${VAR:?error}`) and parsed by the compose_spec
validator; then checked against the settings and the local service definitions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from compose_spec import PyCompose

from scan_analytics.services import kafka as local_kafka
from scan_analytics.services import registry as local_registry
from scan_analytics.settings import ENV_PREFIX, REPO_ROOT, Settings

COMPOSE = REPO_ROOT / "docker-compose.yml"
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}")
ENV = {
    "POSTGRES_PASSWORD": "secret",
    "JWKS_URL": "https://idp.example/jwks",
    "JWT_ISSUER": "https://idp.example/",
}


def interpolate(text: str, env: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if name in env:
            return env[name]
        if op == ":-":
            return str(arg)
        raise KeyError(f"{name}: {arg or 'required variable is not set'}")

    return VARIABLE.sub(replace, text)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # YAML anchors and merge keys are resolved first, as docker compose does.
    loaded: dict[str, Any] = yaml.safe_load(interpolate(COMPOSE.read_text(), ENV))
    PyCompose.from_json(json.dumps(loaded)).validate()
    return loaded


def test_required_secrets_fail_loudly_when_missing() -> None:
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        interpolate(COMPOSE.read_text(), {})


def test_has_every_part(compose: dict[str, Any]) -> None:
    assert {"postgres", "kafka", "registry", "migrate", "worker", "api", "simulator"} <= set(
        compose["services"]
    )


def test_dependencies_exist_and_wait_for_health(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for dep, spec in service.get("depends_on", {}).items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            expected = "service_completed_successfully" if dep == "migrate" else "service_healthy"
            assert spec["condition"] == expected, f"{name} -> {dep}"
            if expected == "service_healthy":
                assert "healthcheck" in services[dep], f"{dep} has no healthcheck"


def test_app_environment_names_real_settings(compose: dict[str, Any]) -> None:
    fields = {f.upper() for f in Settings.model_fields}
    for name, service in compose["services"].items():
        for var in service.get("environment", {}):
            if var.startswith(ENV_PREFIX):
                assert var.removeprefix(ENV_PREFIX) in fields, f"{name}: unknown setting {var}"


def test_image_versions_match_local_services(compose: dict[str, Any]) -> None:
    defaults = Settings.model_fields
    services = compose["services"]
    assert services["kafka"]["image"].endswith(f":{defaults['kafka_version'].default}")
    assert services["registry"]["image"].endswith(f":{defaults['apicurio_version'].default}")
    pom = (REPO_ROOT / "deploy" / "maven" / "kafka" / "pom.xml").read_text()
    assert f"<kafka.version>{defaults['kafka_version'].default}</kafka.version>" in pom


def test_broker_settings_match_local_broker(compose: dict[str, Any]) -> None:
    local = dict(line.split("=", 1) for line in local_kafka.SERVER_PROPERTIES.splitlines())
    env = compose["services"]["kafka"]["environment"]
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "auto.create.topics.enable",
        "process.roles",
        "controller.listener.names",
    ):
        compose_key = "KAFKA_" + key.replace(".", "_").upper()
        assert env[compose_key] == local[key], key


def test_registry_storage_matches_local_registry(compose: dict[str, Any]) -> None:
    local = local_registry.environment(Settings())
    env = compose["services"]["registry"]["environment"]
    for key in ("APICURIO_STORAGE_KIND", "APICURIO_STORAGE_SQL_KIND"):
        assert env[key] == local[key]
    assert env["APICURIO_DATASOURCE_URL"].endswith("/" + Settings().apicurio_database)


def test_dockerfile_copies_every_package() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    for package in ("scan_analytics", "producers", "stream_processors", "api", "schemas"):
        assert f"COPY {package} ./{package}" in dockerfile
    assert Path(REPO_ROOT / ".dockerignore").exists()
