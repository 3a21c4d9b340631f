"""Rollback to the committed offset: changes after it from an earlier session are ignored."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stream_processors import versioned
from stream_processors.versioned import Session


def test_current_ignores_uncommitted_changes_of_an_earlier_session() -> None:
    old = Session(start=0, id="old")
    history = versioned.record(None, old, 5, 1, committed=None)
    history = versioned.record(history, old, 9, 2, committed=None)
    resumed = Session(start=8, id="new")  # committed offset 8: the change at 9 is replayed
    assert versioned.current(history, resumed) == 1
    assert versioned.current(history, Session(start=10, id="new")) == 2
    assert versioned.current(history, Session(start=3, id="new"), default=0) == 0


def test_record_prunes_below_committed_but_keeps_the_newest_there() -> None:
    s = Session(start=0, id="s")
    history = None
    for offset in range(10):
        history = versioned.record(history, s, offset, offset * 10, committed=7)
    assert history is not None
    assert [h[1] for h in history] == [6, 7, 8, 9]
    assert versioned.current(history, Session(start=7, id="t")) == 60


@given(st.lists(st.integers(0, 3), min_size=1, max_size=40), st.integers(0, 60))
def test_replay_after_rollback_reaches_the_same_value(deltas: list[int], crash_at: int) -> None:
    """Apply deltas, crash anywhere, resume at a committed offset, replay: same final value."""
    s1 = Session(start=0, id="a")
    history: versioned.History | None = None
    value = 0
    committed = min(crash_at, len(deltas))
    for offset, d in enumerate(deltas):
        value += d
        history = versioned.record(history, s1, offset, value, committed=committed // 2)
    s2 = Session(start=committed, id="b")
    value = versioned.current(history, s2, 0)
    for offset in range(committed, len(deltas)):
        value += deltas[offset]
        history = versioned.record(history, s2, offset, value, committed=None)
    assert versioned.current(history, Session(start=len(deltas), id="c")) == sum(deltas)
