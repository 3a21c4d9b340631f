"""The MCP server: the `brand_scan_analytics` tool over stdio, or streamable HTTP behind bearer auth."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

import httpx
import uvicorn
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from api.access import SCOPE
from api.agents import tool
from api.agents.client import ApiRefused, scans
from api.auth.keys import KeySource
from api.auth.tokens import TokenPolicy, authenticate
from api.errors import ApiError, ConfigurationError
from api.main import key_source_for
from api.params import DEFAULT_TOP, DEFAULT_TOP_AGENTS, MAX_TOP, MAX_TOP_AGENTS, MIN_TOP, MIN_TOP_AGENTS
from scan_analytics.settings import ENV_PREFIX, Settings

log = logging.getLogger("api.agents")
MCP_PATH = "/mcp"


def build_server(
    http: httpx.AsyncClient,
    token: Callable[[], str | None],
    auth: tuple[AuthSettings, BearerVerifier] | None = None,
) -> MCPServer:
    """Return the MCP server; `token` gives the bearer token to call the API with."""
    server: MCPServer = MCPServer(
        "scan-analytics",
        title="Scan analytics",
        version="1.0.0",
        instructions="Brand scan analytics for GS1 Digital Links. " + tool.DESCRIPTION.split("\n\n")[1],
        auth=auth[0] if auth else None,
        token_verifier=auth[1] if auth else None,
    )

    @server.tool(
        name=tool.NAME,
        title="Brand scan analytics",
        description=tool.DESCRIPTION,
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False),
    )
    async def brand_scan_analytics(
        organization_id: Annotated[
            str | None, Field(description="whose catalog; leave out for the caller's default organization")
        ] = None,
        brand_id: Annotated[str | None, Field(description="narrow to one brand of the organization")] = None,
        since: Annotated[
            str | None,
            Field(description="first day, inclusive, YYYY-MM-DD; leave out for 30 days before until"),
        ] = None,
        until: Annotated[
            str | None, Field(description="last day, inclusive, YYYY-MM-DD; leave out for today (in tz)")
        ] = None,
        tz: Annotated[
            str | None,
            Field(
                description="IANA time zone of the days, such as America/Chicago; leave out for UTC. "
                "Days in another zone are answered for the recent months the hourly counts keep"
            ),
        ] = None,
        top: Annotated[
            int, Field(ge=MIN_TOP, le=MAX_TOP, description="how many products in top_products")
        ] = DEFAULT_TOP,
        places: Annotated[
            bool,
            Field(description="true adds by_region and by_city (where people scan, small places folded)"),
        ] = False,
        top_agents: Annotated[
            int,
            Field(
                ge=MIN_TOP_AGENTS, le=MAX_TOP_AGENTS, description="how many automated clients in top_agents"
            ),
        ] = DEFAULT_TOP_AGENTS,
    ) -> dict[str, Any]:
        bearer = token()
        if not bearer:
            raise ToolError(f"no access token: set {ENV_PREFIX}MCP_TOKEN for the stdio server")
        try:
            report = await scans(
                http,
                bearer,
                {
                    "organization_id": organization_id,
                    "brand_id": brand_id,
                    "since": since,
                    "until": until,
                    "tz": tz,
                    "top": top,
                    "places": "true" if places else None,
                    "top_agents": top_agents,
                },
            )
        except ApiRefused as e:
            raise ToolError(str(e)) from e
        return {"summary": tool.summarize(report), "report": report}

    return server


class BearerVerifier:
    """Check an MCP client's bearer token exactly as the API does (keys, issuer, audience, scope)."""

    def __init__(self, keys: KeySource, policy: TokenPolicy) -> None:
        self.keys, self.policy = keys, policy

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            principal = await authenticate(token, self.keys, self.policy)
        except ApiError as e:
            log.info("MCP bearer token refused: %s", e)
            return None
        return AccessToken(
            token=token,
            client_id=principal.user_id,
            subject=principal.user_id,
            scopes=sorted(principal.scopes),
        )


def http_auth(settings: Settings, public_url: str) -> tuple[AuthSettings, BearerVerifier]:
    policy = TokenPolicy.of(
        settings.jwt_issuer, settings.jwt_audience, settings.jwt_algorithms, settings.jwt_leeway_seconds
    )
    verifier = BearerVerifier(key_source_for(settings), policy)
    return AuthSettings(
        issuer_url=settings.jwt_issuer,  # type: ignore[arg-type]
        resource_server_url=public_url + MCP_PATH,  # type: ignore[arg-type]
        required_scopes=[SCOPE],
        validate_token_resource=False,
    ), verifier


def forwarded_token() -> str | None:
    """The bearer token the HTTP client authenticated with; the tool passes it on to the API."""
    access = get_access_token()
    return access.token if access else None


def run_stdio(settings: Settings) -> None:
    """Serve on stdin/stdout, calling the API with SCAN_ANALYTICS_MCP_TOKEN."""
    secret = settings.mcp_token.get_secret_value() if settings.mcp_token else None
    http = httpx.AsyncClient(base_url=settings.mcp_api_url, timeout=30)
    build_server(http, lambda: secret).run("stdio")


def run_http(settings: Settings, host: str, port: int) -> None:
    """Serve streamable HTTP at /mcp; every request needs a bearer token the API would accept."""
    if not settings.jwks_url and not settings.dev_auth:
        raise ConfigurationError(
            f"no identity provider: set {ENV_PREFIX}JWKS_URL (or {ENV_PREFIX}DEV_AUTH=true in development)"
        )
    http = httpx.AsyncClient(base_url=settings.mcp_api_url, timeout=30)
    server = build_server(http, forwarded_token, http_auth(settings, f"http://{host}:{port}"))
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, host=host)
    uvicorn.run(app, host=host, port=port, log_level="warning")
