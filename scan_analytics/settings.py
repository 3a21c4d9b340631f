"""One settings object for every process: addresses, topic names, paths."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "SCAN_ANALYTICS_"


class Settings(BaseSettings):
    """Configuration read from `SCAN_ANALYTICS_*` environment variables (and `.env`)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    # Kafka
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers")
    topic_raw: str = Field(default="scans.raw", description="topic the resolver publishes ScanEvents to")
    topic_enriched: str = Field(
        default="scans.enriched", description="topic of EnrichedScanEvents for downstream consumers"
    )
    topic_dlq: str = Field(
        default="scans.dlq", description="dead-letter topic: undecodable or invalid input with its reason"
    )
    topic_partitions: int = Field(default=4, ge=1, description="partitions of the topics the project creates")

    # Schema registry (Confluent-compatible API)
    schema_registry_url: str = Field(
        default="http://127.0.0.1:8081/apis/ccompat/v7",
        description="Confluent-compatible schema registry API",
    )
    auto_register_schemas: bool = Field(
        default=True,
        description="let producers register schemas (off in production: `schemas register` at deploy)",
    )

    # PostgreSQL
    database_url: str = Field(
        default="postgresql://scan_analytics:scan_analytics@127.0.0.1:5432/scan_analytics",
        description="PostgreSQL connection URL",
    )
    database_pool_min: int = Field(default=1, ge=0, description="API connection pool: minimum size")
    database_pool_max: int = Field(default=10, ge=1, description="API connection pool: maximum size")

    # Local services (`scan-analytics services ...`)
    services_dir: Path = Field(
        default=REPO_ROOT / ".services", description="local services' jars, data, logs and pid files"
    )
    kafka_version: str = Field(
        default="4.0.2", description="Apache Kafka version resolved from Maven Central"
    )
    kafka_heap: str = Field(default="512m", description="broker JVM heap")
    kafka_port: int = Field(default=9092, description="broker listener port")
    kafka_controller_port: int = Field(default=9093, description="KRaft controller port")
    apicurio_version: str = Field(
        default="3.0.9", description="Apicurio Registry version resolved from Maven Central"
    )
    apicurio_heap: str = Field(default="512m", description="registry JVM heap")
    apicurio_port: int = Field(default=8081, description="registry HTTP port")
    apicurio_database: str = Field(
        default="apicurio_registry", description="PostgreSQL database holding the registry's schemas"
    )
    postgres_port: int = Field(default=5432, description="port of the local PostgreSQL cluster")
    service_start_timeout: float = Field(
        default=180.0, gt=0, description="seconds to wait for a service to become ready"
    )

    # Paths
    schemas_dir: Path = Field(
        default=REPO_ROOT / "schemas", description="folder of the Avro and SQL contracts"
    )
    geoip_path: Path = Field(
        default=REPO_ROOT / ".services" / "geoip" / "dev-country.mmdb",
        description="GeoIP2/GeoLite2 or DB-IP Lite database (.mmdb): Country, or City for region and city",
    )

    # Stream processing
    worker_id: str = Field(
        default="scan-analytics", description="faust app id: the consumer group and prefix of internal topics"
    )
    worker_data_dir: Path = Field(
        default=REPO_ROOT / ".services" / "worker", description="folder of the workers' table stores"
    )
    worker_web_port: int = Field(default=6066, description="worker's HTTP port (metrics)")
    dedup_horizon_hours: int = Field(
        default=48, ge=1, description="how long an event_id is remembered to drop resends"
    )
    late_horizon_days: int = Field(
        default=7,
        ge=1,
        description="days a UTC day stays open for late events; older events go to the DLQ as too_late",
    )
    hourly_retention_days: int = Field(
        default=92,
        ge=1,
        le=3660,
        description="days of hourly counts kept (granularity=hour and days in a time zone other than "
        "UTC are answered for windows inside them); at least LATE_HORIZON_DAYS",
    )
    sink_interval_seconds: float = Field(
        default=2.0, gt=0, description="how often changed daily counts are written to PostgreSQL"
    )
    bot_rate_per_minute: int = Field(
        default=30, ge=1, description="scans per minute from one IP above which it is a bot (reason rate)"
    )
    bot_distinct_gtins_5min: int = Field(
        default=20,
        ge=1,
        description="distinct GTINs in 5 minutes from one IP above which it is a bot (reason rate)",
    )
    worker_instance: str = Field(
        default="0", description="distinguishes several workers of one group on one host"
    )
    worker_store: str = Field(
        default="rocksdb://",
        description="faust table store (rocksdb://, or memory:// recovering from changelogs)",
    )
    worker_standby_replicas: int = Field(
        default=1,
        ge=0,
        description="warm copies of each table partition kept by the group's other workers (faust's "
        "table_standby_replicas): a worker taking a partition over starts from its copy instead of the "
        "whole changelog, at the price of every worker reading the others' changelogs",
    )
    worker_metrics_host: str = Field(
        default="127.0.0.1", description="address the worker's metrics listen on"
    )
    ip_key_secret: str = Field(
        default="dev-only-ip-key-secret",
        min_length=16,
        description="secret of the keyed hash (HMAC-SHA256) standing for a client IP in the worker's state",
    )
    bot_bucket_cap: int = Field(
        default=256,
        ge=64,
        description="distinct scans of one IP in a 5-minute bucket above which the bucket is saturated: "
        "all its scans and the next bucket's are rate bots",
    )
    dlq_retention_hours: int = Field(
        default=168, ge=1, description="retention of the dead-letter topic (set by the worker)"
    )
    internal_retention_hours: int = Field(
        default=72, ge=1, description="retention of the worker's internal by-IP topic (set by the worker)"
    )

    # Read API
    api_host: str = Field(default="127.0.0.1", description="address the API listens on")
    api_port: int = Field(default=8000, ge=1, le=65535, description="port the API listens on")
    jwks_url: str | None = Field(
        default=None,
        description="identity provider's JWKS URL; unset needs DEV_AUTH (the development JWKS file)",
    )
    jwks_file: Path = Field(
        default=REPO_ROOT / ".services" / "auth" / "dev-jwks.json",
        description="development JWKS file, used with DEV_AUTH when no JWKS URL is set",
    )
    dev_private_key_file: Path = Field(
        default=REPO_ROOT / ".services" / "auth" / "dev-key.pem",
        description="development signing key used by `scan-analytics token`",
    )
    jwt_issuer: str = Field(
        default="https://auth.scan-analytics.local/", description="required `iss` of access tokens"
    )
    jwt_audience: str = Field(default="scan-analytics-api", description="required `aud` of access tokens")
    jwt_algorithms: list[str] = Field(
        default=["RS256", "ES256"], description="accepted signature algorithms (asymmetric only)"
    )
    jwt_leeway_seconds: int = Field(default=30, ge=0, description="clock leeway for `exp` and `nbf`")
    dev_auth: bool = Field(
        default=False,
        description="trust the development JWKS file and let `scan-analytics token` sign tokens; "
        "never in production",
    )
    jwks_cache_seconds: float = Field(
        default=300.0, gt=0, description="how long a fetched JWKS is used before it is fetched again"
    )
    jwks_refresh_interval_seconds: float = Field(
        default=30.0,
        gt=0,
        description="at most one JWKS fetch per interval for unknown key ids and after a failed fetch",
    )
    jwks_max_stale_seconds: float = Field(
        default=86400.0,
        ge=0,
        description="how long the last good JWKS keeps serving while the JWKS URL cannot be fetched",
    )
    api_database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL the API reads with (a login role in scan_analytics_reader); "
        "unset means DATABASE_URL",
    )
    api_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="serve /metrics on this port (on API_HOST) instead of the API port",
    )
    api_user_rate: float = Field(default=5.0, gt=0, description="requests a second one user may make")
    api_user_burst: int = Field(
        default=20, ge=1, description="requests one user may make at once above the rate"
    )
    api_user_concurrency: int = Field(
        default=3, ge=1, description="requests of one user answered at the same time"
    )
    api_org_rate: float = Field(default=20.0, gt=0, description="requests a second one organization may make")
    api_org_burst: int = Field(
        default=60, ge=1, description="requests one organization may make at once above the rate"
    )
    api_org_concurrency: int = Field(
        default=5, ge=1, description="requests for one organization answered at the same time"
    )
    api_pool_timeout_seconds: float = Field(
        default=3.0, gt=0, description="how long a request waits for a database connection before a 503"
    )
    api_pool_max_waiting: int = Field(
        default=20,
        ge=1,
        description="requests that may wait for a database connection; more get a 503 at once",
    )
    api_statement_timeout_ms: int = Field(
        default=10000, ge=100, description="time budget of one API statement"
    )
    api_place_min_scans: int = Field(
        default=10,
        ge=1,
        le=1_000_000,
        description="a city or region with fewer scans in the window is not named in by_city and "
        "by_region (its scans count under other), so one shopper cannot be singled out",
    )
    api_long_window_days: int = Field(
        default=92,
        ge=1,
        description="a window counts as one request per started this many days; longer ones get the "
        "long-window budget",
    )
    api_long_window_statement_timeout_ms: int = Field(
        default=5000, ge=100, description="time budget of a statement over a long window"
    )

    # Dashboard page and MCP server
    dashboard_dev_token_ttl_seconds: int = Field(
        default=900,
        ge=60,
        le=86400,
        description="lifetime of a token the dashboard's development sign-in mints (DEV_AUTH only)",
    )
    oauth_authorization_url: str | None = Field(
        default=None,
        description="identity provider's authorization endpoint; the dashboard signs in there "
        "(authorization code with PKCE)",
    )
    oauth_token_url: str | None = Field(
        default=None, description="identity provider's token endpoint the dashboard exchanges its code at"
    )
    oauth_client_id: str | None = Field(
        default=None, description="the dashboard's public client id at the identity provider"
    )
    oauth_scope: str = Field(default="openid brands:read", description="scopes the dashboard asks for")
    mcp_api_url: str = Field(default="http://127.0.0.1:8000", description="read API the MCP server calls")
    mcp_token: SecretStr | None = Field(
        default=None, description="bearer token the stdio MCP server sends to the API"
    )
    mcp_host: str = Field(
        default="127.0.0.1", description="address the MCP server's HTTP transport listens on"
    )
    mcp_port: int = Field(
        default=8765, ge=1, le=65535, description="port the MCP server's HTTP transport listens on"
    )

    @model_validator(mode="after")
    def _pool_bounds(self) -> Settings:
        if self.database_pool_min > self.database_pool_max:
            raise ValueError(
                f"{ENV_PREFIX}DATABASE_POOL_MIN ({self.database_pool_min}) is larger than "
                f"{ENV_PREFIX}DATABASE_POOL_MAX ({self.database_pool_max})"
            )
        return self

    @model_validator(mode="after")
    def _hourly_covers_late(self) -> Settings:
        if self.hourly_retention_days < self.late_horizon_days:
            raise ValueError(
                f"{ENV_PREFIX}HOURLY_RETENTION_DAYS ({self.hourly_retention_days}) is shorter than "
                f"{ENV_PREFIX}LATE_HORIZON_DAYS ({self.late_horizon_days}): hours still open for late "
                "events would be deleted"
            )
        return self

    @property
    def logs_dir(self) -> Path:
        return self.services_dir / "logs"


def load_settings() -> Settings:
    """Read settings from the environment; called once at each entry point."""
    return Settings()
