"""`scan-analytics catalog`: arguments, and the errors that need no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from scan_analytics.cli import build_parser, main


def test_import_and_export_are_registered() -> None:
    args = build_parser().parse_args(["catalog", "import", "c.jsonl", "--dry-run", "--format", "jsonl", "-q"])
    assert (args.action, args.file, args.dry_run, args.format, args.quiet) == (
        "import",
        "c.jsonl",
        True,
        "jsonl",
        True,
    )
    args = build_parser().parse_args(["catalog", "export"])
    assert (args.action, args.file, args.format) == ("export", "-", None)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["catalog", "import", "{missing}"], "cannot read {missing}: No such file or directory"),
        (["catalog", "import", "{tmp}/catalog.txt"], "cannot tell the format of '{tmp}/catalog.txt'"),
        (["catalog", "import", "-"], "reading standard input needs --format (csv or jsonl)"),
        (["catalog", "export", "{tmp}/catalog.xlsx"], "cannot tell the format of '{tmp}/catalog.xlsx'"),
    ],
)
def test_usage_errors_exit_1_with_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "catalog.txt").write_text("organization_id,name\nacme,Acme\n")
    values = {"tmp": str(tmp_path), "missing": str(tmp_path / "missing.csv")}
    assert main([arg.format(**values) for arg in argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("scan-analytics: error: ") and message.format(**values) in err
    assert "Traceback" not in err
