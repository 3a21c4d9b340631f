"""Fixtures for the simulator's integration tests: a database of their own, the producers' topics."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scan_analytics.settings import Settings
from tests.integration.conftest import isolated
from tests.integration.producers.conftest import unique_topics

__all__ = ["unique_topics"]


@pytest.fixture(scope="session")
def producer_settings(base_settings: Settings, run_id: str) -> Iterator[Settings]:
    """Settings with a migrated database and topics no other part's tests read."""
    with isolated(base_settings, f"{run_id}_simulator") as own:
        yield own
