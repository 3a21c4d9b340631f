"""State that rolls back to the last committed source offset after a crash.

Faust commits source offsets only after the changelog is flushed, but a crash
can leave changelog records of events *after* the committed offset. Those
events are delivered again, so state must forget their effects first.

Every stored change carries the (session, offset) of the source record that
made it. A *session* is one ownership of a source partition by one worker; it
starts at the committed offset, which is where consumption resumes. A change
is valid when it was made in the current session, or before its start offset;
anything else belongs to records that are about to be replayed and is ignored.
Processing is deterministic, so the replay makes the same changes again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Session:
    """One ownership of a source partition: an id and the offset processing resumed at."""

    start: int
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def valid(self, session: str, offset: int) -> bool:
        """Whether a change made by (session, offset) is part of the committed or current state."""
        return session == self.id or offset < self.start


# A versioned scalar: [[session, offset, value], ...], oldest first.
History = list[list[Any]]


def current(history: History | None, session: Session, default: Any = None) -> Any:
    """Return the latest valid value of a history, or default."""
    if history:
        for s, o, v in reversed(history):
            if session.valid(s, o):
                return v
    return default


def record(
    history: History | None, session: Session, offset: int, value: Any, committed: int | None
) -> History:
    """Return history with value set by (session, offset), pruned of what can no longer matter.

    Invalid changes are dropped; of the changes below the committed offset only
    the newest is kept, since a later rollback never goes below it.
    """
    kept = [h for h in (history or ()) if session.valid(h[0], h[1])]
    if committed is not None:
        below = [h for h in kept if h[1] < committed]
        kept = below[-1:] + [h for h in kept if h[1] >= committed]
    if kept and kept[-1][0] == session.id and kept[-1][1] == offset:
        kept[-1] = [session.id, offset, value]
    else:
        kept.append([session.id, offset, value])
    return kept
