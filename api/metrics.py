"""Prometheus metrics of one app: requests, latency, connection pool usage, limits, the JWKS."""

from __future__ import annotations

import time
from collections import Counter as Counts
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from psycopg_pool import AsyncConnectionPool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth.jwks import JwksStats

_METHODS = frozenset({"GET", "HEAD", "POST"})
_MAX_CHILDREN = 1024  # label sets looked up once; routes are templates, so there are few

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


class LimitsCollector(Collector):
    """Report the requests refused by each limit."""

    def __init__(self, refused: Counts[tuple[str, str]]) -> None:
        self.refused = refused

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "scan_analytics_api_limited", "requests refused with a 429", labels=["policy", "reason"]
        )
        for (policy, reason), n in sorted(self.refused.items()):
            family.add_metric([policy, reason], n)
        yield family


class JwksCollector(Collector):
    """Report the JWKS cache: fetches, and the age of the key set in use."""

    def __init__(self, stats: Callable[[], JwksStats]) -> None:
        self.stats = stats

    def collect(self) -> Iterator[Metric]:
        stats = self.stats()
        fetches = CounterMetricFamily(
            "scan_analytics_api_jwks_fetches", "JWKS fetches by outcome", labels=["outcome"]
        )
        fetches.add_metric(["ok"], stats.fetches_ok)
        fetches.add_metric(["failed"], stats.fetches_failed)
        yield fetches
        yield GaugeMetricFamily(
            "scan_analytics_api_jwks_age_seconds",
            "age of the key set in use (-1 before the first good fetch)",
            value=-1 if stats.age_seconds is None else stats.age_seconds,
        )
        yield GaugeMetricFamily(
            "scan_analytics_api_jwks_stale",
            "1 while the key set in use is older than the cache time",
            value=int(stats.stale),
        )


class Metrics:
    """The metric objects of one app, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "scan_analytics_api_requests",
            "HTTP requests handled",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "scan_analytics_api_request_duration_seconds",
            "time to answer an HTTP request",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def note(self, scope: Scope, status: int, seconds: float) -> None:
        """Count and time one answered HTTP request by its method, route template and status."""
        route = getattr(scope.get("route"), "path", "unmatched")
        method = scope["method"] if scope["method"] in _METHODS else "other"
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:  # labels() validates and locks on every call: looked up once a key
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            if len(self._children) < _MAX_CHILDREN:
                self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def watch_pool(self, pool: AsyncConnectionPool[Any]) -> None:
        self.registry.register(PoolCollector(pool))

    def watch_limits(self, refused: Counts[tuple[str, str]]) -> None:
        self.registry.register(LimitsCollector(refused))

    def watch_jwks(self, stats: Callable[[], JwksStats]) -> None:
        self.registry.register(JwksCollector(stats))


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
            self.metrics.note(scope, status, time.perf_counter() - start)
