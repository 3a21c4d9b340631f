"""Describe the settings: the README's table and `scan-analytics config`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from scan_analytics.settings import ENV_PREFIX, REPO_ROOT, Settings


def _shown(value: Any) -> str:
    if isinstance(value, Path):
        return str(value.relative_to(REPO_ROOT)) if value.is_relative_to(REPO_ROOT) else str(value)
    if isinstance(value, list):
        return ",".join(map(str, value))
    return "(unset)" if value is None else str(value)


def markdown_table() -> str:
    """Return a Markdown table of every setting: variable, default, meaning."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = _shown(field.get_default(call_default_factory=True))
        lines.append(f"| `{ENV_PREFIX}{name.upper()}` | `{default}` | {field.description or ''} |")
    return "\n".join(lines)


def redact(url: str) -> str:
    """Return a database URL (or key=value conninfo) with its password replaced by asterisks."""
    if "://" in url:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)
    info = conninfo_to_dict(url)
    if info.get("password"):
        info["password"] = "***"
    return make_conninfo("", **info)


def effective(settings: Settings) -> list[tuple[str, str]]:
    """Return (variable, value) for each setting as this process sees it, secrets redacted."""
    rows = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        shown = redact(value) if name == "database_url" else _shown(value)
        rows.append((f"{ENV_PREFIX}{name.upper()}", shown))
    return rows
