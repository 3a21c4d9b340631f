"""The simulator's planning step: deterministic per seed and clock, options checked."""

from __future__ import annotations

import pytest

from scan_analytics.settings import Settings
from simulator.errors import SimulatorError
from simulator.run import SimulationConfig, plan

from .conftest import NOW


def test_same_seed_and_clock_give_the_same_messages_and_truth(unit_settings: Settings) -> None:
    config = SimulationConfig(events=1_500, seed=4, now=NOW)
    _, first, truth = plan(unit_settings, config)
    _, second, again = plan(unit_settings, config)
    assert first == second and truth == again and truth.seed == 4
    assert truth.generated_at == NOW


def test_without_a_seed_each_run_differs_and_records_its_seed(unit_settings: Settings) -> None:
    config = SimulationConfig(events=200, now=NOW)
    (_, a, ta), (_, b, tb) = plan(unit_settings, config), plan(unit_settings, config)
    assert a != b and ta.seed != tb.seed


def test_thresholds_come_from_the_settings(unit_settings: Settings) -> None:
    config = SimulationConfig(events=3_000, seed=2, now=NOW)
    strict = unit_settings.model_copy(
        update={"bot_rate_per_minute": 10_000, "bot_distinct_gtins_5min": 10_000}
    )
    flagged = sum(r["scans"] for r in plan(unit_settings, config)[2].rows if r["is_bot"])
    none_by_rate = sum(r["scans"] for r in plan(strict, config)[2].rows if r["is_bot"])
    assert flagged > none_by_rate


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"days": 0}, "--days"),
        ({"days": 6}, "--days"),
        ({"events": -1}, "--events"),
        ({"rate": -5}, "--rate"),
    ],
)
def test_bad_options_are_named(unit_settings: Settings, changes: dict[str, float], message: str) -> None:
    with pytest.raises(SimulatorError, match=message):
        plan(unit_settings, SimulationConfig(**changes))  # type: ignore[arg-type]
