"""The request metrics: counted and timed by method, route template and status."""

from __future__ import annotations

from types import SimpleNamespace

from api.metrics import Metrics


def sample(metrics: Metrics, name: str, labels: dict[str, str]) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_each_request_is_counted_and_timed_under_its_labels() -> None:
    metrics = Metrics()
    route = SimpleNamespace(path="/things/{id}")
    for status, seconds in ((200, 0.001), (200, 0.03), (404, 0.002)):
        metrics.note({"method": "GET", "route": route}, status, seconds)
    metrics.note({"method": "DELETE"}, 405, 0.001)
    get = {"method": "GET", "route": "/things/{id}"}
    assert sample(metrics, "scan_analytics_api_requests_total", get | {"status": "200"}) == 2
    assert sample(metrics, "scan_analytics_api_requests_total", get | {"status": "404"}) == 1
    assert sample(metrics, "scan_analytics_api_request_duration_seconds_count", get) == 3
    assert sample(metrics, "scan_analytics_api_request_duration_seconds_bucket", get | {"le": "0.005"}) == 2
    other = {"method": "other", "route": "unmatched", "status": "405"}
    assert sample(metrics, "scan_analytics_api_requests_total", other) == 1


def test_label_sets_beyond_the_kept_ones_are_still_counted() -> None:
    metrics = Metrics()
    for n in range(1100):  # more than are kept looked up
        metrics.note({"method": "GET", "route": SimpleNamespace(path=f"/r{n}")}, 200, 0.001)
    metrics.note({"method": "GET", "route": SimpleNamespace(path="/r1099")}, 200, 0.001)
    labels = {"method": "GET", "route": "/r1099", "status": "200"}
    assert sample(metrics, "scan_analytics_api_requests_total", labels) == 2
