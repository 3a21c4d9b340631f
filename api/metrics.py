"""Prometheus metrics of one app: requests, latency, connection pool usage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from psycopg_pool import AsyncConnectionPool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PoolCollector(Collector):
    """Report the connection pool's size and use at scrape time."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        stats = self.pool.get_stats()
        for name, key, doc in (
            ("size", "pool_size", "connections open"),
            ("available", "pool_available", "connections idle in the pool"),
            ("max", "pool_max", "the most connections the pool may open"),
            ("waiting", "requests_waiting", "requests waiting for a connection"),
        ):
            yield GaugeMetricFamily(f"scan_analytics_api_db_pool_{name}", doc, value=stats.get(key, 0))


class Metrics:
    """The metric objects of one app, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("scan_analytics_api_requests", "HTTP requests handled",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("scan_analytics_api_request_duration_seconds",
                                 "time to answer an HTTP request", ["method", "route"],
                                 buckets=LATENCY_BUCKETS, registry=self.registry)

    def watch_pool(self, pool: AsyncConnectionPool[Any]) -> None:
        self.registry.register(PoolCollector(pool))


class MetricsMiddleware:
    """Count and time every HTTP request by its route template (never the raw path)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"] if scope["method"] in {"GET", "HEAD", "POST"} else "other"
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)
