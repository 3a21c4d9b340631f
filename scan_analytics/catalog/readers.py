"""Read a CSV or JSON Lines file into rows that carry their line numbers; pure.

A row's `values` hold the fields it gives (an empty CSV cell and a JSON null
are absent). Without a `kind` column, a CSV file is of one kind, told by its
header, which must name exactly that kind's fields; without a `kind` key, a JSON
line is told the same way by the keys it gives a value (null is no value).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any, NamedTuple

from scan_analytics.catalog.errors import CatalogError, LineError
from scan_analytics.catalog.fields import type_name
from scan_analytics.catalog.records import COLUMNS, describe_kinds, kind_of_fields

CSV = "csv"
JSONL = "jsonl"
FORMATS = (CSV, JSONL)
EXTENSIONS = {".csv": CSV, ".jsonl": JSONL, ".ndjson": JSONL}


class Row(NamedTuple):
    """One record of the file: where it starts, the fields it gives, the kind its shape implies."""

    line: int
    values: dict[str, Any]
    implied_kind: str | None = None


def format_of(path: str, explicit: str | None = None) -> str:
    """Return the format `explicit` names, or the one `path`'s extension implies."""
    if explicit is not None:
        if explicit not in FORMATS:
            raise CatalogError(f"unknown format {explicit!r}: expected one of {', '.join(FORMATS)}")
        return explicit
    suffix = PurePath(path).suffix.lower()
    if suffix not in EXTENSIONS:
        known = ", ".join(EXTENSIONS)
        raise CatalogError(f"cannot tell the format of {path!r} (extensions: {known}); give --format")
    return EXTENSIONS[suffix]


def read_csv(lines: Iterable[str]) -> Iterator[Row | LineError]:
    """Yield the rows of CSV text (a header line first), or the errors that stop them."""
    reader = csv.reader(lines, strict=True)
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        yield LineError(1, None, "empty file: expected a header line naming the columns")
        return
    except csv.Error as e:
        yield LineError(1, None, f"malformed CSV header: {e}")
        return
    header_errors = list(_header_errors(header))
    if header_errors:
        yield from header_errors
        return
    implied = None if "kind" in header else kind_of_fields(header)
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield LineError(start, None, f"malformed CSV: {e}")
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not cells:
            continue  # a blank line
        if len(cells) != len(header):
            yield LineError(line, None, f"{len(cells)} fields, but the header has {len(header)}")
            continue
        yield Row(line, {c: v for c, v in zip(header, cells, strict=True) if v}, implied)


def _header_errors(header: list[str]) -> Iterator[LineError]:
    seen: set[str] = set()
    for column in header:
        if column not in COLUMNS:
            yield LineError(1, column or None, f"unknown column {column!r}; columns are {', '.join(COLUMNS)}")
        elif column in seen:
            yield LineError(1, column, "column appears twice")
        seen.add(column)
    if "kind" not in header and kind_of_fields(header) is None and seen <= set(COLUMNS):
        yield LineError(
            1, "kind", f"no kind column, so the columns must be exactly those of one kind: {describe_kinds()}"
        )


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def read_jsonl(lines: Iterable[bytes]) -> Iterator[Row | LineError]:
    """Yield the rows of JSON Lines bytes, one JSON object per line; blank lines are skipped."""
    for number, raw in enumerate(lines, 1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.rstrip(b"\r\n").decode("utf-8"), object_pairs_hook=_unique_keys)
        except UnicodeDecodeError as e:
            yield LineError(
                number, None, f"not valid UTF-8 (byte 0x{raw[e.start]:02X} at byte {e.start + 1})"
            )
            continue
        except _DuplicateKey as e:
            yield LineError(number, e.key, "appears twice in the object")
            continue
        except json.JSONDecodeError as e:
            yield LineError(number, None, f"not valid JSON: {e.msg} at column {e.colno}")
            continue
        if not isinstance(obj, dict):
            yield LineError(number, None, f"expected a JSON object, got {type_name(obj)}")
            continue
        values = {k: v for k, v in obj.items() if v is not None}
        yield Row(number, values, None if "kind" in obj else kind_of_fields(values))
