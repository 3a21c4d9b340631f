"""`scan-analytics catalog import` and `catalog export`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scan_analytics.settings import Settings

FORMATS = ("csv", "jsonl")
TABLES = ("organizations", "brands", "products")


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from scan_analytics.catalog import operations

    counts = operations.import_file(
        settings.database_url, args.file, args.format, dry_run=args.dry_run, quiet=args.quiet
    )
    width = max(map(len, TABLES)) + 1
    if args.dry_run:
        print("dry run, nothing written; the import would give:")
    for table in TABLES:
        c = counts[table]
        verbs = ("to insert", "to update") if args.dry_run else ("inserted", "updated")
        print(
            f"{table + ':':<{width}} {c.inserted} {verbs[0]}, {c.updated} {verbs[1]}, {c.unchanged} unchanged"
        )
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from scan_analytics.catalog import operations

    rows = operations.export_file(settings.database_url, args.file, args.format, quiet=args.quiet)
    if args.file != operations.STDIO:
        print(f"wrote {rows} rows to {args.file}")
    elif not args.quiet:
        print(f"wrote {rows} rows", file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    """Add `catalog import` and `catalog export` to the `scan-analytics` parser."""
    catalog = sub.add_parser(
        "catalog",
        help="import or export the catalog: organizations, brands and products",
        description="Load the catalog (organizations, brands, products) from a CSV or JSON Lines file, "
        "or write it out in the same format. See docs/catalog.md for the file format.",
    )
    actions = catalog.add_subparsers(dest="action", required=True, metavar="ACTION")

    imp = actions.add_parser(
        "import",
        help="check a catalog file and upsert it in one transaction",
        description="Check every line of FILE (fields, GTIN check digits, duplicates, references to "
        "organizations and brands in the file or the database), then insert new rows and update changed "
        "ones in one transaction. Nothing is deleted; re-importing the same file changes nothing. Any bad "
        "line is reported with its line number and field, and nothing is written.",
    )
    imp.add_argument(
        "file",
        metavar="FILE",
        help="a .csv, .jsonl or .ndjson file, or - for standard input (needs --format)",
    )
    imp.add_argument("--format", choices=FORMATS, help="the file's format (default: from its extension)")
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="check and count what would change, then roll back: nothing is written",
    )
    imp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=_import)

    exp = actions.add_parser(
        "export",
        help="write the whole catalog in the import format",
        description="Write every organization, brand and product, from one consistent snapshot, in the "
        "format `catalog import` reads; importing the result changes nothing.",
    )
    exp.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        default="-",
        help="where to write (.csv, .jsonl or .ndjson); - or nothing for standard output",
    )
    exp.add_argument(
        "--format", choices=FORMATS, help="the format (default: from the extension; csv on standard output)"
    )
    exp.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary on stderr")
    exp.set_defaults(func=_export)
