"""`scan-analytics agents refresh`: replace the IP-range snapshots from their operators or a file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import httpx

from scan_analytics.errors import ScanAnalyticsError
from scan_analytics.settings import Settings
from stream_processors.agents.verify import RANGES_DIR, RangeError, parse_ranges


class RefreshError(ScanAnalyticsError):
    """A range list that could not be read or is not in the operators' shape."""


def read_source(source: str, transport: httpx.BaseTransport | None = None) -> Any:
    """Return the JSON document at source: an http(s) URL or a file path."""
    try:
        if source.startswith(("http://", "https://")):
            with httpx.Client(transport=transport, timeout=30, follow_redirects=True) as client:
                response = client.get(source)
                response.raise_for_status()
                return response.json()
        return json.loads(Path(source).read_text())
    except (httpx.HTTPError, OSError, ValueError) as e:
        raise RefreshError(f"cannot read {source}: {e}") from e


def refresh(
    name: str, source: str, directory: Path = RANGES_DIR, transport: httpx.BaseTransport | None = None
) -> tuple[str, int]:
    """Write list name from source, in the operators' shape; return (creationTime, prefix count)."""
    doc = read_source(source, transport)
    try:
        created, networks = parse_ranges(doc)
    except RangeError as e:
        raise RefreshError(f"{source}: {e}") from e
    out = {"creationTime": created, "prefixes": [{f"ipv{n.version}Prefix": str(n)} for n in networks]}
    (directory / f"{name}.json").write_text(json.dumps(out, indent=1) + "\n")
    sources_path = directory / "SOURCES.json"
    sources = json.loads(sources_path.read_text()) if sources_path.exists() else {}
    entry = sources.setdefault(name, {})
    entry.update(copied_from=source, creationTime=created)
    sources_path.write_text(json.dumps(sources, indent=1) + "\n")
    return created, len(networks)


def _refresh(args: argparse.Namespace, settings: Settings) -> int:
    directory: Path = args.dir
    sources = json.loads((directory / "SOURCES.json").read_text())
    if args.source:
        if not args.list:
            raise RefreshError("--from needs --list NAME (one of: " + ", ".join(sorted(sources)) + ")")
        plan = [(args.list, args.source)]
    else:
        names = [args.list] if args.list else sorted(sources)
        plan = []
        for name in names:
            url = sources.get(name, {}).get("published_at", "")
            if not url.startswith("https://"):
                print(f"{name}: no published URL known; use --from")
                continue
            plan.append((name, url))
    for name, source in plan:
        created, count = refresh(name, source, directory)
        print(f"{name}: {count} prefixes, created {created}, from {source}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    agents = subparsers.add_parser(
        "agents",
        help="manage the declared agents' IP-range snapshots",
        description="Declared agents (crawlers, AI agents) are verified against their operators' "
        "published IP ranges, kept as snapshot files in the package.",
    )
    sub = agents.add_subparsers(dest="action", required=True)
    refresh_parser = sub.add_parser(
        "refresh",
        help="replace range snapshots from their operators' URLs or from a file",
        description="Download every list from the URL in SOURCES.json, or one list (--list) from "
        "--from URL|FILE, check it is in the operators' shape and write it with its creationTime.",
    )
    refresh_parser.add_argument("--from", dest="source", metavar="URL|FILE", help="read this list")
    refresh_parser.add_argument("--list", help="the list to write, e.g. googlebot, openai-gptbot")
    refresh_parser.add_argument("--dir", type=Path, default=RANGES_DIR, help="snapshot directory")
    refresh_parser.set_defaults(func=_refresh)
