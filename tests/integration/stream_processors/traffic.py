"""A small traffic generator with its own ground truth, for the worker's failure tests and bench.

Truth is computed here from the generated events by brute force (the rate rule
evaluated on each IP's full event set), independently of the worker's code.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from scan_analytics.settings import Settings

# (User-Agent, device_class, is_bot by the User-Agent)
BROWSERS = [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.0 Mobile/15E148 Safari/604.1", "mobile", False),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Mobile Safari/537.36", "mobile", False),
    ("Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/16.0 Mobile/15E148 Safari/604.1", "tablet", False),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36", "desktop", False),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.0 Safari/605.1.15", "desktop", False),
]
BOTS = [
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
     "+https://openai.com/gptbot)", "bot", True),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot", True),
    ("curl/8.5.0", "bot", True),
    ("python-requests/2.32.3", "bot", True),
    (None, "other", True),
]
COUNTRY_NETS = {"US": "24.16", "DE": "46.80", "JP": "126.0", "BR": "177.0"}


def gtin14(body13: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body13)))
    return body13 + str((10 - total % 10) % 10)


@dataclass
class Traffic:
    """Generated records (in send order, with malformed payloads) and the expected summary rows."""

    records: list[dict[str, Any] | bytes] = field(default_factory=list)
    truth: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    valid_distinct: int = 0
    malformed: int = 0
    too_late: int = 0
    resends: int = 0


def generate(n: int, seed: int = 7, now: datetime | None = None,
             per_minute: int = 30, gtins_5min: int = 20) -> Traffic:
    """About n records: humans, declared bots, three scrapers, resends, late, too-late, malformed."""
    rnd = random.Random(seed)
    now = now or datetime.now(UTC)
    gtins = [gtin14(f"{400638133393 + i:013d}") for i in range(40)]
    brands = {g: (f"org-{i % 2}", f"brand-{i % 3}") for i, g in enumerate(gtins)}
    events: list[dict[str, Any]] = []
    ua_of: dict[str, tuple[str | None, str, bool]] = {}
    country_of: dict[str, str] = {}
    start = now - timedelta(days=2)

    def event(ip: str, at: datetime, gtin: str, ua: tuple[str | None, str, bool]) -> dict[str, Any]:
        org, brand = brands[gtin]
        e = {"event_id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
             "occurred_at": int(at.timestamp() * 1000), "gtin": gtin, "organization_id": org,
             "brand_id": brand, "digital_link": f"https://id.example.com/01/{gtin}",
             "link_type": rnd.choice([None, "gs1:pip"]), "client_ip": ip, "user_agent": ua[0],
             "referer": None, "accept_language": "en-US", "status_code": 307}
        ua_of[e["event_id"]] = ua
        return e

    def ip_for(country: str | None) -> str:
        if country is None:
            return f"45.0.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
        return f"{COUNTRY_NETS[country]}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"

    scrapers = max(3, n // 20_000)
    scraper_events = n // 10
    humans = n - scraper_events
    # human IPs: at most 8 events each, spread over two days: far below both thresholds
    while humans > 0:
        country = rnd.choice([*COUNTRY_NETS, None])
        ip = ip_for(country)
        country_of[ip] = country or "unknown"
        ua = rnd.choice(BROWSERS) if rnd.random() < 0.85 else rnd.choice(BOTS)
        k = min(humans, rnd.randint(1, 8))
        for _ in range(k):
            at = start + timedelta(seconds=rnd.uniform(0, 2 * 86_400 - 60))
            events.append(event(ip, at, rnd.choice(gtins), ua))
        humans -= k
    # scrapers: browser User-Agents, events in occurred_at order, 1-3 s apart, many GTINs
    per = scraper_events // scrapers
    for s in range(scrapers):
        country = list(COUNTRY_NETS)[s % len(COUNTRY_NETS)]
        ip = ip_for(country)
        country_of[ip] = country
        at = start + timedelta(hours=rnd.uniform(1, 40))
        ua = BROWSERS[s % len(BROWSERS)]
        slow = s % 3 == 2  # slow but wide: many GTINs, under 30 a minute
        for _ in range(per):
            at += timedelta(seconds=rnd.uniform(3, 6) if slow else rnd.uniform(0.5, 3))
            events.append(event(ip, min(at, now - timedelta(minutes=1)), rnd.choice(gtins), ua))
    for e in events:
        country_of.setdefault(e["client_ip"], "unknown")

    traffic = Traffic()
    traffic.valid_distinct = len(events)
    _truth(traffic, events, ua_of, country_of, per_minute, gtins_5min)
    # send order: humans shuffled with scrapers, each IP's events kept in time order
    order = sorted(range(len(events)), key=lambda i: rnd.random())
    by_ip: dict[str, list[dict[str, Any]]] = {}
    for i in order:
        by_ip.setdefault(events[i]["client_ip"], []).append(events[i])
    queues = {ip: sorted(v, key=lambda e: e["occurred_at"]) for ip, v in by_ip.items()}
    ips = [events[i]["client_ip"] for i in order]
    sent: list[dict[str, Any] | bytes] = [queues[ip].pop(0) for ip in ips]
    # resends: 3 % of events again, a little later in the stream
    for _ in range(len(events) * 3 // 100):
        i = rnd.randrange(len(sent))
        sent.insert(min(len(sent), i + rnd.randint(1, 2000)), sent[i])
        traffic.resends += 1
    # too late: eight days old; malformed: bad GTIN, bad IP, not Avro, unknown schema id
    for _ in range(max(5, n // 500)):
        e = event(ip_for("US"), now - timedelta(days=9), gtins[0], BROWSERS[0])
        sent.insert(rnd.randrange(len(sent)), e)
        traffic.too_late += 1
    bad: list[dict[str, Any] | bytes] = []
    for i in range(max(8, n // 250)):
        e = event(ip_for("US"), now - timedelta(hours=1), gtins[0], BROWSERS[0])
        kind = i % 4
        if kind == 0:
            e["gtin"] = e["gtin"][:-1] + str((int(e["gtin"][-1]) + 1) % 10)
            bad.append(e)
        elif kind == 1:
            e["client_ip"] = "999.1.2.3"
            bad.append(e)
        elif kind == 2:
            bad.append(b"not avro at all")
        else:
            bad.append(b"\x00\x00\x0f\x42\x3f" + b"junk")
    for b in bad:
        sent.insert(rnd.randrange(len(sent)), b)
    traffic.malformed = len(bad)
    traffic.records = sent
    return traffic


def _truth(traffic: Traffic, events: list[dict[str, Any]], ua_of: dict[str, Any],
           country_of: dict[str, str], per_minute: int, gtins_5min: int) -> None:
    by_ip: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        by_ip.setdefault(e["client_ip"], []).append(e)
    for ip_events in by_ip.values():
        ip_events.sort(key=lambda e: e["occurred_at"])
        for e in ip_events:
            _ua, device, is_bot = ua_of[e["event_id"]]
            if not is_bot:
                t = e["occurred_at"]
                minute = [x for x in ip_events if t - 60_000 < x["occurred_at"] <= t]
                five = {x["gtin"] for x in ip_events if t - 300_000 < x["occurred_at"] <= t}
                is_bot = len(minute) > per_minute or len(five) > gtins_5min
            day = datetime.fromtimestamp(e["occurred_at"] / 1000, UTC).date()
            traffic.truth[(day, e["organization_id"], e["brand_id"], e["gtin"],
                           country_of[e["client_ip"]], device, is_bot)] += 1


def produce(settings: Settings, records: list[dict[str, Any] | bytes]) -> None:
    """Send records to the raw topic (Avro via the registry; bytes as they are), key = GTIN."""
    registry = SchemaRegistryClient({"url": settings.schema_registry_url})
    schema = (settings.schemas_dir / "avro" / "scan_event.avsc").read_text()
    serializer = AvroSerializer(registry, schema, conf={"auto.register.schemas": True})
    ctx = SerializationContext(settings.topic_raw, MessageField.VALUE)
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "linger.ms": 20,
                         "enable.idempotence": True, "log_level": 0})
    for r in records:
        if isinstance(r, bytes):
            producer.produce(settings.topic_raw, value=r, key=b"garbage")
        else:
            producer.produce(settings.topic_raw, value=serializer(r, ctx), key=r["gtin"].encode())
        producer.poll(0)
        if len(producer) > 50_000:
            producer.flush()
    producer.flush()
