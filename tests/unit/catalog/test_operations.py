"""Reading catalog files from disk and standard input, before any database is involved."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from scan_analytics.catalog import operations
from scan_analytics.catalog.records import Brand, Organization, Product
from tests.unit.catalog.helpers import GOOD_CSV, errors

EXPECTED = [
    Organization("acme", "Acme Inc."),
    Brand("acme-kids", "acme", "Acme Kids"),
    Product("00012345678905", "acme-kids", "Juice, 1 l"),
    Product("00000096385074", "acme-kids", "Mini Juice"),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_csv_file_is_read_with_either_line_ending(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "catalog.csv"
    path.write_bytes(GOOD_CSV.replace("\n", newline).encode())
    parsed = operations.read(str(path), quiet=False)
    assert errors(parsed) == [] and list(parsed.catalog) == EXPECTED


def test_standard_input_is_read_in_the_given_format(monkeypatch: pytest.MonkeyPatch) -> None:
    jsonl = (
        b'{"kind": "organization", "organization_id": "acme", "name": "Acme"}\n'
        b'{"kind": "product", "gtin": "96385074", "brand_id": "kids", "name": "Mini"}\n'
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(jsonl)))
    parsed = operations.read("-", "jsonl")
    assert list(parsed.catalog) == [Organization("acme", "Acme"), Product("00000096385074", "kids", "Mini")]
    assert parsed.unresolved_ids("brand") == ["kids"]
