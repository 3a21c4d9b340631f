"""`scan-analytics`: one entry point for services, migrations, worker, API and tools."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from producers import ProducerError
from scan_analytics.errors import ScanAnalyticsError
from scan_analytics.settings import ENV_PREFIX, Settings, load_settings
from schemas import ContractError

# Packages that add subcommands: each has a `commands` module with
# `register(subparsers: argparse._SubParsersAction) -> None`; the handler it sets
# as `func` is called with (args, settings) and returns an exit code.
COMMAND_MODULES = (
    "scan_analytics.contracts",
    "simulator.commands",
    "stream_processors.commands",
    "api.commands",
    "scan_analytics.catalog.commands",
    "stream_processors.agents.commands",
)


def _services(args: argparse.Namespace, settings: Settings) -> int:
    from scan_analytics import services

    if args.action == "up":
        seconds = services.up(settings)
        print(f"services ready in {seconds:.1f} s")
        return 0
    if args.action == "down":
        services.down(settings)
        return 0
    ready = True
    for s in services.status(settings):
        state = "ready" if s.ready else "DOWN"
        ready &= s.ready
        pid = f"pid {s.pid}" if s.pid else "pid -"
        print(f"{s.name:<9} {state:<6} {s.address:<45} {pid:<10} log {s.log}")
    return 0 if ready else 1


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from scan_analytics import migrate

    applied = migrate.apply(settings.database_url, settings.schemas_dir / "sql")
    for m in applied:
        print(f"applied {m.path.name}")
    print(f"{len(applied)} migration(s) applied" if applied else "database is up to date")
    return 0


def _config(args: argparse.Namespace, settings: Settings) -> int:
    from scan_analytics import settings_doc

    if args.markdown:
        print(settings_doc.markdown_table())
        return 0
    for variable, value in settings_doc.effective(settings):
        print(f"{variable}={value}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scan-analytics",
        description="GS1 Digital Link scan analytics: local services, migrations, stream "
        "workers, the read API and development tools. Settings come from SCAN_ANALYTICS_* "
        "environment variables.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    services = sub.add_parser(
        "services",
        help="start, stop or inspect the local Kafka, schema registry and PostgreSQL",
        description="Manage the local services on loopback: PostgreSQL (Debian package, "
        "installed if missing), Apache Kafka (KRaft, jars from Maven Central) and Apicurio "
        "Registry (storing in PostgreSQL). `up` is idempotent and waits for readiness; "
        "logs are under .services/logs.",
    )
    services.add_argument(
        "action",
        choices=["up", "down", "status"],
        help="up: start and wait until ready; down: stop; status: report (exit 1 if any is down)",
    )
    services.set_defaults(func=_services)

    migrate = sub.add_parser(
        "migrate",
        help="apply pending database migrations",
        description="Apply the ordered SQL migrations in schemas/sql to the configured "
        "database. Each runs once, in its own transaction; re-running is a no-op.",
    )
    migrate.set_defaults(func=_migrate)

    config = sub.add_parser(
        "config",
        help="print the effective settings (secrets redacted)",
        description="Print every setting as this process resolves it from SCAN_ANALYTICS_* "
        "environment variables and .env, one VARIABLE=value per line; the database password "
        "is redacted. --markdown prints the documentation table of defaults instead.",
    )
    config.add_argument(
        "--markdown", action="store_true", help="print the table of variables, defaults and meanings"
    )
    config.set_defaults(func=_config)

    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name:
                raise
            continue
        module.register(sub)
    return parser


def command_names(parser: argparse.ArgumentParser) -> list[str]:
    """Return the subcommands parser offers, in order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as e:
        problems = "; ".join(
            (f"{ENV_PREFIX}{'_'.join(map(str, err['loc'])).upper()}: " if err["loc"] else "")
            + err["msg"].removeprefix("Value error, ")
            for err in e.errors()
        )
        print(f"scan-analytics: invalid settings: {problems}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, settings))
    except (ScanAnalyticsError, ContractError, ProducerError) as e:
        print(f"scan-analytics: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into a command that stopped reading (e.g. head)
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
