"""The faust app: three agents, their tables, the sink timer. Built by `create_app(settings)`.

    raw (key GTIN) --A: decode, validate, DLQ, too-late--> <app>-scans-by-ip (key client IP)
      --B: dedupe, rate rule, enrich--> enriched (key GTIN) --C: daily counts--> sink --> PostgreSQL
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import faust
from faust.streams import _current_event
from faust.types import TP, EventT

import schemas
from scan_analytics.settings import Settings
from schemas import InvalidScanEvent, RegistryUnavailable, UndecodableRecord, validate_scan_event
from stream_processors import versioned
from stream_processors.daily import CountKey, DailyCounts, Origin
from stream_processors.enrich import Classification, GeoResolver, classify_user_agent
from stream_processors.errors import PoisonMessage
from stream_processors.ip_stage import BUCKET_MS, IpStage
from stream_processors.metrics import WorkerMetrics
from stream_processors.rate import RateRule
from stream_processors.records import day_start_ms, too_late_cutoff_ms
from stream_processors.sink import Sink
from stream_processors.stores import Buckets, Counts, Fences, Records, partition_items
from stream_processors.versioned import Session

log = logging.getLogger("stream_processors.worker")

BATCH = 500
BATCH_WITHIN = 0.25
BUCKET_CACHE = 50_000
ORIGIN = "sa-origin"
KIND = "sa-kind"


def _set_current(event: EventT[Any]) -> None:
    # Table reads and writes pick the partition (rocksdb db, changelog partition)
    # from the current event; inside a batch that must be the event at hand.
    _current_event.set(weakref.ref(event))


def _by_partition(events: Sequence[EventT[Any]]) -> dict[int, list[EventT[Any]]]:
    groups: dict[int, list[EventT[Any]]] = {}
    for e in events:
        groups.setdefault(e.message.partition, []).append(e)
    return groups


class Worker:
    """Everything one worker process holds: clients, stages per partition, the sink."""

    def __init__(self, settings: Settings, metrics: WorkerMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or WorkerMetrics()
        self.rule = RateRule(settings.bot_rate_per_minute, settings.bot_distinct_gtins_5min)
        self.geo = GeoResolver(settings.geoip_path)
        self.registry = schemas.registry_client(settings.schema_registry_url)
        avro = settings.schemas_dir / "avro"
        self.decoder = schemas.Decoder(self.registry, schemas.schema_text(schemas.SCAN_EVENT, avro))
        self.enriched_schema = schemas.schema_text(schemas.ENRICHED_SCAN_EVENT, avro)
        self.enriched_decoder = schemas.Decoder(self.registry, self.enriched_schema)
        self._encoder: schemas.Encoder | None = None  # looked up (or registered) on first use
        self.sink = Sink(settings.database_url, self.metrics)
        self.ip_stages: dict[TP, IpStage] = {}
        self.counters: dict[TP, DailyCounts] = {}
        self.app = self._build()

    # -- the app -------------------------------------------------------------------------------

    def _build(self) -> faust.App:
        s = self.settings
        n = s.topic_partitions
        retention = timedelta(days=s.late_horizon_days + 2)
        datadir = s.worker_data_dir / s.worker_id / s.worker_instance
        datadir.parent.mkdir(parents=True, exist_ok=True)
        app = faust.App(
            s.worker_id,
            broker=";".join(f"kafka://{b.strip()}" for b in s.kafka_bootstrap.split(",")),
            store=s.worker_store,
            datadir=str(datadir),
            topic_partitions=n,
            topic_replication_factor=1,
            web_enabled=False,
            broker_max_poll_records=BATCH,
            stream_buffer_maxsize=4 * BATCH,
            consumer_auto_offset_reset="earliest",
            # a SIGKILLed member holds its partitions until its session times out
            broker_session_timeout=10.0,
            broker_heartbeat_interval=2.0,
            producer_acks=-1,
            producer_linger=0.01,
            producer_max_batch_size=262_144,
            processing_guarantee="at_least_once",
            key_serializer="raw",
            value_serializer="raw",
        )
        raw = app.topic(s.topic_raw, key_serializer="raw", value_serializer="raw")
        self.by_ip = app.topic(f"{s.worker_id}-scans-by-ip", partitions=n, internal=True,
                               key_serializer="raw", value_serializer="raw")
        self.enriched = app.topic(s.topic_enriched, key_serializer="raw", value_serializer="raw")
        self.dlq = app.topic(s.topic_dlq, key_serializer="raw", value_serializer="raw")
        # resends are recognised while an IP's bucket is kept: max(late horizon + 2 days, dedup horizon)
        dedup = max(retention, timedelta(hours=s.dedup_horizon_hours))
        self.buckets = app.Table("ip-buckets", default=bytes, value_type=bytes, partitions=n).tumbling(
            timedelta(milliseconds=BUCKET_MS), expires=dedup)
        self.records = app.Table("event-records", default=bytes, value_type=bytes, partitions=n).tumbling(
            timedelta(days=1), expires=dedup)
        self.counts = app.Table("daily-scans", default=bytes, value_type=bytes, partitions=n).tumbling(
            timedelta(days=1), expires=retention)
        self.fences = app.Table("origin-fences", default=None, value_type=bytes, partitions=n)

        app.agent(raw, name="route")(self._route)
        app.agent(self.by_ip, name="classify")(self._classify)
        app.agent(self.enriched, name="aggregate")(self._aggregate)
        app.timer(s.sink_interval_seconds)(self._sink_tick)
        app.timer(5.0)(self._lag_tick)
        app.on_partitions_revoked.connect(self._on_revoked)  # type: ignore[arg-type]
        app.on_before_shutdown.connect(self._on_shutdown)  # type: ignore[arg-type]
        return app

    async def _on_revoked(self, sender: Any, revoked: set[TP], **kwargs: Any) -> None:
        for tp in revoked:
            self.ip_stages.pop(tp, None)
            if self.counters.pop(tp, None) is not None or tp.topic == self.settings.topic_enriched:
                self.sink.forget([tp.partition])
        log.info("partitions revoked: %s", sorted(f"{tp.topic}:{tp.partition}" for tp in revoked))

    # -- stage A -------------------------------------------------------------------------------

    def _dead_letter(self, event: EventT[Any], reason: str, detail: str) -> None:
        m = event.message
        original = list(m.headers.items()) if isinstance(m.headers, Mapping) else list(m.headers or [])
        headers: list[tuple[str, bytes]] = [
            (str(k), v if isinstance(v, bytes) else str(v).encode()) for k, v in original
            if k not in ("dlq-reason", "dlq-detail", "dlq-topic", "dlq-partition", "dlq-offset")]
        headers += [("dlq-reason", reason.encode()), ("dlq-detail", detail[:500].encode()),
                    ("dlq-topic", m.topic.encode()), ("dlq-partition", str(m.partition).encode()),
                    ("dlq-offset", str(m.offset).encode())]
        self.dlq.send_soon(key=m.key, value=m.value, headers=headers)
        self.metrics.dead_letters.labels(reason).inc()
        self.metrics.events_out.labels(self.settings.topic_dlq).inc()

    def route_one(self, event: EventT[Any]) -> None:
        """Decode, validate and route one raw record (to by-ip, or to the dead-letter topic).

        "Now" is the record's own timestamp in the log, not the wall clock, so a
        replay decides the future and too-late limits exactly as the first pass did.
        """
        written_ms = int(event.message.timestamp * 1000)
        cutoff_ms = too_late_cutoff_ms(written_ms, self.settings.late_horizon_days)
        try:
            valid = validate_scan_event(self.decoder.decode(event.message.value), now_ms=written_ms)
        except UndecodableRecord as e:
            self._dead_letter(event, e.reason, e.detail)
            return
        except InvalidScanEvent as e:
            self._dead_letter(event, e.reason, f"{e.field}: {e.detail}")
            return
        if valid["occurred_at"] < cutoff_ms:
            self._dead_letter(event, "too_late", f"occurred_at before {cutoff_ms} ms")
            return
        self.by_ip.send_soon(key=valid["client_ip"].encode(), value=json.dumps(valid).encode())
        self.metrics.events_out.labels(self.by_ip.get_topic_name()).inc()

    async def _route(self, stream: Any) -> None:
        async for events in stream.take_events(BATCH, within=BATCH_WITHIN):
            started = time.perf_counter()
            for event in events:
                while True:
                    try:
                        self.route_one(event)
                        break
                    except RegistryUnavailable as e:  # registry away: retry, never skip
                        self.metrics.registry_retries.inc()
                        log.warning("route: %s; retrying in 2 s", e)
                        await asyncio.sleep(2)
            self.metrics.events_in.labels(self.settings.topic_raw).inc(len(events))
            self.metrics.stage_seconds.labels("route").observe(time.perf_counter() - started)

    # -- stage B -------------------------------------------------------------------------------

    def _enrich(self, event: dict[str, Any]) -> tuple[Classification, str | None]:
        return classify_user_agent(event.get("user_agent")), self.geo.country(event["client_ip"])

    def _ip_stage(self, event: EventT[Any]) -> IpStage:
        tp = event.message.tp
        stage = self.ip_stages.get(tp)
        if stage is None:
            session = Session(start=event.message.offset)
            stage = self.ip_stages[tp] = IpStage(self.rule, session, Buckets(self.buckets),
                                                 Records(self.records), self._enrich)
            log.info("classify: session %s on %s:%d from offset %d", session.id, tp.topic,
                     tp.partition, session.start)
        return stage

    async def _classify(self, stream: Any) -> None:
        async for events in stream.take_events(BATCH, within=BATCH_WITHIN):
            started = time.perf_counter()
            encoder = await self._enriched_encoder()
            for partition, group in _by_partition(events).items():
                stage = None
                for event in group:
                    _set_current(event)
                    stage = self._ip_stage(event)
                    t0 = time.perf_counter()
                    try:
                        emissions = stage.process(json.loads(event.message.value or b""),
                                                  event.message.offset)
                    except (ValueError, KeyError, TypeError) as e:
                        self._dead_letter(event, "undecodable", f"{type(e).__name__}: {e}")
                        continue
                    self.metrics.enrich_seconds.observe(time.perf_counter() - t0)
                    if not emissions:
                        self.metrics.duplicates.labels("classify").inc()
                    for i, em in enumerate(emissions):
                        self.enriched.send_soon(
                            key=em.record["gtin"].encode(), value=encoder.encode(em.record),
                            headers=[(ORIGIN, f"{partition}:{event.message.offset}:{i}".encode()),
                                     (KIND, em.kind.encode())])
                        if em.kind == "rate":
                            self.metrics.reclassified.inc()
                    self.metrics.events_out.labels(self.settings.topic_enriched).inc(len(emissions))
                if stage is not None:
                    for key, entries in stage.dirty():  # current event: the group's last
                        stage.store.save(key, entries)
                    stage.forget(BUCKET_CACHE)
            self.metrics.events_in.labels(self.by_ip.get_topic_name()).inc(len(events))
            self.metrics.stage_seconds.labels("classify").observe(time.perf_counter() - started)

    # -- stage C -------------------------------------------------------------------------------

    def _committed(self, tp: TP) -> int | None:
        value = self.app.consumer._committed_offset.get(tp)  # type: ignore[attr-defined]
        return int(value) if value is not None else None

    def _counter(self, tp: TP, start: int) -> DailyCounts:
        counter = self.counters.get(tp)
        if counter is None:
            session = Session(start=start)
            counter = self.counters[tp] = DailyCounts(
                session, Counts(self.counts, tp.partition), Fences(self.fences, tp.partition),
                lambda: self._committed(tp))
            log.info("aggregate: session %s on %s:%d from offset %d", session.id, tp.topic,
                     tp.partition, start)
            self.sink.offer(tp.partition, self._recovered_counts(tp.partition, session))
        return counter

    def _recovered_counts(self, partition: int, session: Session) -> list[tuple[CountKey, int]]:
        """Every count this partition holds, as of the session's start: the sink rewrites them all."""
        out: list[tuple[CountKey, int]] = []
        for raw_key, history in partition_items(self.counts.table, partition):
            try:
                (p, *dims), (start, _end) = raw_key
            except (TypeError, ValueError):
                continue
            if p != partition or len(dims) != 6:
                continue
            value = versioned.current(history, session, 0)
            day_ms = day_start_ms(round(start * 1000))
            out.append(((day_ms, (dims[0], dims[1], dims[2], dims[3], dims[4], bool(dims[5]))), int(value)))
        return out

    async def _aggregate(self, stream: Any) -> None:
        async for events in stream.take_events(BATCH, within=BATCH_WITHIN):
            started = time.perf_counter()
            for partition, group in _by_partition(events).items():
                counter = None
                for event in group:
                    _set_current(event)
                    counter = self._counter(event.message.tp, event.message.offset)
                    headers = dict(event.message.headers or [])
                    try:
                        op, oo, oi = (int(x) for x in bytes(headers[ORIGIN]).decode().split(":"))
                        kind = bytes(headers[KIND]).decode()
                        record = await self._decode_enriched(event.message.value)
                        if kind not in ("scan", "rate"):
                            raise PoisonMessage("bad_header", kind)
                    except (KeyError, ValueError, PoisonMessage) as e:
                        # not written by stage B: data for the data team only, never counted
                        self.metrics.dead_letters.labels("enriched_foreign").inc()
                        log.warning("aggregate: skipped a record at %s:%d:%d (%s)", event.message.topic,
                                    partition, event.message.offset, e)
                        continue
                    if not counter.apply(record, kind, Origin(op, oo, oi),  # type: ignore[arg-type]
                                         event.message.offset):
                        self.metrics.duplicates.labels("aggregate").inc()
                if counter is not None:
                    self.sink.offer(partition, counter.flush())
            self.metrics.events_in.labels(self.settings.topic_enriched).inc(len(events))
            self.metrics.stage_seconds.labels("aggregate").observe(time.perf_counter() - started)

    async def _decode_enriched(self, value: bytes | None) -> dict[str, Any]:
        while True:
            try:
                return self.enriched_decoder.decode(value)
            except RegistryUnavailable as e:  # registry away: retry, never skip
                self.metrics.registry_retries.inc()
                log.warning("aggregate: %s; retrying in 2 s", e)
                await asyncio.sleep(2)

    async def _enriched_encoder(self) -> schemas.Encoder:
        """The encoder of EnrichedScanEvent, looked up (registered only with auto-registration on)."""
        while self._encoder is None:
            try:
                self._encoder = schemas.encoder(
                    self.registry, schemas.value_subject(self.settings.topic_enriched),
                    self.enriched_schema, auto_register=self.settings.auto_register_schemas)
            except RegistryUnavailable as e:
                self.metrics.registry_retries.inc()
                log.warning("classify: %s; retrying in 2 s", e)
                await asyncio.sleep(2)
        return self._encoder

    # -- timers --------------------------------------------------------------------------------

    async def _sink_tick(self) -> None:
        consumer = self.app.consumer
        # Only once the streams resumed after the last rebalance: recovery is over and the
        # consumer has sought to the committed offsets, which are then known here.
        settled = (consumer.flow_active  # type: ignore[attr-defined]
                   and not self.app.rebalancing and not self.app.in_recovery
                   and self.app.tables.recovery.completed.is_set())  # type: ignore[attr-defined]
        if settled:
            for tp in consumer.assignment():
                if tp.topic == self.settings.topic_enriched and tp not in self.counters:
                    committed = self._committed(tp)
                    self._counter(tp, committed or 0)
        await self.sink.flush()

    async def _lag_tick(self) -> None:
        consumer = self.app.consumer
        for tp in consumer.assignment():
            try:
                high = consumer.highwater(tp)
            except Exception:
                continue
            committed = self._committed(tp) or 0
            if high is not None:
                self.metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, high - committed))
                acked = consumer._acked.get(tp) or []  # type: ignore[attr-defined]
                if high - committed > 0 and acked:
                    log.debug("lag %s:%d high %s committed %s read %s acked[:5] %s n %d distinct %d gap %s",
                             tp.topic, tp.partition, high, committed,
                             consumer._read_offset.get(tp), sorted(acked)[:5],  # type: ignore[attr-defined]
                             len(acked), len(set(acked)), consumer._gap.get(tp))  # type: ignore[attr-defined]

    async def _on_shutdown(self, sender: Any, **kwargs: Any) -> None:
        await self.sink.flush()
        await self.sink.close()
        log.info("worker stopped; %d sink rows still pending", self.sink.size())


def create_app(settings: Settings) -> faust.App:
    """Build the worker's faust app (the `faust -A` module calls this once)."""
    return Worker(settings).app
