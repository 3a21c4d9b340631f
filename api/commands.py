"""`scan-analytics api`, `token`, `mcp` and `members`."""

from __future__ import annotations

import argparse
from typing import Any

from scan_analytics.settings import Settings


def _api(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.main import create_app

    host = args.host or settings.api_host
    port = args.port or settings.api_port
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=args.log_level,
        access_log=args.access_log,
        workers=None,
    )
    return 0


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from api.auth.devkeys import DEFAULT_SCOPES, mint_token

    scopes = args.scope if args.scope is not None else DEFAULT_SCOPES
    print(mint_token(settings, args.user, scopes=scopes, ttl_seconds=args.ttl))
    return 0


def _members(args: argparse.Namespace, settings: Settings) -> int:
    from api import members

    if args.action == "add":
        members.add(settings.database_url, args.user, args.org, default=args.default)
        print(f"{args.user} is a member of {args.org}" + (" (default)" if args.default else ""))
    elif args.action == "remove":
        found = members.remove(settings.database_url, args.user, args.org)
        print(
            f"removed {args.user} from {args.org}" if found else f"{args.user} was not a member of {args.org}"
        )
    else:
        for user, m in members.list_for(settings.database_url, args.user):
            print(f"{user}\t{m.organization_id}" + ("\tdefault" if m.is_default else ""))
    return 0


def _mcp(args: argparse.Namespace, settings: Settings) -> int:
    from api.agents import server

    if args.transport == "stdio":
        server.run_stdio(settings)
    else:
        server.run_http(settings, args.host or settings.mcp_host, args.port or settings.mcp_port)
    return 0


def register(sub: Any) -> None:
    """Add the API's subcommands to the `scan-analytics` parser."""
    api = sub.add_parser(
        "api",
        help="serve the read API (FastAPI on uvicorn)",
        description="Serve GET /dashboard/api/v1/brand-analytics/scans, /healthz, /readyz, "
        "/metrics and the OpenAPI docs (/docs) on SCAN_ANALYTICS_API_HOST:SCAN_ANALYTICS_API_PORT "
        "(default 127.0.0.1:8000). Tokens are checked against SCAN_ANALYTICS_JWKS_URL, or the "
        "local development JWKS file when no URL is set.",
    )
    api.add_argument("--host", help="address to listen on (default: settings.api_host)")
    api.add_argument("--port", type=int, help="port to listen on (default: settings.api_port)")
    api.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn log level",
    )
    api.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="log every request (default: on)",
    )
    api.set_defaults(func=_api)

    token = sub.add_parser(
        "token",
        help="mint a development access token and print it alone on stdout",
        description="Sign an access token with the local development key (created under "
        ".services/auth on first use) so that TOKEN=$(scan-analytics token --user alice) works. "
        "Refuses when a real JWKS URL is configured.",
    )
    token.add_argument("--user", required=True, help="the subject (user id) of the token")
    token.add_argument(
        "--scope",
        action="append",
        metavar="SCOPE",
        help="a scope to grant; repeat for several (default: brands:read)",
    )
    token.add_argument(
        "--ttl", type=int, default=3600, metavar="SECONDS", help="lifetime in seconds (default 3600)"
    )
    token.set_defaults(func=_token)

    mcp = sub.add_parser(
        "mcp",
        help="serve the brand_scan_analytics tool to AI agents (Model Context Protocol)",
        description="An MCP server whose brand_scan_analytics tool calls the read API at "
        "SCAN_ANALYTICS_MCP_API_URL. stdio: the API token comes from SCAN_ANALYTICS_MCP_TOKEN. "
        "http: streamable HTTP at /mcp on SCAN_ANALYTICS_MCP_HOST:SCAN_ANALYTICS_MCP_PORT; each "
        "client sends its own bearer token, checked like the API's and passed on to it.",
    )
    mcp.add_argument("--transport", choices=["stdio", "http"], default="stdio", help="default: stdio")
    mcp.add_argument("--host", help="with http: address to listen on (default: settings.mcp_host)")
    mcp.add_argument("--port", type=int, help="with http: port to listen on (default: settings.mcp_port)")
    mcp.set_defaults(func=_mcp)

    members = sub.add_parser(
        "members",
        help="add, remove or list organization memberships",
        description="Memberships decide whose analytics a user may read. A user has at most one "
        "default organization, used when a request names none.",
    )
    members.add_argument("action", choices=["add", "remove", "list"], help="what to do")
    members.add_argument("--user", help="the user id (a token's sub); required for add/remove")
    members.add_argument("--org", help="the organization id; required for add/remove")
    members.add_argument(
        "--default", action="store_true", help="with add: make it the user's default organization"
    )
    members.set_defaults(func=_members_checked(members))


def _members_checked(parser: argparse.ArgumentParser) -> Any:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        if args.action in ("add", "remove") and (not args.user or not args.org):
            parser.error(f"{args.action} needs --user and --org")
        return _members(args, settings)

    return handler
