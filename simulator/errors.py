"""Exceptions of the simulator."""

from __future__ import annotations

from scan_analytics.errors import ScanAnalyticsError


class SimulatorError(ScanAnalyticsError):
    """A simulation could not be set up or run."""


class CatalogError(SimulatorError):
    """The simulated catalog could not be written to PostgreSQL."""
