"""An asyncio front for the publisher: `await publish(scan)` returns the broker's answer.

A background thread serves delivery reports and hands each to the event loop,
so coroutines never block on librdkafka. Validation and serialization run in
the caller, before anything is queued, exactly as in ScanPublisher. When the
local queue is full, `Overflow.BLOCK` awaits room for up to `block_timeout`
seconds (without blocking the loop); `Overflow.RAISE` raises at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient

from producers.errors import DeliveryError, PublishError
from producers.publisher import DeliveryReport, Overflow, PublisherConfig, PublisherStats, ScanPublisher


class AsyncScanPublisher:
    """Publish scans from coroutines; use as `async with AsyncScanPublisher(config) as p`."""

    def __init__(
        self,
        config: PublisherConfig,
        *,
        producer: Producer | None = None,
        registry: SchemaRegistryClient | None = None,
        poll_interval: float = 0.05,
    ) -> None:
        self._publisher = ScanPublisher(config, producer=producer, registry=registry)
        self._poll_interval = poll_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="scan-publisher-poll", daemon=True)

    @property
    def stats(self) -> PublisherStats:
        return self._publisher.stats

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._publisher.poll(self._poll_interval)

    async def __aenter__(self) -> Self:
        self._thread.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def enqueue(self, record: Mapping[str, Any]) -> asyncio.Future[DeliveryReport]:
        """Validate and queue one scan; return a future for its delivery report."""
        if not self._thread.is_alive() or self._publisher.closed:
            raise PublishError("the publisher is not running; use `async with`")
        loop = asyncio.get_running_loop()
        key, value, event_id = self._publisher.encode(record)
        future: asyncio.Future[DeliveryReport] = loop.create_future()

        def resolve(report: DeliveryReport) -> None:
            loop.call_soon_threadsafe(_settle, future, report)

        callback = self._publisher.delivery_callback(event_id, resolve)
        config = self._publisher.config
        deadline = time.monotonic() + config.block_timeout
        while not self._publisher.try_produce(key, value, callback):
            if config.overflow is Overflow.RAISE or time.monotonic() >= deadline:
                self._publisher.queue_full()
            await asyncio.sleep(0.01)
        return future

    async def publish(self, record: Mapping[str, Any]) -> DeliveryReport:
        """Validate, queue and wait for the broker's acknowledgement; raise DeliveryError if refused."""
        report = await (await self.enqueue(record))
        if not report.ok:
            raise DeliveryError(f"scan {report.event_id} not delivered: {report.error}")
        return report

    async def close(self, timeout: float = 30.0) -> None:
        """Flush without blocking the loop, then stop the delivery thread."""
        if self._publisher.closed:
            return
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._publisher.close, timeout)
        finally:
            self._stop.set()
            if self._thread.is_alive():
                await asyncio.get_running_loop().run_in_executor(None, self._thread.join)


def _settle(future: asyncio.Future[DeliveryReport], report: DeliveryReport) -> None:
    if not future.done():
        future.set_result(report)
