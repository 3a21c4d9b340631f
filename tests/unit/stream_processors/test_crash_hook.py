"""The crash hook of the integration tests: SIGKILL after an agent's n-th flush, else nothing."""

from __future__ import annotations

import signal

import pytest

from stream_processors import app


@pytest.mark.parametrize(
    ("spec", "calls", "kills_at"),
    [
        ("", ["route", "classify"] * 3, None),
        ("route:1", ["classify", "route", "route"], 1),
        ("classify:2", ["classify", "route", "classify", "classify"], 2),
        ("classify:x", ["classify"] * 3, None),
    ],
)
def test_crash_hook_kills_after_nth_flush(
    monkeypatch: pytest.MonkeyPatch, spec: str, calls: list[str], kills_at: int | None
) -> None:
    kills: list[tuple[int, int]] = []
    monkeypatch.setattr(app.os, "kill", lambda pid, sig: kills.append((pid, sig)))
    hook = app._crash_hook(spec)
    for i, agent in enumerate(calls):
        hook(agent)
        if kills_at is not None and i == kills_at:
            assert kills == [(app.os.getpid(), signal.SIGKILL)]
            return
    assert not kills
