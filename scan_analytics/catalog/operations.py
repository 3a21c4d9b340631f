"""Import a catalog file into PostgreSQL, or export the catalog to a file, with progress bars."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

import psycopg
from psycopg import IsolationLevel

from scan_analytics.catalog import store
from scan_analytics.catalog.errors import CatalogDatabaseError, CatalogError, CatalogFileError
from scan_analytics.catalog.parse import Parsed, parse, resolve
from scan_analytics.catalog.progress import bar, counted
from scan_analytics.catalog.readers import CSV, format_of, read_csv, read_jsonl
from scan_analytics.catalog.records import BRAND, ORGANIZATION, Record
from scan_analytics.catalog.writers import WRITERS

STDIO = "-"


def source_name(path: str) -> str:
    """Return how messages name the input `path`."""
    return "<stdin>" if path == STDIO else path


def read(path: str, fmt: str | None = None, *, quiet: bool = True) -> Parsed:
    """Parse the catalog file at `path` ("-": standard input, which needs `fmt`); no database needed."""
    if path == STDIO and fmt is None:
        raise CatalogError("reading standard input needs --format (csv or jsonl)")
    fmt = format_of(path, fmt)
    with _open_source(path) as (raw, size), bar(f"reading {source_name(path)}", size, "B", quiet=quiet) as b:
        stream = counted(raw, b.update)
        if fmt == CSV:
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
            return parse(read_csv(text))
        return parse(read_jsonl(stream))


@contextmanager
def _open_source(path: str) -> Iterator[tuple[BinaryIO, int | None]]:
    if path == STDIO:
        yield sys.stdin.buffer, None
        return
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, after the caller's block
    except OSError as e:
        raise CatalogError(f"cannot read {path}: {e.strerror or e}") from e
    with raw:
        size = os.fstat(raw.fileno()).st_size
        yield raw, size or None


def write(
    database_url: str, parsed: Parsed, source: str, *, dry_run: bool = False, quiet: bool = True
) -> dict[str, store.Counts]:
    """Check references, then upsert the whole catalog in one transaction; return counts by table.

    With `dry_run` the same work is done and rolled back, so the counts say what
    an import would do. Any bad line raises CatalogFileError and writes nothing.
    """
    try:
        with psycopg.connect(database_url) as conn, conn.transaction(force_rollback=dry_run):
            existing = {
                kind: store.existing_ids(conn, kind, parsed.unresolved_ids(kind))
                for kind in (ORGANIZATION, BRAND)
            }
            resolve(parsed, existing)
            if parsed.errors:
                raise CatalogFileError(source, parsed.errors)
            with bar("writing", len(parsed.catalog), "row", quiet=quiet) as b:
                return store.upsert(conn, parsed.catalog, b.update)
    except psycopg.Error as e:
        if parsed.errors:  # the file's own errors need no database to be fixed
            raise CatalogFileError(source, parsed.errors) from e
        raise CatalogDatabaseError(f"cannot import {source}: {_reason(e)}; nothing written") from e


def import_file(
    database_url: str, path: str, fmt: str | None = None, *, dry_run: bool = False, quiet: bool = True
) -> dict[str, store.Counts]:
    """Read, check and import the catalog file at `path`; return counts by table."""
    parsed = read(path, fmt, quiet=quiet)
    return write(database_url, parsed, source_name(path), dry_run=dry_run, quiet=quiet)


def export_file(database_url: str, path: str = STDIO, fmt: str | None = None, *, quiet: bool = True) -> int:
    """Write every organization, brand and product to `path` ("-": stdout); return the row count.

    The rows come from one snapshot. A file is written under a temporary name and
    renamed when complete, so a failed export leaves any earlier file as it was.
    """
    fmt = CSV if path == STDIO and fmt is None else format_of(path, fmt)
    try:
        with psycopg.connect(database_url) as conn:
            conn.isolation_level = IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.transaction():
                total = store.count_all(conn)
                with bar(f"writing {path}", total, "row", quiet=quiet) as b, _open_target(path) as out:
                    return WRITERS[fmt](out, _ticking(store.read_all(conn), b.update))
    except psycopg.Error as e:
        raise CatalogDatabaseError(f"cannot export the catalog: {_reason(e)}") from e


def _ticking(
    records: Iterable[Record], update: Callable[[int], object], every: int = 1000
) -> Iterator[Record]:
    n = 0
    for n, record in enumerate(records, 1):
        if n % every == 0:
            update(every)
        yield record
    update(n % every)


@contextmanager
def _open_target(path: str) -> Iterator[TextIO]:
    if path == STDIO:
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=False)
        try:
            yield out
            out.flush()
        finally:
            out.detach()
        return
    target = Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as f:
            yield f
        os.replace(partial, target)
    except OSError as e:
        partial.unlink(missing_ok=True)
        raise CatalogError(f"cannot write {path}: {e.strerror or e}") from e
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _reason(e: psycopg.Error) -> str:
    return " ".join(str(e).split())
