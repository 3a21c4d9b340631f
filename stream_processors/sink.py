"""Write absolute daily counts to scan_daily_summary: batched upserts of keys that changed.

The worker hands over (key, count) pairs per partition as its tables change; the sink
keeps only the newest count per key (memory bounded by the number of distinct keys),
writes them every few seconds in one transaction, and keeps them when PostgreSQL is
away, retrying with exponential backoff.

Fencing: each ownership of a partition claims a new epoch in `scan_sink_owners`;
a partition's rows are written only while its stored epoch is this sink's, under a
row lock, so a worker that lost a partition cannot overwrite the new owner's counts.
Poison: a row PostgreSQL refuses is set aside (`on_poison`) and the others are written.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import Final

import psycopg

from stream_processors.daily import CountKey
from stream_processors.metrics import WorkerMetrics
from stream_processors.records import day_of

log = logging.getLogger("stream_processors.sink")

# The columns of a summary row's key, in the order of `Row` (migrations 0002 and 0008).
KEY_COLUMNS: Final = (
    "day", "organization_id", "brand_id", "gtin", "country_code", "device_class", "is_bot",
    "traffic_class", "category", "agent", "operator", "verification",
)  # fmt: skip
_TYPES: Final = ("date", *["text"] * 5, "boolean", *["text"] * 5)
_COLS: Final = ", ".join(KEY_COLUMNS)
_UNNEST: Final = ", ".join(f"%s::{t}[]" for t in _TYPES)
_CONFLICT: Final = "organization_id, day, brand_id, gtin, country_code, device_class, is_bot, " \
    "traffic_class, category, agent, operator, verification"  # fmt: skip

# Absolute counts straight into the summary (the API's tests and benchmark write with it).
UPSERT: Final = f"""
INSERT INTO scan_daily_summary ({_COLS}, scans)
SELECT * FROM unnest({_UNNEST}, %s::bigint[])
ON CONFLICT ({_CONFLICT})
DO UPDATE SET scans = EXCLUDED.scans
"""

PARTIALS: Final = f"""
INSERT INTO scan_daily_partials (partition, {_COLS}, scans)
SELECT %s, * FROM unnest({_UNNEST}, %s::bigint[])
ON CONFLICT ({_CONFLICT}, partition)
DO UPDATE SET scans = EXCLUDED.scans
"""

KEYS: Final = f"unnest({_UNNEST}) AS k({_COLS})"

SUMS: Final = f"""
INSERT INTO scan_daily_summary ({_COLS}, scans)
SELECT {", ".join(f"p.{c}" for c in KEY_COLUMNS)}, sum(p.scans)
FROM scan_daily_partials p JOIN (SELECT DISTINCT * FROM {KEYS}) k USING ({_COLS})
GROUP BY {", ".join(f"p.{c}" for c in KEY_COLUMNS)}
ON CONFLICT ({_CONFLICT})
DO UPDATE SET scans = EXCLUDED.scans
"""

EMPTY: Final = f"""
DELETE FROM scan_daily_summary s USING {KEYS}
WHERE s.scans = 0 AND {" AND ".join(f"s.{c} = k.{c}" for c in KEY_COLUMNS)}
"""

# One sink transaction at a time across workers: sums read partials other workers write.
LOCK: Final = "SELECT pg_advisory_xact_lock(7306414)"

CLAIM: Final = """
INSERT INTO scan_sink_owners (worker_group, partition, epoch) VALUES (%s, %s, 1)
ON CONFLICT (worker_group, partition) DO UPDATE SET epoch = scan_sink_owners.epoch + 1
RETURNING epoch
"""

OWNERS: Final = """
SELECT partition, epoch FROM scan_sink_owners
WHERE worker_group = %s AND partition = ANY(%s) FOR UPDATE
"""

Row = tuple[date, str, str, str, str, str, bool, str, str, str, str, str]
Poison = Callable[[CountKey, str], None]


def _columns(rows: list[Row], counts: list[int] | None) -> list[list[object]]:
    cols: list[list[object]] = [list(c) for c in zip(*rows, strict=True)] if rows else [[]] * len(KEY_COLUMNS)
    return [*cols, list[object](counts)] if counts is not None else cols


def _row(key: CountKey) -> Row:
    day_ms, dims = key
    return (day_of(day_ms), *dims)


class Sink:
    """Pending absolute counts by partition, flushed to PostgreSQL under each partition's epoch."""

    def __init__(
        self,
        database_url: str,
        metrics: WorkerMetrics,
        group: str,
        on_poison: Poison | None = None,
        max_backoff: float = 30.0,
    ) -> None:
        self.database_url = database_url
        self.metrics = metrics
        self.group = group
        self.on_poison = on_poison
        self.max_backoff = max_backoff
        self.pending: dict[int, dict[CountKey, int]] = {}
        self.epochs: dict[int, int | None] = {}  # owned partitions; None until claimed
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._failures = 0
        self._retry_at = 0.0
        self._lock = asyncio.Lock()

    def claim(self, partition: int) -> None:
        """Own partition from now on: a new epoch is claimed before its next write."""
        self.epochs[partition] = None

    def offer(self, partition: int, changed: Iterable[tuple[CountKey, int]]) -> None:
        """Record new absolute counts of keys owned by partition."""
        if partition not in self.epochs:
            self.claim(partition)
        pending = self.pending.setdefault(partition, {})
        for key, count in changed:
            pending[key] = count
        self.metrics.sink_pending.set(self.size())

    def forget(self, partitions: Iterable[int]) -> None:
        """Drop partitions this worker no longer owns (the new owner rewrites them)."""
        for p in partitions:
            self.pending.pop(p, None)
            self.epochs.pop(p, None)
        self.metrics.sink_pending.set(self.size())

    def size(self) -> int:
        return sum(len(p) for p in self.pending.values())

    async def _connection(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self.database_url, connect_timeout=5)
        return self._conn

    async def flush(self) -> int:
        """Write everything pending; return rows written. Keeps the rows and backs off on failure."""
        async with self._lock:
            if not any(self.pending.values()) or time.monotonic() < self._retry_at:
                return 0
            taken = {p: rows for p, rows in self.pending.items() if rows}
            self.pending = {}
            started = time.perf_counter()
            try:
                written = await self._write(taken)
            except (psycopg.Error, OSError) as e:
                for p, rows in taken.items():  # newer offers win; partitions lost meanwhile stay lost
                    if p in self.epochs:
                        self.pending[p] = {**rows, **self.pending.get(p, {})}
                self._failures += 1
                delay = min(self.max_backoff, 0.5 * 2 ** min(self._failures, 10))
                self._retry_at = time.monotonic() + delay
                self.metrics.sink_failures.inc()
                log.warning(
                    "sink: PostgreSQL write failed (%s); %d rows kept, retry in %.1f s",
                    str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__,
                    sum(len(r) for r in taken.values()),
                    delay,
                )
                if self._conn is not None:
                    await self._conn.close()
                    self._conn = None
                return 0
            self._failures = 0
            self.metrics.sink_seconds.observe(time.perf_counter() - started)
            self.metrics.sink_rows.inc(written)
            self.metrics.sink_pending.set(self.size())
            return written

    async def _write(self, taken: dict[int, dict[CountKey, int]]) -> int:
        conn = await self._connection()
        async with conn.transaction():
            for p in taken:
                if self.epochs.get(p, 0) is None:
                    row = await (await conn.execute(CLAIM, (self.group, p))).fetchone()
                    self.epochs[p] = int(row[0])  # type: ignore[index, arg-type]
            cur = await conn.execute(OWNERS, (self.group, list(taken)))
            stored = {int(p): int(e) for p, e in await cur.fetchall()}  # type: ignore[call-overload]
            written = 0
            for p, part in taken.items():
                if p not in self.epochs or stored.get(p) != self.epochs[p]:
                    log.warning("sink: partition %d is owned by a newer epoch; its rows are dropped", p)
                    self.epochs.pop(p, None)
                    self.pending.pop(p, None)
                    continue
                try:
                    async with conn.transaction():
                        await self._upsert(conn, p, part)
                    written += len(part)
                except (psycopg.DataError, psycopg.IntegrityError):
                    written += len(await self._one_by_one(conn, p, part))
        return written

    async def _upsert(
        self, conn: psycopg.AsyncConnection[tuple[object, ...]], partition: int, rows: dict[CountKey, int]
    ) -> None:
        keys = [_row(k) for k in rows]
        await conn.execute(LOCK)
        await conn.execute(PARTIALS, [partition, *_columns(keys, [max(n, 0) for n in rows.values()])])
        await conn.execute(SUMS, _columns(keys, None))
        await conn.execute(EMPTY, _columns(keys, None))

    async def _one_by_one(
        self, conn: psycopg.AsyncConnection[tuple[object, ...]], partition: int, rows: dict[CountKey, int]
    ) -> dict[CountKey, int]:
        """Write rows one by one (a savepoint each); set aside those PostgreSQL refuses."""
        written: dict[CountKey, int] = {}
        for key, n in rows.items():
            try:
                async with conn.transaction():
                    await self._upsert(conn, partition, {key: n})
                written[key] = n
            except (psycopg.DataError, psycopg.IntegrityError) as e:
                reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                self.metrics.dead_letters.labels("sink_rejected").inc()
                log.error("sink: row set aside: %s", reason)
                if self.on_poison is not None:
                    self.on_poison(key, reason)
        return written

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
