"""Write absolute daily counts to scan_daily_summary: batched upserts of keys that changed.

The worker hands over (key, count) pairs as its tables change; the sink keeps
only the newest count per key (memory bounded by the number of distinct
keys), writes them every few seconds in one transaction, and keeps them when
PostgreSQL is away, retrying with exponential backoff.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import date
from typing import Final

import psycopg

from stream_processors.daily import CountKey
from stream_processors.metrics import WorkerMetrics
from stream_processors.records import day_of

log = logging.getLogger("stream_processors.sink")

UPSERT: Final = """
INSERT INTO scan_daily_summary
    (day, organization_id, brand_id, gtin, country_code, device_class, is_bot, scans)
SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                     %s::boolean[], %s::bigint[])
ON CONFLICT (organization_id, day, brand_id, gtin, country_code, device_class, is_bot)
DO UPDATE SET scans = EXCLUDED.scans
"""

DELETE: Final = """
DELETE FROM scan_daily_summary s
USING unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::boolean[])
    AS k(day, organization_id, brand_id, gtin, country_code, device_class, is_bot)
WHERE s.organization_id = k.organization_id AND s.day = k.day AND s.brand_id = k.brand_id
  AND s.gtin = k.gtin AND s.country_code = k.country_code AND s.device_class = k.device_class
  AND s.is_bot = k.is_bot
"""

Row = tuple[date, str, str, str, str, str, bool]


def _columns(rows: list[Row], counts: list[int] | None) -> list[list[object]]:
    cols: list[list[object]] = [list(c) for c in zip(*rows, strict=True)] if rows else [[]] * 7
    return [*cols, list[object](counts)] if counts is not None else cols


class Sink:
    """Pending absolute counts by source partition, flushed to PostgreSQL."""

    def __init__(self, database_url: str, metrics: WorkerMetrics, max_backoff: float = 30.0) -> None:
        self.database_url = database_url
        self.metrics = metrics
        self.max_backoff = max_backoff
        self.pending: dict[int, dict[CountKey, int]] = {}
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._failures = 0
        self._retry_at = 0.0
        self._lock = asyncio.Lock()

    def offer(self, partition: int, changed: Iterable[tuple[CountKey, int]]) -> None:
        """Record new absolute counts of keys owned by partition."""
        pending = self.pending.setdefault(partition, {})
        for key, count in changed:
            pending[key] = count
        self.metrics.sink_pending.set(self.size())

    def forget(self, partitions: Iterable[int]) -> None:
        """Drop what is owed for partitions this worker no longer owns (the new owner rewrites them)."""
        for p in partitions:
            self.pending.pop(p, None)
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
            taken = self.pending
            self.pending = {}
            merged: dict[CountKey, int] = {}
            for part in taken.values():
                merged.update(part)
            started = time.perf_counter()
            try:
                await self._write(merged)
            except (psycopg.Error, OSError) as e:
                for p, rows in taken.items():  # newer offers win over what was taken
                    self.pending[p] = {**rows, **self.pending.get(p, {})}
                self._failures += 1
                delay = min(self.max_backoff, 0.5 * 2 ** min(self._failures, 10))
                self._retry_at = time.monotonic() + delay
                self.metrics.sink_failures.inc()
                log.warning("sink: PostgreSQL write failed (%s); %d rows kept, retry in %.1f s",
                            str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__,
                            len(merged), delay)
                if self._conn is not None:
                    await self._conn.close()
                    self._conn = None
                return 0
            self._failures = 0
            self.metrics.sink_seconds.observe(time.perf_counter() - started)
            self.metrics.sink_rows.inc(len(merged))
            self.metrics.sink_pending.set(self.size())
            return len(merged)

    async def _write(self, rows: dict[CountKey, int]) -> None:
        upsert: list[Row] = []
        counts: list[int] = []
        delete: list[Row] = []
        for (day_ms, (org, brand, gtin, country, device, is_bot)), n in rows.items():
            row = (day_of(day_ms), org, brand, gtin, country, device, is_bot)
            if n > 0:
                upsert.append(row)
                counts.append(n)
            else:
                delete.append(row)
        conn = await self._connection()
        async with conn.transaction():
            if upsert:
                await conn.execute(UPSERT, _columns(upsert, counts))
            if delete:
                await conn.execute(DELETE, _columns(delete, None))

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
