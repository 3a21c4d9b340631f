"""Write absolute counts to the daily, hourly and place summaries: batched upserts of keys that changed.

The worker hands over (key, count) pairs per partition as its tables change; the sink
keeps only the newest count per key (memory bounded by the number of distinct keys),
writes them every few seconds in one transaction, and keeps them when PostgreSQL is
away, retrying with exponential backoff.

Fencing: each ownership of a partition claims a new epoch in `scan_sink_owners`;
a partition's rows are written only while its stored epoch is this sink's, under a
row lock, so a worker that lost a partition cannot overwrite the new owner's counts.
Poison: a row PostgreSQL refuses is set aside (`on_poison`) and the others are written.
Retention: hours older than the hourly retention are neither written nor kept (once an hour
they are deleted from the summary and the partials); days are kept.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import psycopg

from stream_processors.metrics import WorkerMetrics
from stream_processors.records import DAY_MS, day_of, hour_of

log = logging.getLogger("stream_processors.sink")

# The columns of a summary row's key: its time, then its dimensions (migrations 0002 and 0008).
KEY_COLUMNS: Final = (
    "day", "organization_id", "brand_id", "gtin", "country_code", "device_class", "is_bot",
    "traffic_class", "category", "agent", "operator", "verification",
)  # fmt: skip
_DIMENSION_TYPES: Final = (*["text"] * 5, "boolean", *["text"] * 5)
# A place row: the key's dimensions and the client's place (migration 0011); the place
# summary keeps organization, day, brand, GTIN, country, is_bot and the place.
PLACE_COLUMNS: Final = ("region_code", "region_name", "city")
PLACE_SUMMARY_KEY: Final = ("organization_id", "brand_id", "gtin", "country_code", "is_bot")

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


@dataclass(frozen=True, slots=True)
class Grain:
    """The statements writing counts of one grain: days (0002), hours (0010) or places (0011).

    `partials`, `sums` and `empty` take the batch as one JSON array of rows (`rows_json`):
    encoded once by the standard library's C encoder, where psycopg would dump a Python
    list per column element by element for each of the three statements. `upsert` and
    `empty_arrays` take one array per column (tests and benchmarks write with them).
    """

    name: str
    summary: str
    upsert: str  # absolute counts straight into the summary, one array per column
    empty_arrays: str  # `empty`, one array per column
    partials: str
    sums: str
    empty: str
    start: Callable[[int], object]  # a key's start in epoch ms -> the time column's value


def _grain(
    column: str,
    sql_type: str,
    summary: str,
    partials: str,
    start: Callable[[int], object],
    places: bool = False,
) -> Grain:
    """Statements of a grain. Places: partials keep every dimension and the place, the summary
    sums them by organization, time, brand, GTIN, country, is_bot and place."""
    extra = PLACE_COLUMNS if places else ()
    names = (column, *KEY_COLUMNS[1:], *extra)
    types = (sql_type, *_DIMENSION_TYPES, *["text"] * len(extra))
    cols = ", ".join(names)
    unnest = ", ".join(f"%s::{t}[]" for t in types)
    conflict = ", ".join(("organization_id", column, *KEY_COLUMNS[2:], *extra))
    keys = f"unnest({unnest}) AS k({cols})"
    # one JSON row per key: its columns in order, then (partials only) the count
    fields = [
        f"(r->>{i})::{t} AS {n}" if t != "text" else f"r->>{i} AS {n}"
        for i, (n, t) in enumerate(zip(names, types, strict=True))
    ]
    each = "FROM json_array_elements(%s::json) r) k"
    json_keys = f"(SELECT {', '.join(fields)} {each}"
    json_counted = f"(SELECT {', '.join(fields)}, (r->>{len(names)})::bigint AS scans {each}"
    summed = (column, *PLACE_SUMMARY_KEY, *extra) if places else names
    summed_cols = ", ".join(summed)
    summed_conflict = ", ".join(("organization_id", column, *summed[2:]))

    def empty(source: str) -> str:
        return f"""
DELETE FROM {summary} s USING (SELECT DISTINCT {summed_cols} FROM {source}) k
WHERE s.scans = 0 AND {" AND ".join(f"s.{c} = k.{c}" for c in summed)}
"""

    return Grain(
        name="place" if places else column,
        summary=summary,
        upsert=f"""
INSERT INTO {summary} ({summed_cols}, scans)
SELECT {summed_cols}, sum(scans) FROM unnest({unnest}, %s::bigint[]) AS k({cols}, scans)
GROUP BY {summed_cols}
ON CONFLICT ({summed_conflict})
DO UPDATE SET scans = EXCLUDED.scans
"""
        if places
        else f"""
INSERT INTO {summary} ({cols}, scans)
SELECT * FROM unnest({unnest}, %s::bigint[])
ON CONFLICT ({conflict})
DO UPDATE SET scans = EXCLUDED.scans
""",
        empty_arrays=empty(keys),
        partials=f"""
INSERT INTO {partials} (partition, {cols}, scans)
SELECT %s, {cols}, scans FROM {json_counted}
ON CONFLICT ({conflict}, partition)
DO UPDATE SET scans = EXCLUDED.scans
""",
        sums=f"""
