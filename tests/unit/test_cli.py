"""Bad settings are one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import pytest

from scan_analytics.cli import main


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SCAN_ANALYTICS_KAFKA_PORT": "abc"}, "SCAN_ANALYTICS_KAFKA_PORT: Input should be a valid integer"),
        (
            {"SCAN_ANALYTICS_DATABASE_POOL_MIN": "20", "SCAN_ANALYTICS_DATABASE_POOL_MAX": "5"},
            "SCAN_ANALYTICS_DATABASE_POOL_MIN (20) is larger than SCAN_ANALYTICS_DATABASE_POOL_MAX (5)",
        ),
    ],
)
def test_invalid_settings_are_reported_by_name(
    env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("scan-analytics: invalid settings: ")
    assert message in err
    assert "Traceback" not in err
