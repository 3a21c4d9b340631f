"""Fixtures for the producers' unit tests: a fixed clock and the project's settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scan_analytics.settings import Settings

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture()
def unit_settings() -> Settings:
    return Settings()
