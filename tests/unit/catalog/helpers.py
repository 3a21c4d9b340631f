"""Parse catalog text the way the import command does, without files or a database."""

from __future__ import annotations

import io

from scan_analytics.catalog.parse import Parsed, parse
from scan_analytics.catalog.readers import CSV, read_csv, read_jsonl

GOOD_CSV = (
    "kind,organization_id,brand_id,gtin,name\n"
    "organization,acme,,,Acme Inc.\n"
    "brand,acme,acme-kids,,Acme Kids\n"
    'product,,acme-kids,012345678905,"Juice, 1 l"\n'
    "product,,acme-kids,96385074,Mini Juice\n"
)


def parse_text(text: str | bytes, fmt: str = CSV) -> Parsed:
    """Parse CSV or JSON Lines given as text (or bytes, for bad encodings)."""
    data = text.encode() if isinstance(text, str) else text
    if fmt == CSV:
        stream = io.TextIOWrapper(
            io.BytesIO(data), encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        return parse(read_csv(stream))
    return parse(read_jsonl(io.BytesIO(data)))


def errors(parsed: Parsed) -> list[tuple[int, str | None, str]]:
    """Return the kept errors as (line, field, message) triples."""
    return [(e.line, e.field, e.message) for e in parsed.errors.first()]
