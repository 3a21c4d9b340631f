"""`scan-analytics worker`: run one stream-processing worker of the consumer group."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time
from typing import Any

from scan_analytics.settings import Settings


class JsonFormatter(logging.Formatter):
    """One JSON object per log line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out)


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    import faust

    from scan_analytics.contracts import ensure_topics
    from scan_analytics.devgeo import ensure_country_mmdb
    from stream_processors.app import Worker
    from stream_processors.errors import StreamProcessorError
    from stream_processors.topics import ensure_worker_topics

    if args.partitions:
        settings = settings.model_copy(update={"topic_partitions": args.partitions})
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    ours = logging.getLogger("stream_processors")
    ours.addHandler(handler)
    ours.setLevel(logging.INFO)
    ours.propagate = False
    if not settings.geoip_path.exists():
        if not settings.geoip_path.name.startswith("dev-"):
            raise StreamProcessorError(
                f"GeoIP database {settings.geoip_path} not found (SCAN_ANALYTICS_GEOIP_PATH)"
            )
        ensure_country_mmdb(settings.geoip_path)
    ensure_topics(settings)
    ensure_worker_topics(settings)
    worker = Worker(settings)
    worker.metrics.serve(settings.worker_metrics_host, settings.worker_web_port)
    ours.info(
        "worker %s/%s: metrics on http://%s:%d/metrics",
        settings.worker_id,
        settings.worker_instance,
        settings.worker_metrics_host,
        settings.worker_web_port,
    )
    runner = faust.Worker(worker.app, loglevel=args.loglevel, quiet=True, redirect_stdouts=False)
    tune_gc()
    runner.execute_from_commandline()
    return 0


def tune_gc() -> None:
    """Keep CPython's cycle collector from taking a quarter of the worker's time.

    The worker allocates a few dozen objects per scan (records, messages, futures) and
    keeps large caches. With the default thresholds (700, 10, 10) the collector ran
    about 3,400 times in a 30,000-scan benchmark run and took 5.5 s of its 22 s. What
    exists once the worker is built (faust, the User-Agent and GeoIP tables, the agent
    catalog) is frozen out of collection, and a young collection waits for 50,000
    allocations instead of 700; older generations keep CPython's ratios, so cyclic
    garbage is still collected.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    worker = sub.add_parser(
        "worker",
        help="run a stream-processing worker (enrich, classify, aggregate, sink)",
        description="Run one faust worker of the consumer group named by SCAN_ANALYTICS_WORKER_ID: "
        "it reads scans.raw, dead-letters bad input, classifies and enriches scans, publishes "
        "EnrichedScanEvent to scans.enriched and keeps scan_daily_summary in PostgreSQL up to date. "
        "Start several (each with its own SCAN_ANALYTICS_WORKER_INSTANCE and "
        "SCAN_ANALYTICS_WORKER_WEB_PORT) to share the partitions. SIGTERM stops it cleanly.",
    )
    worker.add_argument(
        "--partitions",
        type=int,
        default=0,
        help="partition count of the topics it creates (default: SCAN_ANALYTICS_TOPIC_PARTITIONS)",
    )
    worker.add_argument("--loglevel", default="WARNING", help="faust's log level (default WARNING)")
    worker.set_defaults(func=_worker)
