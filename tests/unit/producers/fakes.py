"""An in-memory stand-in for confluent_kafka.Producer, so publisher logic is tested without a broker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaError


@dataclass
class FakeMessage:
    _topic: str
    _key: bytes | None
    _value: bytes
    _offset: int

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return 0

    def offset(self) -> int:
        return self._offset

    def key(self) -> bytes | None:
        return self._key

    def value(self) -> bytes:
        return self._value


@dataclass
class FakeProducer:
    """Queues up to `capacity` messages; `poll` delivers up to `deliver_per_poll` of them."""

    capacity: int = 1_000
    deliver_per_poll: int = 1_000
    fail: bool = False
    queued: list[tuple[FakeMessage, Callable[..., None]]] = field(default_factory=list)
    delivered: list[FakeMessage] = field(default_factory=list)

    def produce(
        self,
        topic: str,
        value: bytes,
        key: bytes | None = None,
        on_delivery: Callable[..., None] | None = None,
        **_: Any,
    ) -> None:
        if len(self.queued) >= self.capacity:
            raise BufferError("Local: Queue full")
        assert on_delivery is not None
        self.queued.append(
            (FakeMessage(topic, key, value, len(self.delivered) + len(self.queued)), on_delivery)
        )

    def poll(self, timeout: float = 0.0) -> int:
        served = 0
        while self.queued and served < self.deliver_per_poll:
            message, callback = self.queued.pop(0)
            error = KafkaError(KafkaError._MSG_TIMED_OUT) if self.fail else None
            if not self.fail:
                self.delivered.append(message)
            callback(error, message)
            served += 1
        return served

    def flush(self, timeout: float = 0.0) -> int:
        if self.deliver_per_poll:
            while self.queued:
                self.poll()
        return len(self.queued)

    def __len__(self) -> int:
        return len(self.queued)
