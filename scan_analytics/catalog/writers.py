"""Write catalog records in the import format (CSV with a kind column, or JSON Lines); pure."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import TextIO

from scan_analytics.catalog.readers import CSV, JSONL
from scan_analytics.catalog.records import COLUMNS, KIND_OF, Record


def as_row(record: Record) -> dict[str, str]:
    """Return the record as the fields of its kind, `kind` first."""
    return {"kind": KIND_OF[type(record)], **record._asdict()}


def write_csv(out: TextIO, records: Iterable[Record]) -> int:
    """Write a header and one line per record (unused columns empty); return the record count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for record in records:
        row = as_row(record)
        writer.writerow([row.get(column, "") for column in COLUMNS])
        count += 1
    return count


def write_jsonl(out: TextIO, records: Iterable[Record]) -> int:
    """Write one JSON object per line (only the fields of its kind); return the record count."""
    count = 0
    for record in records:
        out.write(json.dumps(as_row(record), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


WRITERS: dict[str, Callable[[TextIO, Iterable[Record]], int]] = {CSV: write_csv, JSONL: write_jsonl}
