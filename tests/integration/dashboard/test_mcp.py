"""`scan-analytics mcp` with the SDK's own client against the running API: stdio and streamable HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from api.agents.tool import summarize
from api.auth.devkeys import mint_token
from scan_analytics.services.process import free_port
from scan_analytics.settings import Settings
from tests.integration.dashboard.conftest import ACME, ARTIFACTS

pytestmark = pytest.mark.integration

SCANS = "/dashboard/api/v1/brand-analytics/scans"
CLI = str(Path(sys.executable).with_name("scan-analytics"))


def env(settings: Settings, api_url: str, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "SCAN_ANALYTICS_DATABASE_URL": settings.database_url,
        "SCAN_ANALYTICS_DEV_AUTH": "true",
        "SCAN_ANALYTICS_JWKS_FILE": str(settings.jwks_file),
        "SCAN_ANALYTICS_DEV_PRIVATE_KEY_FILE": str(settings.dev_private_key_file),
        "SCAN_ANALYTICS_JWT_ISSUER": settings.jwt_issuer,
        "SCAN_ANALYTICS_JWT_AUDIENCE": settings.jwt_audience,
        "SCAN_ANALYTICS_MCP_API_URL": api_url,
        **extra,
    }


def api_answer(api_url: str, token: str, **params: str) -> dict[str, Any]:
    got = httpx.get(f"{api_url}{SCANS}", params=params, headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200
    body: dict[str, Any] = got.json()
    return body


async def session_transcript(session: ClientSession) -> dict[str, Any]:
    await session.initialize()
    tools = (await session.list_tools()).tools
    call = await session.call_tool("brand_scan_analytics", {"top": 3})
    refused = await session.call_tool("brand_scan_analytics", {"organization_id": "dash-quiet"})
    return {
        "tools": [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools],
        "call": call.model_dump(mode="json", by_alias=True, exclude_none=True),
        "refused": refused.model_dump(mode="json", by_alias=True, exclude_none=True),
    }


def check(transcript: dict[str, Any], expected: dict[str, Any]) -> None:
    (listed,) = transcript["tools"]
    assert listed["name"] == "brand_scan_analytics"
    assert "Default to the last 30 days" in listed["description"]
    assert "report both billable and total scans" in listed["description"]
    assert set(listed["inputSchema"]["properties"]) == {
        "organization_id",
        "brand_id",
        "since",
        "until",
        "tz",
        "top",
        "places",
        "top_agents",
    }
    assert "America/Chicago" in listed["inputSchema"]["properties"]["tz"]["description"]
    assert "top_agents" in listed["description"] and "spoofed" in listed["description"]
    call = transcript["call"]
    assert not call.get("isError")
    structured = call["structuredContent"]
    assert structured["report"] == expected
    assert structured["summary"] == summarize(expected)
    assert json.loads(call["content"][0]["text"]) == structured
    refused = transcript["refused"]
    assert refused["isError"] is True
    assert "403" in refused["content"][0]["text"] and "not a member" in refused["content"][0]["text"]


async def test_stdio(api_url: str, dash_settings: Settings) -> None:
    token = mint_token(dash_settings, "dana", ttl_seconds=600)
    expected = api_answer(api_url, token, top="3")
    assert expected["organization_id"] == ACME and expected["total_scans"] > 0
    params = StdioServerParameters(
        command=CLI, args=["mcp"], env=env(dash_settings, api_url, SCAN_ANALYTICS_MCP_TOKEN=token)
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        transcript = await session_transcript(session)
    check(transcript, expected)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "mcp-stdio-transcript.json").write_text(json.dumps(transcript, indent=2))


@pytest.fixture()
def mcp_http(api_url: str, dash_settings: Settings) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [CLI, "mcp", "--transport", "http", "--port", str(port)],
        env=env(dash_settings, api_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"the MCP server did not start: {proc.communicate()[0]}") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


async def test_streamable_http_behind_bearer_auth(
    mcp_http: str, api_url: str, dash_settings: Settings
) -> None:
    assert httpx.post(mcp_http, json={}).status_code == 401
    bad = httpx.post(mcp_http, json={}, headers={"Authorization": "Bearer not-a-jwt"})
    assert bad.status_code == 401
    expired = mint_token(dash_settings, "dana", ttl_seconds=60, now=time.time() - 3600)
    assert httpx.post(mcp_http, json={}, headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    token = mint_token(dash_settings, "dana", ttl_seconds=600)
    expected = api_answer(api_url, token, top="3")
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http,
        streamable_http_client(mcp_http, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        transcript = await session_transcript(session)
    check(transcript, expected)
    (ARTIFACTS / "mcp-http-transcript.json").write_text(json.dumps(transcript, indent=2))
