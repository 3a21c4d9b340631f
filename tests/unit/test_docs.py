"""The README says what the code does: the test command, the settings, the commands."""

from __future__ import annotations

import re

from scan_analytics.cli import build_parser, command_names
from scan_analytics.settings import REPO_ROOT
from scan_analytics.settings_doc import markdown_table, redact

README = (REPO_ROOT / "README.md").read_text()


def test_ci_runs_the_test_command_of_the_readme() -> None:
    assert re.search(r"^make test\s", README, re.M)
    assert re.search(r"^make test\b", (REPO_ROOT / ".ci" / "run").read_text(), re.M)


def test_settings_table_is_current() -> None:
    table = README.split("<!-- settings-table:start -->\n")[1].split("\n<!-- settings-table:end -->")[0]
    assert table == markdown_table(), "regenerate with `scan-analytics config --markdown`"


def test_every_command_is_documented() -> None:
    for command in command_names(build_parser()):
        assert f"| `{command}" in README, f"README lacks the `{command}` command"


def test_passwords_are_redacted() -> None:
    assert redact("postgresql://u:s3cret@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert "s3cret" not in redact("host=h user=u password=s3cret dbname=d")
