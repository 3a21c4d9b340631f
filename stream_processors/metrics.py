"""Prometheus metrics of the worker."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from stream_processors.errors import StreamProcessorError


class WorkerMetrics:
    """The worker's metrics, in a registry of their own (served on the worker's web port)."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.events_in = Counter("scan_worker_events_in", "Records consumed, by topic", ["topic"], registry=r)
        self.events_out = Counter(
            "scan_worker_events_out", "Records produced, by topic", ["topic"], registry=r
        )
        self.dead_letters = Counter(
            "scan_worker_dead_letters", "Records set aside, by reason", ["reason"], registry=r
        )
        self.duplicates = Counter(
            "scan_worker_duplicates", "Resent or replayed events skipped, by stage", ["stage"], registry=r
        )
        self.reclassified = Counter(
            "scan_worker_rate_reclassifications",
            "Events flipped to rate bot after they were published",
            registry=r,
        )
        self.lag = Gauge(
            "scan_worker_consumer_lag",
            "High water minus committed offset",
            ["topic", "partition"],
            registry=r,
        )
        self.redelivered = Counter(
            "scan_worker_redelivered_records",
            "Input records delivered again after they were processed (dropped)",
            ["agent"],
            registry=r,
        )
        self.rewinds = Counter(
            "scan_worker_rewinds",
            "Times an input partition was read again because a record arrived before an earlier one",
            ["agent"],
            registry=r,
        )
        self.skipped = Counter(
            "scan_worker_skipped_records",
            "Input records given up on: sought back to but gone from the topic (retention)",
            ["agent"],
            registry=r,
        )
        self.stalls = Counter(
            "scan_worker_consumer_stalls",
            "Times an input partition had records to read but none was read for a minute",
            registry=r,
        )
        self.sink_seconds = Histogram(
            "scan_worker_sink_flush_seconds", "Duration of sink flushes", registry=r
        )
        self.sink_rows = Counter("scan_worker_sink_rows", "Rows upserted or deleted by the sink", registry=r)
        self.sink_failures = Counter("scan_worker_sink_failures", "Failed sink flushes", registry=r)
        self.registry_retries = Counter(
            "scan_worker_registry_retries", "Schema registry calls retried while it was away", registry=r
        )
        self.sink_pending = Gauge("scan_worker_sink_pending_rows", "Rows waiting for the sink", registry=r)
        self.expired_windows = Counter(
            "scan_worker_expired_windows", "Table windows deleted past their horizon", registry=r
        )
        self.verifications = Counter(
            "scan_worker_agent_verifications",
            "Declared agents checked against their operator's IP ranges, by answer",
            ["status"],
            registry=r,
        )
        self.ranges_created = Gauge(
            "scan_worker_agent_ranges_created_seconds",
            "creationTime of the oldest IP-range list loaded, as a Unix time (0: none loaded)",
            registry=r,
        )
        self.stage_seconds = Histogram(
            "scan_worker_stage_seconds",
            "Time per batch spent in each stage",
            ["stage"],
            registry=r,
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.enrich_seconds = Histogram(
            "scan_worker_enrichment_seconds",
            "Time per event spent on enrichment (UA, geo, rate rule)",
            registry=r,
            buckets=(1e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2),
        )

    def serve(self, host: str, port: int) -> None:
        """Serve /metrics on a background thread."""
        try:
            start_http_server(port, addr=host, registry=self.registry)
        except OSError as e:
            raise StreamProcessorError(
                f"cannot serve metrics on {host}:{port}: {e.strerror} (SCAN_ANALYTICS_WORKER_WEB_PORT)"
            ) from e
