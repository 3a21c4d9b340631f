"""Which stored windows are past their horizon; the classify agent deletes them itself.

Faust's own expiry of windowed tables (`expires=`) keeps every key ever written, and one
heap entry per write, in memory until its window expires by wall clock
(`Collection._maybe_set_key_ttl` in faust/tables/base.py), so a worker's memory grows with
the scans of the whole horizon. The worker's tables are created without `expires`; once a
day of event time per partition (its newest scan's) the classify agent lists that partition's stored keys,
picks those whose window ended before the horizon with `expired`, and deletes them
through the table (a changelog tombstone each), the rule faust applies: a window is stale
once its end is at least `expires` before the newest time seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def frozen(value: Any) -> Any:
    """A stored (JSON) key as the tuple the table was written with."""
    return tuple(frozen(v) for v in value) if isinstance(value, list) else value


def expired(items: Iterable[tuple[Any, Any]], cutoff_s: float) -> list[Any]:
    """Keys `(key, (start, end))` of items whose window ended at or before cutoff_s (seconds)."""
    out = []
    for raw_key, _value in items:
        try:
            key, (start, end) = raw_key
        except (TypeError, ValueError):
            continue
        if isinstance(end, int | float) and end <= cutoff_s:
            out.append((frozen(key), (start, end)))
    return out
