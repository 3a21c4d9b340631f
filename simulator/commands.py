"""CLI: `simulate`."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from scan_analytics.settings import Settings
from simulator import run as simulator
from simulator.errors import SimulatorError
from simulator.truth import Truth


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    seed = args.seed if args.seed is not None else simulator.fresh_seed()
    config = simulator.SimulationConfig(
        events=args.events,
        seed=seed,
        days=args.days,
        rate=args.rate,
        organizations=args.organizations,
        now=args.now,
        write_catalog=not args.no_catalog,
    )
    forever = args.forever or args.events == 0
    if forever and args.truth:
        raise SimulatorError("--truth needs a finite run; give --events N > 0 without --forever")
    if forever:
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        print(
            f"simulate: publishing about {args.rate:g} scans/s to {settings.topic_raw} until stopped "
            f"(seed {seed})"
        )
        sent = simulator.run_forever(settings, config, stop)
        print(f"simulate: stopped after {sent} messages")
        return 0
    truth = simulator.run(settings, config, progress=not args.quiet)
    _print_truth(truth, settings)
    if args.truth:
        args.truth.parent.mkdir(parents=True, exist_ok=True)
        args.truth.write_text(json.dumps(truth.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"truth written to {args.truth}")
    return 0


def _aware_datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from e
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a timezone (Z or +hh:mm) in {text!r}")
    return moment.astimezone(UTC)


def _print_truth(truth: Truth, settings: Settings) -> None:
    print(f"sent {truth.events_sent} messages to {settings.topic_raw} (seed {truth.seed})")
    print(f"  valid distinct scans: {truth.valid_distinct}")
    print(f"  resends:              {truth.resends}")
    print(f"  malformed:            {truth.malformed}")
    print(f"  too late:             {truth.too_late}")
    print(f"  summary rows:         {len(truth.rows)}")
    days: dict[str, int] = {}
    for row in truth.rows:
        days[row["day"]] = days.get(row["day"], 0) + row["scans"]
    for day, n in sorted(days.items()):
        print(f"  {day}: {n} scans")
    print(
        "  by device class (+bot = flagged by behaviour or missing User-Agent): "
        + ", ".join(f"{k} {v}" for k, v in truth.totals().items())
    )
    for dimension in ("traffic_class", "category", "verification"):
        counts = truth.scans_by(dimension)
        print(f"  by {dimension.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "simulate",
        help="publish realistic scan traffic and print the ground truth",
        description="Seed the catalog (organizations, brands, products, demo memberships) in "
        "PostgreSQL, then publish simulated resolver traffic to the raw topic: people on phones, "
        "tablets and desktops across countries, declared agents of every category (AI assistants, "
        "crawlers, SEO tools, link previews, monitors, scanners, feed readers, HTTP clients, "
        "headless browsers), spoofed claims of verifiable agents, scrapers with a browser "
        "User-Agent, late scans, resends and malformed messages. Prints the ground truth the "
        "pipeline must reproduce; deterministic for a given --seed (and clock).",
    )
    p.add_argument(
        "--events",
        type=int,
        default=10_000,
        metavar="N",
        help="messages to send, resends and malformed included; 0 means no limit, as --forever "
        "(default 10000)",
    )
    p.add_argument(
        "--rate",
        type=float,
        default=0.0,
        metavar="R",
        help="messages per second; 0 sends as fast as possible (default 0)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="S",
        help="random seed: the same seed, clock and options give the same messages "
        "(default: a fresh one, printed)",
    )
    p.add_argument(
        "--days", type=float, default=3.0, metavar="D", help="days the scans cover, ending now (default 3)"
    )
    p.add_argument(
        "--organizations",
        type=int,
        default=3,
        metavar="K",
        help="organizations in the catalog, 1 to 10 (default 3)",
    )
    p.add_argument(
        "--now",
        type=_aware_datetime,
        metavar="ISO",
        help="take this as the current time, e.g. 2026-06-01T12:00:00Z, for output identical across runs "
        "(scans older than the pipeline's lateness horizon are then too late for it)",
    )
    p.add_argument("--truth", type=Path, metavar="FILE", help="write the ground truth as JSON to FILE")
    p.add_argument(
        "--forever",
        action="store_true",
        help="keep publishing at --rate until interrupted (no truth); for `make run`",
    )
    p.add_argument("--no-catalog", action="store_true", help="do not write the catalog to the database")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_simulate)
