"""The faust app: two thin agents, their tables, the sink timer. Built by `create_app(settings)`.

    raw (any key) --route: decode, validate, dead letters, enrich, IP -> keyed hash-->
      <app>-scans-by-ip (one record per batch and IP-key partition, confluent-kafka)
      --classify: dedupe, rate rule, daily counts--> scans.enriched (confluent-kafka)
                                                 └--> sink --> PostgreSQL

Each scan crosses faust once as a consumed message (on the raw topic); the internal
topic carries batches. Nothing the worker counts is read back from a public topic.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from functools import partial
from typing import Any, NamedTuple, TypeVar, cast

import faust
from faust.streams import _current_event
from faust.types import TP, EventT

import schemas
from scan_analytics.settings import Settings
from schemas import RegistryUnavailable
from stream_processors import keycodec, versioned
from stream_processors.agents.verify import default_snapshot, verify, with_verification
from stream_processors.changelog import ConfluentChangelogTable, changelog_table
from stream_processors.consumer import Consumer, Transport
from stream_processors.daily import Changed, CountKey, DailyCounts, recovered
from stream_processors.enrich import Classification, GeoResolver, Place, classify_user_agent
from stream_processors.expiry import expired
from stream_processors.ip_stage import BUCKET_MS, IpStage
from stream_processors.metrics import WorkerMetrics
from stream_processors.monitor import QuietMonitor
from stream_processors.order import Order, Rewind, Verdict
from stream_processors.output import Output
from stream_processors.rate import RateRule
from stream_processors.records import day_start_ms
from stream_processors.route import DeadLetter, Router, pack, unpack
from stream_processors.sink import DAY, HOUR, PLACE, Grain, Sink
from stream_processors.stores import (
    Buckets,
    Counts,
    Records,
    partition_items,
    per_partition,
    stored_key,
)
from stream_processors.topics import internal_topic
from stream_processors.versioned import Session

log = logging.getLogger("stream_processors.worker")

BATCH = 1000  # raw records per route batch
CLASSIFY_BATCH = 8  # internal records (each up to BATCH scans) per classify batch
BATCH_WITHIN = 0.25
CACHE = 10_000  # buckets and counts kept in memory per partition between batches


class Stages(NamedTuple):
    """What classify keeps per partition of the internal topic in one session."""

    rate: IpStage
    counts: DailyCounts


DLQ_HEADERS = ("dlq-reason", "dlq-detail", "dlq-topic", "dlq-partition", "dlq-offset")
T = TypeVar("T")
STALL_SECONDS = 60.0  # records to read but none read for this long: the consumer's state is logged
SEEK_SECONDS = 15.0  # a seek not done by then is abandoned and tried again
POSITION_SECONDS = 120.0  # past faust's own seek timeout (broker_request_timeout, 90 s)
KILL_AFTER_FLUSH = "SA_WORKER_TEST_KILL_AFTER_FLUSH"  # crash tests only, see _crash_hook
LOSE_RECORD = "SA_WORKER_TEST_LOSE_RECORD"  # ordering tests only, see _lose_hook


def _crash_hook(spec: str) -> Callable[[str], None]:
    """With spec `stage:n`, SIGKILL this process right after that agent's n-th output flush.

    It is the crash between "outputs flushed" and "offsets committed" that the
    integration tests reproduce; unset (the default) it does nothing.
    """
    stage, _, count = spec.partition(":")
    left = {stage: int(count)} if count.isdigit() else {}

    def after_flush(agent: str) -> None:
        if agent in left:
            left[agent] -= 1
            if left[agent] <= 0:
                log.warning("%s=%s: SIGKILL after the %s flush", KILL_AFTER_FLUSH, spec, agent)
                os.kill(os.getpid(), signal.SIGKILL)

    return after_flush


def _lose_hook(spec: str) -> Callable[[str], bool]:
    """With spec `agent:n[,agent:n]`, make the n-th record that agent receives vanish once.

    The record is neither processed nor acknowledged, as when faust's fetcher skips a
    record around a rebalance: the next one arrives ahead of it. Unset, nothing vanishes.
    """
    left = {agent: int(n) for agent, _, n in (part.partition(":") for part in spec.split(",")) if n.isdigit()}

    def lost(agent: str) -> bool:
        if agent not in left:
            return False
        left[agent] -= 1
        if left[agent] == 0:
            log.warning("%s=%s: a %s record vanishes", LOSE_RECORD, spec, agent)
            return True
        return False

    return lost


def store_options() -> dict[str, int]:
    """rocksdb options of one table (a new dict each: faust's store takes keys out of it).

    One rocksdb database per table and partition (12 with 4 partitions). faust's defaults give
    each up to three 64 MiB memtables and a 2 GiB block cache; the tables rewrite the same keys
    every batch, so the memtables grew with the volume of writes (about 1.1 KB per scan, 217 MiB
    at 200,000 scans) until the first flush far past a million scans. With two 8 MiB memtables
    and a 16 MiB block cache per database the worker's RSS after 400,000 scans was 521 MiB
    instead of 808 (`bench_worker_flood.py --floods '' --background 400000 --steps 8`).
    """
    return {"write_buffer_size": 8 << 20, "max_write_buffer_number": 2, "block_cache_size": 16 << 20}


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
    """Everything one worker process holds: clients, the rate stage per partition, the sink."""

    def __init__(self, settings: Settings, metrics: WorkerMetrics | None = None) -> None:
        keycodec.use()  # faust's table keys, same bytes, faster
        self.settings = settings
        self.metrics = metrics or WorkerMetrics()
        self.rule = RateRule(settings.bot_rate_per_minute, settings.bot_distinct_gtins_5min)
        self.geo = GeoResolver(settings.geoip_path)
        self.ranges = default_snapshot()
        oldest = self.ranges.oldest()
        self.metrics.ranges_created.set(oldest.timestamp() if oldest else 0)
        self.registry = schemas.registry_client(settings.schema_registry_url)
        avro = settings.schemas_dir / "avro"
        self.router = Router(
            self.registry,
            schemas.schema_text(schemas.SCAN_EVENT, avro),
            self._enrich,
            settings.ip_key_secret.encode(),
            settings.topic_partitions,
            settings.late_horizon_days,
        )
        self.enriched_schema = schemas.schema_text(schemas.ENRICHED_SCAN_EVENT, avro)
        self._encoder: schemas.Encoder | None = None  # looked up (or registered) on first use
        self.output = Output(settings.kafka_bootstrap)
        self.internal = internal_topic(settings)
        self.sink = Sink(
            settings.database_url,
            self.metrics,
            settings.worker_id,
            self._sink_poison,
            hourly_retention_days=settings.hourly_retention_days,
        )
        self.stages: dict[TP, Stages] = {}
        self._expired_day: dict[int, int] = {}  # partition -> day of event time of its last expiry pass
        self.order: Order[TP] = Order()  # input partitions read in offset order (stream_processors.order)
        self._owned: set[TP] = set()  # partitions of the current assignment
        self._read: dict[TP, tuple[int, float]] = {}  # input partition -> (last offset read, when)
        self._stall_logged = 0.0
        self._unpositioned_since: float | None = None  # owned partitions not positioned, since
        self._held_early: set[TP] = set()  # partitions with records held back before they were positioned
        self._after_flush = _crash_hook(os.environ.get(KILL_AFTER_FLUSH, ""))
        self._lost = _lose_hook(os.environ.get(LOSE_RECORD, ""))
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
            table_standby_replicas=s.worker_standby_replicas,
            key_serializer="raw",
            value_serializer="raw",
            Table=changelog_table(self.output),  # changelog records through confluent-kafka
            monitor=QuietMonitor(),  # no statistics per record (faust's web pages are off)
        )
        app.transport = Transport(app.conf.broker_consumer, app)  # stream_processors.consumer
        raw = app.topic(s.topic_raw, key_serializer="raw", value_serializer="raw")
        by_ip = app.topic(self.internal, key_serializer="raw", value_serializer="raw")
        # resends are recognised while an IP's bucket is kept: max(late horizon + 2 days, dedup horizon)
        dedup = max(retention, timedelta(hours=s.dedup_horizon_hours))
        # No `expires=`: the classify agent deletes old windows itself (stream_processors.expiry).
        self.buckets = app.Table(
            "rate-buckets", default=bytes, value_type=bytes, partitions=n, options=store_options()
        ).tumbling(timedelta(milliseconds=BUCKET_MS))
        self.records = app.Table(
            "rate-records", default=bytes, value_type=bytes, partitions=n, options=store_options()
        ).tumbling(timedelta(days=1))
        self.counts = app.Table(
            "daily-counts", default=bytes, value_type=bytes, partitions=n, options=store_options()
        ).tumbling(timedelta(days=1))
        self.horizons = ((self.buckets, dedup), (self.records, dedup), (self.counts, retention))
        self.tables = [cast(ConfluentChangelogTable, wrapper.table) for wrapper, _ in self.horizons]

        app.agent(raw, name="route")(self._route)
        app.agent(by_ip, name="classify")(self._classify)
        app.timer(s.sink_interval_seconds)(self._sink_tick)
        app.timer(5.0)(self._lag_tick)
        app.on_partitions_revoked.connect(self._on_revoked)  # type: ignore[arg-type]
        app.on_partitions_assigned.connect(self._on_assigned)  # type: ignore[arg-type]
        app.on_before_shutdown.connect(self._on_shutdown)  # type: ignore[arg-type]
        return app

    async def _on_assigned(self, sender: Any, assigned: set[TP], **kwargs: Any) -> None:
        self._owned = set(assigned)

    async def _on_revoked(self, sender: Any, revoked: set[TP], **kwargs: Any) -> None:
        self._owned -= revoked
        self._held_early -= revoked
        for tp in revoked:
            self._read.pop(tp, None)
            self.order.forget(tp)
            if self.stages.pop(tp, None) is not None or tp.topic == self.internal:
                self.sink.forget([tp.partition])
        log.info("partitions revoked: %s", sorted(f"{tp.topic}:{tp.partition}" for tp in revoked))

    async def _retrying(self, what: str, call: Callable[[], T]) -> T:
        """Call until the registry answers: never skip or ack a record while it is away."""
        delay = 0.5
        while True:
            try:
                return call()
            except RegistryUnavailable as e:
                self.metrics.registry_retries.inc()
                log.warning("%s: %s; retrying in %.1f s", what, e, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _in_order(self, events: Sequence[EventT[Any]], agent: str) -> list[EventT[Any]]:
        """The events to process: each partition's next records in offset order.

        Redeliveries of processed records are dropped. A record past a skipped one is held
        back unacknowledged, so no commit can pass the skipped one, and the partition is
        read again from it (see stream_processors.order).
        """
        admitted: list[tuple[EventT[Any], int | None]] = []  # with the ownership that admitted it
        now = time.monotonic()
        consumer = self._consumer
        for event in events:
            m = event.message
            tp = m.tp
            # buffered before this worker lost it, fetched before its committed offset was known
            # (stream_processors.consumer; read for each event, the awaits below can span a
            # rebalance), or a test
            if tp not in self._owned or tp not in consumer.positioned or self._lost(agent):
                self._hold(m)
                if tp in self._owned and tp not in consumer.positioned:
                    self._held_early.add(tp)
                continue
            if not self.order.owns(tp):
                start = await self._start_offset(tp)
                if not self.order.owns(tp):  # (the sink timer's `_start` may have meanwhile)
                    self.order.start(tp, start)
            verdict = self.order.check(tp, m.offset)
            if verdict is Verdict.NEXT:
                admitted.append((event, self.order.ownership(tp)))
                self._read[tp] = (m.offset, now)
                continue
            if verdict is Verdict.SEEN:
                self.metrics.redelivered.labels(agent).inc()
                continue
            expected = self.order.expected(tp)
            self._hold(m)
            action = self.order.rewind(tp, m.offset, now)
            if action is Rewind.SEEK:
                log.warning(
                    "%s: %s:%d offset %d arrived while %d is next; reading again from %d",
                    agent, tp.topic, tp.partition, m.offset, expected, expected,
                )  # fmt: skip
                self.metrics.rewinds.labels(agent).inc()
                await self._seek(tp, expected)
            elif action is Rewind.GIVE_UP:
                resume = self.order.give_up(tp)
                log.error(
                    "%s: %s:%d offsets %d to %d never came after a seek (no longer in the topic); "
                    "going on from %d",
                    agent, tp.topic, tp.partition, expected, resume - 1, resume,
                )  # fmt: skip
                self.metrics.skipped.labels(agent).inc(resume - expected)
                await self._consumer.skip(tp, expected, resume - 1)
                await self._seek(tp, resume)
        # The awaits above can span a rebalance: a record admitted by an ownership of its
        # partition that has ended since is not processed (the next ownership reads it again).
        current = []
        for event, ownership in admitted:
            tp = event.message.tp
            if ownership == self.order.ownership(tp) and tp in self._owned:
                current.append(event)
            else:
                self._hold(event.message)
        return current

    async def _seek(self, tp: TP, offset: int) -> None:
        # In the consumer's own thread (faust's `seek` calls aiokafka from this one, and the
        # partition's fetches may then never resume); sets faust's read offset too. A seek
        # that does not return (the consumer's thread busy around a rebalance) must not hold
        # the agent or the timers: it is abandoned, and the partition is sought again while
        # its missing record has not come (`Order.overdue`, every 5 s).
        try:
            await asyncio.wait_for(self.app.consumer.seek_wait({tp: offset}), SEEK_SECONDS)
        except TimeoutError:
            log.warning(
                "%s:%d: seek to %d did not return within %.0f s; it will be tried again",
                tp.topic, tp.partition, offset, SEEK_SECONDS,
            )  # fmt: skip

    async def _start_offset(self, tp: TP) -> int:
        """Where reading a partition starts: its committed offset, or with none its first offset.

        Not the first record that arrives: with no offset committed yet, that record may
        come after one the consumer skipped (see `_lose_hook`).
        """
        committed = self._consumer.resume_offset(tp)
        if committed is not None:
            return committed
        try:  # in the consumer's thread, like a seek: never wait on it for long
            earliest = await asyncio.wait_for(self.app.consumer.earliest_offsets(tp), SEEK_SECONDS)
        except Exception as e:
            # a later record then waits for offset 0 (Order gives up after a minute)
            log.warning("%s:%d: first offset not known (%r); starting from 0", tp.topic, tp.partition, e)
            return 0
        return int(earliest.get(tp) or 0)

    @property
    def _consumer(self) -> Consumer:
        return cast(Consumer, self.app.consumer)

    def _hold(self, message: Any) -> None:
        """Keep take_events from acknowledging a record that was not processed."""
        self._consumer.hold(message)

    # -- route ---------------------------------------------------------------------------------

    def _enrich(self, user_agent: str | None, ip: str) -> tuple[Classification, Place | None]:
        cls = classify_user_agent(user_agent)
        if cls.agent_name is not None:
            verification = verify(cls.agent_name, ip, self.ranges)
            self.metrics.verifications.labels(verification.status).inc()
            cls = with_verification(cls, verification)
        return cls, self.geo.place(ip)

    def _dead_letter(self, m: Any, letter: DeadLetter) -> None:
        original = list(m.headers.items()) if isinstance(m.headers, Mapping) else list(m.headers or [])
        headers: list[tuple[str, bytes]] = [
            (str(k), v if isinstance(v, bytes) else str(v).encode())
            for k, v in original
            if k not in DLQ_HEADERS
        ]
        headers += [
            ("dlq-reason", letter.reason.encode()),
            ("dlq-detail", letter.detail[:500].encode()),
            ("dlq-topic", m.topic.encode()),
            ("dlq-partition", str(m.partition).encode()),
            ("dlq-offset", str(m.offset).encode()),
        ]
        self.output.send(self.settings.topic_dlq, letter.value or b"", key=m.key, headers=headers)
        self.metrics.dead_letters.labels(letter.reason).inc()
        self.metrics.events_out.labels(self.settings.topic_dlq).inc()

    async def _route(self, stream: Any) -> None:
        async for events in stream.take_events(BATCH, within=BATCH_WITHIN):
            started = time.perf_counter()
            scans = []
            route = self.router.route
            for event in await self._in_order(events, "route"):
                m = event.message
                written_ms = int(m.timestamp * 1000)
                try:
                    out = route(m.value, written_ms)
                except RegistryUnavailable:
                    out = await self._retrying("route", lambda: route(m.value, written_ms))  # noqa: B023
                if isinstance(out, DeadLetter):
                    self._dead_letter(m, out)
                else:
                    scans.append(out)
            for partition, value in pack(scans):
                self.output.send(self.internal, value, partition=partition)
            self.output.poll()
            await self.output.flush()  # before take_events acks the batch
            self._after_flush("route")
            self.metrics.events_in.labels(self.settings.topic_raw).inc(len(events))
            self.metrics.events_out.labels(self.internal).inc(len(scans))
            self.metrics.stage_seconds.labels("route").observe(time.perf_counter() - started)

    # -- classify and count ---------------------------------------------------------------------

    def _committed(self, tp: TP) -> int | None:
        return self._consumer.committed_offset(tp)

    def _stage(self, tp: TP) -> Stages:
        """The stages of tp, in a session from where reading tp began (the partition's Order)."""
        got = self.stages.get(tp)
        if got is None:
            start = self.order.first(tp)
            session = Session(start=start)
            stage = IpStage(
                self.rule,
                session,
                Buckets(self.buckets, tp.partition),
                Records(self.records, tp.partition),
                self.settings.bot_bucket_cap,
            )
            counter = DailyCounts(session, Counts(self.counts, tp.partition), partial(self._committed, tp))
            got = self.stages[tp] = Stages(stage, counter)
            log.info(
                "classify: session %s on %s:%d from offset %d", session.id, tp.topic, tp.partition, start
            )
            self.sink.claim(tp.partition)
            self._offer(tp.partition, self._recovered_counts(tp.partition, session))
        return got

    def _offer(self, partition: int, changed: Changed) -> None:
        self.sink.offer(partition, changed.days, DAY)
        self.sink.offer(partition, changed.hours, HOUR)
        self.sink.offer(partition, changed.places, PLACE)

    def _recovered_counts(self, partition: int, session: Session) -> Changed:
        """Every count the partition holds at the session's start (days, hours, places), for the sink."""
        out: dict[CountKey, Changed] = {}
        legacy: dict[CountKey, Changed] = {}
        for raw_key, history in partition_items(self.counts.table, partition):
            try:
                (p, *dims), (start, _end) = raw_key
            except (TypeError, ValueError):
                continue
            key = stored_key(dims)
            if p != partition or key is None:
                continue
            day = day_start_ms(round(start * 1000))
            found = recovered(day, key, versioned.current(history, session, 0))
            (legacy if len(dims) == 6 else out)[(day, key)] = found
        both = legacy | out  # a key stored both ways: the newer form holds the count
        return Changed(
            [d for c in both.values() for d in c.days],
            [h for c in both.values() for h in c.hours],
            [p for c in both.values() for p in c.places],
        )

    async def _classify(self, stream: Any) -> None:
        topic = self.settings.topic_enriched
        async for events in stream.take_events(CLASSIFY_BATCH, within=BATCH_WITHIN):
            started = time.perf_counter()
            encode = (await self._enriched_encoder()).encode
            send = self.output.send
            scans = emitted = 0
            for partition, group in _by_partition(await self._in_order(events, "classify")).items():
                stages = None
                newest = 0  # event time, ms
                for event in group:
                    _set_current(event)
                    m = event.message
                    stages = self._stage(m.tp)
                    stage, counter = stages
                    for ip, record in unpack(m.value):
                        scans += 1
                        newest = max(newest, record["occurred_at"])
                        emissions = stage.process(ip, record, m.offset)
                        if not emissions:
                            self.metrics.duplicates.labels("classify").inc()
                        for em in emissions:
                            send(topic, encode(em.record), key=em.record["gtin"].encode())
                            counter.apply(em.record, em.kind, m.offset)
                            if em.kind == "rate":
                                self.metrics.reclassified.inc()
                        emitted += len(emissions)
                if stages is not None:  # the current event: the group's last
                    stage, counter = stages
                    for key, value in stage.dirty(self._committed(group[-1].message.tp)):
                        stage.store.save(key, value)
                    self._offer(partition, counter.flush())
                    self._expire(partition, newest)
                    for table in self.tables:
                        table.send_staged(partition)
                    stage.forget(CACHE)
                    counter.forget(CACHE)
            self.output.poll()
            await self.output.flush()  # before take_events acks the batch
            self._after_flush("classify")  # (crash tests: changelogs written, stores not yet)
            for table in self.tables:
                table.apply_sent()  # the delivered changes into the stores
            self.metrics.events_in.labels(self.internal).inc(scans)
            self.metrics.events_out.labels(topic).inc(emitted)
            self.metrics.stage_seconds.labels("classify").observe(time.perf_counter() - started)

    def _expire(self, partition: int, newest_ms: int) -> None:
        """Once per day of event time, delete this partition's windows past their horizon.

        The partition's newest event time rather than the wall clock, so a replay deletes
        what the first pass deleted; validation bounds it (an hour past the raw record's log
        time). The current event must be one of the partition's: deletions go to its store
        and changelog partition.
        """
        now_s = newest_ms / 1000
        day = int(now_s // 86_400)
        if self._expired_day.get(partition, -1) >= day:
            return
        self._expired_day[partition] = day
        deleted = 0
        for wrapper, horizon in self.horizons:
            table = cast(ConfluentChangelogTable, wrapper.table)
            if not per_partition(table):  # memory:// (development): one dict for all partitions
                continue
            for key in expired(
                partition_items(table, partition, values=False), now_s - horizon.total_seconds()
            ):
                table.stage(partition, key, None)
                deleted += 1
        if deleted:
            log.info("classify: partition %d: %d expired windows deleted", partition, deleted)
        self.metrics.expired_windows.inc(deleted)

    async def _enriched_encoder(self) -> schemas.Encoder:
        """The encoder of EnrichedScanEvent, looked up (registered only with auto-registration on)."""
        if self._encoder is None:
            self._encoder = await self._retrying(
                "classify",
                lambda: schemas.encoder(
                    self.registry,
                    schemas.value_subject(self.settings.topic_enriched),
                    self.enriched_schema,
                    auto_register=self.settings.auto_register_schemas,
                ),
            )
        return self._encoder

    # -- sink and timers ----------------------------------------------------------------------

    def _sink_poison(self, grain: Grain, key: tuple[int, tuple[Any, ...]], reason: str) -> None:
        start_ms, dims = key
        value = json.dumps({f"{grain.name}_start_ms": start_ms, "key": list(dims)}).encode()
        self.output.send(
            self.settings.topic_dlq,
            value,
            headers=[
                ("dlq-reason", b"sink_rejected"),
                ("dlq-detail", reason[:500].encode()),
                ("dlq-topic", grain.summary.encode()),
                ("dlq-partition", b"-1"),
                ("dlq-offset", b"-1"),
            ],
        )

    async def _sink_tick(self) -> None:
        consumer = self._consumer
        # Only once the streams resumed after the last rebalance, and for the partitions whose
        # committed offsets the consumer knows (stream_processors.consumer).
        if consumer.flow_active and not self.app.rebalancing and not self.app.in_recovery:
            for tp in consumer.positioned:
                if tp.topic in (self.settings.topic_raw, self.internal) and not self.order.owns(tp):
                    await self._start(tp)
                if tp.topic == self.internal and tp not in self.stages and self.order.owns(tp):
                    self._stage(tp)
        await self.sink.flush()
        self.output.poll()

    async def _start(self, tp: TP) -> None:
        """Start reading a positioned partition before any record of it arrives.

        Records that arrived before it was positioned were held back; with a committed offset
        faust's seek reads them again, without one nothing would (and an idle partition would
        keep them): it is sought to its first offset. Reading nothing from it for a minute
        from here is a stall (`_lag_tick`).
        """
        start = await self._start_offset(tp)
        if self.order.owns(tp) or tp not in self._owned or tp not in self._consumer.positioned:
            return  # started by its agent, or revoked, meanwhile
        self.order.start(tp, start)
        self._read.setdefault(tp, (start - 1, time.monotonic()))
        if self._consumer.resume_offset(tp) is None and tp in self._held_early:
            await self._seek(tp, start)

    async def _lag_tick(self) -> None:
        consumer = self.app.consumer
        now = time.monotonic()
        await self._position_again(now)
        stalled = []
        for tp in consumer.assignment():
            try:
                high = consumer.highwater(tp)
            except Exception:
                continue
            if high is not None:
                committed = self._committed(tp) or 0
                self.metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, high - committed))
                if tp.topic in (self.settings.topic_raw, self.internal):
                    read = self._read.get(tp, (-1, now))
                    if read[0] + 1 >= high:
                        self._read[tp] = (read[0], now)
                    elif now - read[1] > STALL_SECONDS:
                        stalled.append(f"{tp.topic}:{tp.partition} read {read[0]} high {high}")
                        if self.order.owns(tp) and tp in self._owned:  # the record after the last one read
                            self.metrics.rewinds.labels("stall").inc()
                            await self._seek(tp, self.order.expected(tp))
                            self._read[tp] = (read[0], now)
        for tp, offset in self.order.overdue(now):  # sought back, but nothing came: seek again
            if tp in self._owned:
                log.info(
                    "%s:%d: offset %d did not come after a seek; seeking again",
                    tp.topic,
                    tp.partition,
                    offset,
                )
                await self._seek(tp, offset)
        if stalled and now - self._stall_logged > STALL_SECONDS:
            self._stall_logged = now
            self.metrics.stalls.inc()
            log.warning(
                "consumer stalled for %.0f s with records to read: %s (sought to the next record); %s",
                STALL_SECONDS,
                stalled,
                self._consumer.flow_state(),
            )

    async def _position_again(self, now: float) -> None:
        """Seek partitions to their committed offsets if faust's seek after a rebalance never did.

        faust gives that seek `broker_request_timeout`; when it runs out, faust's recovery ends
        there (the app stays "rebalancing") while records keep arriving, and the partitions it
        left unpositioned (stream_processors.consumer) would be held back for good.
        """
        consumer = self._consumer
        waiting = {tp for tp in self._owned if tp.topic in (self.settings.topic_raw, self.internal)}
        waiting -= consumer.positioned
        if not waiting:
            self._unpositioned_since = None
            return
        since = self._unpositioned_since = self._unpositioned_since or now
        if now - since > POSITION_SECONDS:
            self._unpositioned_since = now
            log.warning(
                "%s: committed offsets not known for %.0f s; seeking to them again",
                ", ".join(sorted(f"{tp.topic}:{tp.partition}" for tp in waiting)),
                now - since,
            )
            self.metrics.rewinds.labels("position").inc()
            try:
                await asyncio.wait_for(consumer.reposition(waiting), SEEK_SECONDS)
            except Exception as e:  # the broker still away: tried again later
                log.warning("seek to the committed offsets failed (%r); it will be tried again", e)

    async def _on_shutdown(self, sender: Any, **kwargs: Any) -> None:
        await self.sink.flush()
        await self.sink.close()
        self.output.close()
        log.info("worker stopped; %d sink rows still pending", self.sink.size())


def create_app(settings: Settings) -> faust.App:
    """Build the worker's faust app (the `faust -A` module calls this once)."""
    return Worker(settings).app
