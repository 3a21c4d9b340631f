"""The ground truth a correct pipeline reproduces from a planned stream; pure."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scan_analytics.devgeo import place_of
from schemas.validation import normalize_gtin
from simulator.traffic import MINUTE_MS, Kind, Malformed, Message, Scan

FIVE_MINUTES_MS = 5 * MINUTE_MS
ROW_KEY = (
    "day",
    "organization_id",
    "brand_id",
    "gtin",
    "country_code",
    "device_class",
    "is_bot",
    "traffic_class",
    "category",
    "agent",
    "operator",
    "verification",
)
HOURLY_ROW_KEY = ("hour", *ROW_KEY[1:])  # the key of scan_hourly_summary; hour is a UTC ISO 8601 instant
# the key of scan_daily_place_summary: "" where the place is unknown
PLACE_ROW_KEY = (*ROW_KEY[:5], "is_bot", "region_code", "region_name", "city")
RATE_CATEGORY = "high_rate"  # the category of a person the rate rule made a bot
RATE_DIMENSIONS = ("bot", RATE_CATEGORY, "", "", "")  # traffic_class .. verification
BREAKDOWNS = ("traffic_class", "category", "agent", "verification")  # scans by each, in to_json


@dataclass(frozen=True, slots=True)
class Truth:
    """Counts of what was sent and the daily, hourly and place summary rows it must produce."""

    generated_at: datetime
    seed: int
    events_sent: int
    valid_distinct: int
    resends: int
    malformed: int
    too_late: int
    rows: list[dict[str, Any]]
    hourly_rows: list[dict[str, Any]]
    place_rows: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "seed": self.seed,
            "events_sent": self.events_sent,
            "valid_distinct": self.valid_distinct,
            "resends": self.resends,
            "malformed": self.malformed,
            "too_late": self.too_late,
            **{f"by_{dimension}": self.scans_by(dimension) for dimension in BREAKDOWNS},
            "spoofed": self.scans_by("verification").get("spoofed", 0),
            "rows": self.rows,
            "hourly_rows": self.hourly_rows,
            "place_rows": self.place_rows,
        }

    def scans_by(self, dimension: str) -> dict[str, int]:
        """Return scans per value of one row dimension ("" values left out), sorted by value."""
        out: Counter[str] = Counter()
        for row in self.rows:
            if row[dimension] != "":
                out[str(row[dimension])] += row["scans"]
        return dict(sorted(out.items()))

    def totals(self) -> dict[str, int]:
        """Return scans per traffic slice (device class, with "+bot" when flagged)."""
        out: Counter[str] = Counter()
        for row in self.rows:
            out[row["device_class"] + ("+bot" if row["is_bot"] and row["device_class"] != "bot" else "")] += (
                row["scans"]
            )
        return dict(sorted(out.items()))


def rate_bots(
    scans: Iterable[Scan], per_minute: int, distinct_gtins_5min: int, bucket_cap: int | None = None
) -> set[str]:
    """Return the event ids the behavioural rate rule marks as bots.

    For a scan from address a at time t: the scans from a in (t - 60 s, t] and the
    distinct GTINs among scans from a in (t - 300 s, t], both including itself.
    Only scans not already bots are marked; the counts include every scan.
    With bucket_cap, a 5-minute bucket of event time (epoch-aligned) in which a has
    more than bucket_cap scans is saturated: every scan of a in it and in the next
    bucket is a bot too.
    """
    by_ip: dict[str, list[tuple[int, str, Scan]]] = defaultdict(list)
    for scan in scans:
        by_ip[scan.record["client_ip"]].append((scan.occurred_ms, normalize_gtin(scan.record["gtin"]), scan))
    marked: set[str] = set()
    for events in by_ip.values():
        if len(events) <= min(per_minute, distinct_gtins_5min):
            continue
        events.sort(key=lambda e: e[0])
        times = [e[0] for e in events]
        per_bucket = Counter(t // FIVE_MINUTES_MS for t in times)
        for t, _, scan in events:
            if scan.is_bot:
                continue
            bucket = t // FIVE_MINUTES_MS
            if bucket_cap is not None and max(per_bucket[bucket], per_bucket[bucket - 1]) > bucket_cap:
                marked.add(scan.event_id)
                continue
            hi = bisect.bisect_right(times, t)
            count = hi - bisect.bisect_right(times, t - MINUTE_MS)
            lo5 = bisect.bisect_right(times, t - 5 * MINUTE_MS)
            distinct = len({e[1] for e in events[lo5:hi]})
            if count > per_minute or distinct > distinct_gtins_5min:
                marked.add(scan.event_id)
    return marked


def compute_truth(
    messages: Iterable[Message],
    *,
    seed: int,
    generated_at: datetime | None = None,
    bot_rate_per_minute: int = 30,
    bot_distinct_gtins_5min: int = 20,
    bot_bucket_cap: int | None = None,
) -> Truth:
    """Return the truth for messages sent in this order (resends are the same event)."""
    sent = resends = malformed = too_late = 0
    distinct: dict[str, Scan] = {}
    for message in messages:
        sent += 1
        if isinstance(message, Malformed):
            malformed += 1
            continue
        if message.resend or message.event_id in distinct:
            resends += 1
            continue
        if message.kind is Kind.TOO_LATE:
            too_late += 1
            continue
        distinct[message.event_id] = message
    by_rate = rate_bots(distinct.values(), bot_rate_per_minute, bot_distinct_gtins_5min, bot_bucket_cap)
    counts: Counter[tuple[Any, ...]] = Counter()
    hourly: Counter[tuple[Any, ...]] = Counter()
    places: Counter[tuple[Any, ...]] = Counter()
    for scan in distinct.values():
        r = scan.record
        at = datetime.fromtimestamp(scan.occurred_ms / 1000, UTC)
        by_rule = scan.event_id in by_rate
        dimensions = (
            RATE_DIMENSIONS
            if by_rule
            else (scan.traffic_class, scan.category, scan.agent, scan.operator, scan.verification)
        )
        key = (
            r["organization_id"],
            r["brand_id"],
            normalize_gtin(r["gtin"]),
            scan.country,
            scan.device_class,
            scan.is_bot or by_rule,
            *dimensions,
        )
        counts[(at.date().isoformat(), *key)] += 1
        hourly[(at.replace(minute=0, second=0, microsecond=0).isoformat(), *key)] += 1
        where = place_of(r["client_ip"]) if r.get("client_ip") else None
        place = (
            (where.region_code or "", where.region_name or "", where.city or "") if where else ("", "", "")
        )
        places[(at.date().isoformat(), *key[:4], key[5], *place)] += 1
    rows = [dict(zip(ROW_KEY, key, strict=True)) | {"scans": n} for key, n in sorted(counts.items())]
    hourly_rows = [
        dict(zip(HOURLY_ROW_KEY, key, strict=True)) | {"scans": n} for key, n in sorted(hourly.items())
    ]
    place_rows = [
        dict(zip(PLACE_ROW_KEY, key, strict=True)) | {"scans": n} for key, n in sorted(places.items())
    ]
    return Truth(
        generated_at or datetime.now(UTC),
        seed,
        sent,
        len(distinct),
        resends,
        malformed,
        too_late,
        rows,
        hourly_rows,
        place_rows,
    )
