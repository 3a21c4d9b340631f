"""The publishing library the resolver imports: validate a scan, encode it, queue it to Kafka.

    from producers import PublisherConfig, ScanPublisher

It stands on the contract (`schemas`) and on nothing else of the project.
"""

from producers.aio import AsyncScanPublisher
from producers.errors import (
    DeliveryError,
    InvalidScanEvent,
    ProducerError,
    PublishError,
    QueueFullError,
    SchemaError,
)
from producers.publisher import (
    DeliveryReport,
    Overflow,
    PublisherConfig,
    PublisherStats,
    ScanPublisher,
)

__all__ = [
    "AsyncScanPublisher",
    "DeliveryError",
    "DeliveryReport",
    "InvalidScanEvent",
    "Overflow",
    "ProducerError",
    "PublishError",
    "PublisherConfig",
    "PublisherStats",
    "QueueFullError",
    "ScanPublisher",
    "SchemaError",
]
