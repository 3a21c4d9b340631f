"""One settings object for every process: addresses, topic names, paths."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "SCAN_ANALYTICS_"


class Settings(BaseSettings):
    """Configuration read from `SCAN_ANALYTICS_*` environment variables (and `.env`)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    # Kafka
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_raw: str = "scans.raw"
    topic_enriched: str = "scans.enriched"
    topic_dlq: str = "scans.dlq"
    topic_partitions: int = Field(default=4, ge=1)

    # Schema registry (Confluent-compatible API)
    schema_registry_url: str = "http://127.0.0.1:8081/apis/ccompat/v7"
    auto_register_schemas: bool = True

    # PostgreSQL
    database_url: str = "postgresql://scan_analytics:scan_analytics@127.0.0.1:5432/scan_analytics"
    database_pool_min: int = Field(default=1, ge=0)
    database_pool_max: int = Field(default=10, ge=1)

    # Local services (`scan-analytics services ...`)
    services_dir: Path = REPO_ROOT / ".services"
    kafka_version: str = "4.0.2"
    kafka_heap: str = "512m"
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    apicurio_version: str = "3.0.9"
    apicurio_heap: str = "512m"
    apicurio_port: int = 8081
    apicurio_database: str = "apicurio_registry"
    postgres_port: int = 5432
    service_start_timeout: float = Field(default=180.0, gt=0)

    # Paths
    schemas_dir: Path = REPO_ROOT / "schemas"
    geoip_path: Path = REPO_ROOT / ".services" / "geoip" / "dev-country.mmdb"

    # Stream processing
    worker_id: str = "scan-analytics"
    worker_data_dir: Path = REPO_ROOT / ".services" / "worker"
    worker_web_port: int = 6066
    dedup_horizon_hours: int = Field(default=48, ge=1)
    late_horizon_days: int = Field(default=7, ge=1)
    sink_interval_seconds: float = Field(default=3.0, gt=0)
    bot_rate_per_minute: int = Field(default=30, ge=1)
    bot_distinct_gtins_5min: int = Field(default=20, ge=1)
    worker_instance: str = "0"  # several workers of one group on one host need distinct values
    worker_store: str = "rocksdb://"  # faust table store; "memory://" recovers from changelogs
    worker_metrics_host: str = "127.0.0.1"

    # Read API
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    jwks_url: str | None = None
    jwks_file: Path = REPO_ROOT / ".services" / "auth" / "dev-jwks.json"
    dev_private_key_file: Path = REPO_ROOT / ".services" / "auth" / "dev-key.pem"
    jwt_issuer: str = "https://auth.scan-analytics.local/"
    jwt_audience: str = "scan-analytics-api"
    jwt_algorithms: list[str] = ["RS256", "ES256"]
    jwt_leeway_seconds: int = Field(default=30, ge=0)

    @property
    def logs_dir(self) -> Path:
        return self.services_dir / "logs"


def load_settings() -> Settings:
    """Read settings from the environment; called once at each entry point."""
    return Settings()
