"""Health, readiness, metrics and OpenAPI; a database that is away gives 503s, never 500s."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.scans import PARAMETERS
from scan_analytics.settings import Settings
from tests.integration.api.conftest import SCANS, TODAY
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_metrics(client: TestClient, issuer: Issuer) -> None:
    client.get(SCANS, headers={"Authorization": f"Bearer {issuer.token('nobody')}"})
    client.get("/no/such/path")
    text = client.get("/metrics").text
    assert (
        'scan_analytics_api_requests_total{method="GET",route="/dashboard/api/v1/brand-analytics/scans",'
        'status="403"}' in text
    )
    assert 'route="unmatched",status="404"' in text
    assert "scan_analytics_api_request_duration_seconds_bucket" in text
    assert "scan_analytics_api_db_pool_size" in text and "scan_analytics_api_db_pool_waiting" in text


def test_openapi_documents_the_contract(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    op = doc["paths"][SCANS]["get"]
    assert {p["name"] for p in op["parameters"]} == {
        "organization_id",
        "brand_id",
        "since",
        "until",
        "top",
        "top_agents",
        "top_places",
        "places",
        "tz",
        "granularity",
    }
    # the GET route served in front of FastAPI's reads exactly the parameters documented
    assert set(PARAMETERS) == {p["name"] for p in op["parameters"]}
    answer = doc["components"]["schemas"]["ScansResponse"]["properties"]
    assert {"human_scans", "agent_scans", "top_agents", "by_hour", "by_region", "by_city"} <= set(answer)
    assert {"by_region", "by_city"} <= set(doc["components"]["schemas"]["TopProduct"]["properties"])
    assert "tz" in doc["components"]["schemas"]["Window"]["properties"]
    assert "hour" in doc["components"]["schemas"]["HourCount"]["properties"]
    product = doc["components"]["schemas"]["TopProduct"]["properties"]
    assert "by_traffic_class" in product
    agent = doc["components"]["schemas"]["TopAgent"]["properties"]
    assert set(agent) == {"name", "category", "operator", "verification", "traffic_class", "scans"}
    assert {"200", "400", "401", "403", "404", "503"} <= set(op["responses"])
    assert op["security"] == [{"bearer": []}]
    assert client.get("/docs").status_code == 200


def test_database_away(api_settings: Settings, issuer: Issuer) -> None:
    away = api_settings.model_copy(
        update={
            "database_url": "postgresql://scan_analytics:scan_analytics@127.0.0.1:1/nothing?connect_timeout=1"
        }
    )
    app = create_app(away, today=lambda: TODAY)
    app.state.pool.timeout = 1.0
    with TestClient(app) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.headers["content-type"] == "application/problem+json"
        resp = client.get(SCANS, headers={"Authorization": f"Bearer {issuer.token('anyone')}"})
        assert resp.status_code == 503, resp.text
        assert "retry" in resp.json()["detail"] and resp.headers["retry-after"] == "5"
        assert client.get("/healthz").status_code == 200
