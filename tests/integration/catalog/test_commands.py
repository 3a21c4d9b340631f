"""`scan-analytics catalog import|export` end to end: exit codes, what is printed where."""

from __future__ import annotations

from pathlib import Path

import pytest

from scan_analytics.cli import main
from tests.integration.catalog.conftest import CATALOG_CSV, table, write

pytestmark = pytest.mark.integration


@pytest.fixture()
def env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SCAN_ANALYTICS_DATABASE_URL", database_url)
    return database_url


def test_import_prints_counts_and_no_progress_bar_off_a_terminal(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "catalog.csv", CATALOG_CSV)
    assert main(["catalog", "import", path, "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "dry run, nothing written; the import would give:",
        "organizations: 2 to insert, 0 to update, 0 unchanged",
        "brands:        3 to insert, 0 to update, 0 unchanged",
        "products:      4 to insert, 0 to update, 0 unchanged",
    ]
    assert err == ""
    assert main(["catalog", "import", path]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "organizations: 2 inserted, 0 updated, 0 unchanged",
        "brands:        3 inserted, 0 updated, 0 unchanged",
        "products:      4 inserted, 0 updated, 0 unchanged",
    ]


def test_a_bad_file_exits_1_listing_lines_and_fields(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = CATALOG_CSV + "product,,nobody,4006381333948,Lost\nbrand,acme,b\x00d,,Bad\n"
    assert main(["catalog", "import", write(tmp_path / "bad.csv", bad)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"scan-analytics: error: {tmp_path / 'bad.csv'}: 2 errors, nothing written",
        "  line 11, field brand_id: brand 'nobody' is neither in the file nor in the database",
        "  line 12, field brand_id: contains a control character U+0000 at character 2",
    ]
    assert table(env, "organizations") == []


def test_export_to_stdout_and_to_a_file(
    env: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    main(["catalog", "import", write(tmp_path / "catalog.csv", CATALOG_CSV), "-q"])
    capsysbinary.readouterr()
    assert main(["catalog", "export", "--quiet"]) == 0
    out, err = capsysbinary.readouterr()
    assert out.decode().splitlines()[:2] == [
        "kind,organization_id,brand_id,gtin,name",
        "organization,acme,,,Acme Inc.",
    ]
    assert err == b""
    target = tmp_path / "catalog.jsonl"
    assert main(["catalog", "export", str(target)]) == 0
    assert capsysbinary.readouterr().out.decode() == f"wrote 9 rows to {target}\n"
    assert target.read_text().startswith('{"kind": "organization", "organization_id": "acme"')
    assert not list(tmp_path.glob(".*.partial"))