INSERT INTO {summary} ({summed_cols}, scans)
SELECT {", ".join(f"p.{c}" for c in summed)}, sum(p.scans)
FROM {partials} p JOIN (SELECT DISTINCT {summed_cols} FROM {json_keys}) k USING ({summed_cols})
GROUP BY {", ".join(f"p.{c}" for c in summed)}
ON CONFLICT ({summed_conflict})
DO UPDATE SET scans = EXCLUDED.scans
""",
        empty=empty(json_keys),
        start=start,
    )


DAY: Final = _grain("day", "date", "scan_daily_summary", "scan_daily_partials", day_of)
HOUR: Final = _grain("hour", "timestamptz", "scan_hourly_summary", "scan_hourly_partials", hour_of)
PLACE: Final = _grain("day", "date", "scan_daily_place_summary", "scan_daily_place_partials", day_of, True)
GRAINS: Final = (DAY, HOUR, PLACE)
UPSERT: Final = DAY.upsert
EMPTY: Final = DAY.empty_arrays

# Hours past the retention, from the summary and from every partition's partials.
RETIRE: Final = (
    "DELETE FROM scan_hourly_summary WHERE hour < %s",
    "DELETE FROM scan_hourly_partials WHERE hour < %s",
)
RETIRE_EVERY_SECONDS: Final = 3600.0

Key = tuple[int, tuple[Any, ...]]  # a CountKey, or a daily.PlaceKey
PendingKey = tuple[Grain, Key]
Poison = Callable[[Grain, Key, str], None]


_json_rows = json.JSONEncoder(separators=(",", ":")).encode  # ASCII: PostgreSQL decodes the escapes


def rows_json(grain: Grain, rows: Iterable[tuple[Key, int]]) -> str:
    """A batch as the statements' JSON parameter: per key its time, dimensions (and place), count."""
    start = grain.start
    return _json_rows([[start(start_ms).isoformat(), *dims, n] for (start_ms, dims), n in rows])  # type: ignore[attr-defined]


class Sink:
    """Pending absolute counts by partition, flushed to PostgreSQL under each partition's epoch."""

    def __init__(
        self,
        database_url: str,
        metrics: WorkerMetrics,
        group: str,
        on_poison: Poison | None = None,
        max_backoff: float = 30.0,
        hourly_retention_days: int | None = None,
    ) -> None:
        self.database_url = database_url
        self.metrics = metrics
        self.group = group
        self.on_poison = on_poison
        self.max_backoff = max_backoff
        self.hourly_retention = (
            timedelta(days=hourly_retention_days) if hourly_retention_days is not None else None
        )
        self.pending: dict[int, dict[PendingKey, int]] = {}
        self.epochs: dict[int, int | None] = {}  # owned partitions; None until claimed
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._failures = 0
        self._retry_at = 0.0
        self._retired_at = -RETIRE_EVERY_SECONDS
        self._lock = asyncio.Lock()

    def claim(self, partition: int) -> None:
        """Own partition from now on: a new epoch is claimed before its next write."""
        self.epochs[partition] = None

    def offer(self, partition: int, changed: Iterable[tuple[Key, int]], grain: Grain = DAY) -> None:
        """Record new absolute counts of keys owned by partition (hours past the retention are dropped)."""
        if partition not in self.epochs:
            self.claim(partition)
        pending = self.pending.setdefault(partition, {})
        oldest = self._oldest_hour_ms() if grain is HOUR else None
        for key, count in changed:
            if oldest is None or key[0] >= oldest:
                pending[(grain, key)] = count
        self.metrics.sink_pending.set(self.size())

    def _oldest_hour_ms(self) -> int | None:
        if self.hourly_retention is None:
            return None
        oldest = datetime.now(UTC) - self.hourly_retention
        return int(oldest.timestamp() * 1000) // DAY_MS * DAY_MS

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
            if time.monotonic() < self._retry_at:
                return 0
            taken = {p: rows for p, rows in self.pending.items() if rows}
            retire = (
                self._oldest_hour_ms()
                if time.monotonic() - self._retired_at >= RETIRE_EVERY_SECONDS
                else None
            )
            if not taken and retire is None:
                return 0
            self.pending = {}
            started = time.perf_counter()
            try:
                written = await self._write(taken) if taken else 0
                if retire is not None:
                    await self._retire(retire)
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
            if taken:
                self.metrics.sink_seconds.observe(time.perf_counter() - started)
                self.metrics.sink_rows.inc(written)
            self.metrics.sink_pending.set(self.size())
            return written

    async def _retire(self, oldest_ms: int) -> None:
        """Delete hours before oldest_ms (the hourly retention), at most once per RETIRE_EVERY_SECONDS."""
        conn = await self._connection()
        oldest = hour_of(oldest_ms)
        deleted = 0
        async with conn.transaction():
            for statement in RETIRE:
                deleted += (await conn.execute(statement, (oldest,))).rowcount
        self._retired_at = time.monotonic()
        if deleted:
            log.info("sink: %d hourly rows before %s deleted (hourly retention)", deleted, oldest.isoformat())

    async def _write(self, taken: dict[int, dict[PendingKey, int]]) -> int:
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
        self, conn: psycopg.AsyncConnection[tuple[object, ...]], partition: int, rows: dict[PendingKey, int]
    ) -> None:
        await conn.execute(LOCK)
        for grain in GRAINS:
            mine = [(key, max(n, 0)) for (g, key), n in rows.items() if g is grain]
            if not mine:
                continue
            batch = rows_json(grain, mine)
            await conn.execute(grain.partials, (partition, batch))
            await conn.execute(grain.sums, (batch,))
            if any(n == 0 for _key, n in mine):  # a sum is zero only where one of its partials is
                await conn.execute(grain.empty, (batch,))

    async def _one_by_one(
        self, conn: psycopg.AsyncConnection[tuple[object, ...]], partition: int, rows: dict[PendingKey, int]
    ) -> dict[PendingKey, int]:
        """Write rows one by one (a savepoint each); set aside those PostgreSQL refuses."""
        written: dict[PendingKey, int] = {}
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
                    self.on_poison(key[0], key[1], reason)
        return written

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
