"""Run the traffic simulator: seed the catalog, publish a planned stream, return its ground truth."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tqdm import tqdm

from producers import DeliveryError, ScanPublisher
from scan_analytics.contracts import ensure_topics, publisher_config
from scan_analytics.settings import Settings
from schemas.validation import to_millis
from simulator.catalog import Catalog, build_catalog
from simulator.catalog_db import seed_catalog
from simulator.errors import SimulatorError
from simulator.traffic import DAY_MS, Malformed, MalformedKind, Message, Shares, TrafficPlanner
from simulator.truth import Truth, compute_truth

log = logging.getLogger(__name__)
FOREVER_WINDOW_SECONDS = 10


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """What to simulate; `now` fixes the clock for reproducible truth."""

    events: int = 10_000
    seed: int | None = None  # None: a fresh seed (the same seed repeats the same event ids)
    days: float = 3.0
    rate: float = 0.0  # events per second; 0 = as fast as possible
    organizations: int = 3
    brands_per_organization: int = 3
    products_per_brand: int = 20
    shares: Shares = field(default_factory=Shares)
    now: datetime | None = None
    write_catalog: bool = True

    def check(self, settings: Settings) -> None:
        if self.events < 0:
            raise SimulatorError(f"--events must be >= 0, got {self.events}")
        if self.rate < 0:
            raise SimulatorError(f"--rate must be >= 0, got {self.rate}")
        # Late scans reach back up to 36 hours more; all must stay inside the lateness horizon.
        limit = settings.late_horizon_days - 2
        if not 0 < self.days <= limit:
            raise SimulatorError(
                f"--days must be within (0, {limit}] (late_horizon_days - 2), got {self.days:g}"
            )


def fresh_seed() -> int:
    """Return a new random seed."""
    return secrets.randbelow(2**31)


def _catalog(settings: Settings, config: SimulationConfig) -> Catalog:
    """Check the configuration and build its catalog."""
    config.check(settings)
    return build_catalog(config.organizations, config.brands_per_organization, config.products_per_brand)


def _prepare(settings: Settings, config: SimulationConfig, catalog: Catalog) -> None:
    """Write the catalog (unless told not to) and create the topics."""
    if config.write_catalog:
        seed_catalog(settings.database_url, catalog)
    ensure_topics(settings)


def plan(settings: Settings, config: SimulationConfig) -> tuple[Catalog, list[Message], Truth]:
    """Return the catalog, the messages in send order and their truth, without any I/O."""
    catalog = _catalog(settings, config)
    now = config.now or datetime.now(UTC)
    now_ms = to_millis(now)
    seed = config.seed if config.seed is not None else fresh_seed()
    planner = TrafficPlanner(catalog, seed, config.shares)
    messages = planner.plan(
        config.events, now_ms - int(config.days * DAY_MS), now_ms, now_ms, settings.late_horizon_days
    )
    truth = compute_truth(
        messages,
        seed=seed,
        generated_at=now,
        bot_rate_per_minute=settings.bot_rate_per_minute,
        bot_distinct_gtins_5min=settings.bot_distinct_gtins_5min,
        bot_bucket_cap=settings.bot_bucket_cap,
    )
    return catalog, messages, truth


def send(publisher: ScanPublisher, message: Message) -> None:
    """Publish one planned message; malformed ones go through the low-level path."""
    if not isinstance(message, Malformed):
        publisher.publish(message.record)
    elif message.record is None:
        publisher.publish_raw(message.key, message.payload)
    else:
        value = publisher.encode_unchecked(message.record)
        if message.kind is MalformedKind.TRUNCATED:
            value = value[: max(6, len(value) // 3)]
        publisher.publish_raw(message.key, value)


class Pacer:
    """Sleep as needed to keep `rate` messages per second (0 = no pacing)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.start = time.monotonic()
        self.count = 0

    def tick(self, stop: threading.Event | None = None) -> None:
        self.count += 1
        if self.rate <= 0 or self.count % 10:
            return
        delay = self.start + self.count / self.rate - time.monotonic()
        if delay > 0:
            if stop is not None:
                stop.wait(delay)
            else:
                time.sleep(delay)


def publish_all(
    publisher: ScanPublisher, messages: Sequence[Message], rate: float = 0.0, progress: bool = False
) -> None:
    """Send messages in order at `rate`, then flush; raise DeliveryError if any was not acknowledged."""
    pacer = Pacer(rate)
    # disable=None: a bar only on a terminal, never in log files.
    with tqdm(total=len(messages), disable=None if progress else True, unit="msg", mininterval=0.5) as bar:
        for i, message in enumerate(messages):
            send(publisher, message)
            pacer.tick()
            if i % 1000 == 999:
                bar.update(1000)
        bar.update(len(messages) % 1000)
    remaining = publisher.flush(60.0)
    if remaining or publisher.stats.failed:
        raise DeliveryError(f"{publisher.stats.failed} failed and {remaining} undelivered message(s)")


def run(settings: Settings, config: SimulationConfig, progress: bool = False) -> Truth:
    """Seed the catalog, create the topics, publish the planned stream; return its truth."""
    catalog, messages, truth = plan(settings, config)
    _prepare(settings, config, catalog)
    with ScanPublisher(publisher_config(settings)) as publisher:
        publish_all(publisher, messages, config.rate, progress)
    return truth


def run_forever(
    settings: Settings,
    config: SimulationConfig,
    stop: threading.Event | None = None,
    report: Callable[[str], None] = print,
) -> int:
    """Publish a steady stream at config.rate until stop is set; return how many were sent.

    Each round plans the next few seconds of traffic with occurred_at close to the
    wall clock (late scans reach back hours). No truth is kept.
    """
    stop = stop or threading.Event()
    catalog = _catalog(settings, config)
    _prepare(settings, config, catalog)
    planner = TrafficPlanner(catalog, config.seed if config.seed is not None else fresh_seed(), config.shares)
    per_round = max(1, int(config.rate * FOREVER_WINDOW_SECONDS)) if config.rate > 0 else 5_000
    sent, last_report = 0, time.monotonic()
    with ScanPublisher(publisher_config(settings)) as publisher:
        pacer = Pacer(config.rate)
        while not stop.is_set():
            now_ms = to_millis(datetime.now(UTC))
            start_ms = now_ms - FOREVER_WINDOW_SECONDS * 1000
            planner.forget_addresses()  # bounded memory; reuse across rounds is harmlessly rare
            for message in planner.plan(per_round, start_ms, now_ms, now_ms, settings.late_horizon_days):
                if stop.is_set():
                    break
                send(publisher, message)
                sent += 1
                pacer.tick(stop)
            if time.monotonic() - last_report >= 10:
                last_report = time.monotonic()
                s = publisher.stats
                report(f"simulate: {sent} sent, {s.delivered} delivered, {s.failed} failed")
    return sent
