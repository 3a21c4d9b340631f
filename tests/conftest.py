"""Settings for the whole suite."""

from __future__ import annotations

from hypothesis import settings

# Property tests check results, never time: Hypothesis's per-example deadline (200 ms by
# default) fails examples that are merely slow on a loaded machine.
settings.register_profile("scan-analytics", deadline=None)
settings.load_profile("scan-analytics")
