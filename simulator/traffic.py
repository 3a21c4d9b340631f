"""Plan a stream of simulated resolver traffic with its labels; deterministic per seed and range lists."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from schemas.validation import to_millis
from simulator import useragents
from simulator.addresses import AddressBook, RangeList, accept_language, geo_country, load_ranges
from simulator.catalog import Catalog, Product, zipf_weights

MINUTE_MS = 60_000
OLD_TIMESTAMP = to_millis(datetime(1990, 5, 1, tzinfo=UTC))
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


class Kind(StrEnum):
    HUMAN = "human"
    SCRAPER = "scraper"
    AI_AGENT = "ai_agent"
    CRAWLER = "crawler"
    AUTOMATION = "automation"
    SPOOFED = "spoofed_agent"  # claims an agent whose operator publishes ranges, from outside them
    MISSING_UA = "missing_user_agent"
    TOO_LATE = "too_late"


class MalformedKind(StrEnum):
    GARBAGE = "garbage"  # bytes without the Confluent magic byte
    JSON = "json"  # a scan as JSON text
    TRUNCATED = "truncated_avro"  # framed, but the Avro body is cut short
    BAD_GTIN = "bad_gtin"  # well-formed Avro, wrong check digit
    BAD_IP = "bad_ip"  # well-formed Avro, not an address
    BAD_TIMESTAMP = "bad_timestamp"  # well-formed Avro, occurred in 1990

    @property
    def is_avro(self) -> bool:
        return self in (MalformedKind.BAD_GTIN, MalformedKind.BAD_IP, MalformedKind.BAD_TIMESTAMP)


@dataclass(frozen=True, slots=True)
class Shares:
    """Fractions of the traffic; the rest of the original scans are people with browsers."""

    malformed: float = 0.005
    resend: float = 0.02
    too_late: float = 0.01
    scraper: float = 0.05
    ai_agent: float = 0.04
    crawler: float = 0.04
    automation: float = 0.03
    spoofed: float = 0.01  # claims of agents with a shipped range list, from ordinary addresses
    missing_user_agent: float = 0.01
    late: float = 0.05  # of people's scans: sent 1 to 36 hours after they occurred

    def __post_init__(self) -> None:
        for name in self.__slots__:
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"share {name} must be within [0, 1], got {value}")
        used = self.malformed + self.resend
        used += (1 - used) * (
            self.too_late
            + self.scraper
            + self.ai_agent
            + self.crawler
            + self.automation
            + self.spoofed
            + self.missing_user_agent
        )
        if used > 1:
            raise ValueError("the traffic shares add up to more than 1")


@dataclass(frozen=True, slots=True)
class Scan:
    """A well-formed scan to publish, labelled as a correct pipeline would before the rate rule.

    The last five labels are the agent dimensions of scan_daily_summary (docs/agents.md):
    people are ("human", "", "", "", ""); declared agents carry their category, the catalog
    name ("other" when the catalog does not list them), operator and verification.
    """

    record: dict[str, Any]  # ScanEvent fields; gtin as printed on the pack, occurred_at epoch ms
    kind: Kind
    country: str
    device_class: str
    is_bot: bool
    resend: bool = False
    traffic_class: str = "human"
    category: str = ""
    agent: str = ""
    operator: str = ""
    verification: str = ""

    @property
    def event_id(self) -> str:
        return str(self.record["event_id"])

    @property
    def occurred_ms(self) -> int:
        return int(self.record["occurred_at"])


@dataclass(frozen=True, slots=True)
class Malformed:
    """A message the pipeline must set aside: raw bytes, or an invalid record to encode as Avro."""

    kind: MalformedKind
    key: str
    payload: bytes = b""
    record: dict[str, Any] | None = None


Message = Scan | Malformed


@dataclass(slots=True)
class _Item:
    send_ms: int
    message: Message


class TrafficPlanner:
    """Plan messages for a time window; reuse one planner to keep event ids and addresses distinct."""

    def __init__(
        self,
        catalog: Catalog,
        seed: int,
        shares: Shares | None = None,
        ranges: Mapping[str, RangeList] | None = None,
    ) -> None:
        """ranges: the operators' IP-range lists by name; None reads the shipped ones."""
        self.catalog = catalog
        self.shares = shares or Shares()
        self.rng = random.Random(seed)
        self.addresses = AddressBook(self.rng)
        self.ranges = dict(load_ranges() if ranges is None else ranges)
        # Agents a published list verifies: always from inside it, and the ones spoofers claim.
        self.spoofable = tuple(d for d in useragents.DECLARED if d.listed and d.ranges in self.ranges)
        weights = zipf_weights(len(catalog.products))
        ranked = list(catalog.products)
        self.rng.shuffle(ranked)  # which products are popular depends on the seed
        self._products = ranked
        self._weights = weights

    def forget_addresses(self) -> None:
        """Allow addresses of earlier plans to be drawn again (long-running streams)."""
        self.addresses.forget()

    def plan(
        self, events: int, start_ms: int, end_ms: int, now_ms: int, late_horizon_days: int
    ) -> list[Message]:
        """Return `events` messages with occurred_at in [start_ms, end_ms], in send order."""
        if events < 0 or end_ms < start_ms:
            raise ValueError("events must be >= 0 and the window must not be empty")
        s = self.shares
        n_malformed = round(events * s.malformed)
        n_resend = round(events * s.resend)
        n_original = events - n_malformed - n_resend
        counts = {
            kind: round(n_original * share)
            for kind, share in (
                (Kind.TOO_LATE, s.too_late),
                (Kind.SCRAPER, s.scraper),
                (Kind.AI_AGENT, s.ai_agent),
                (Kind.CRAWLER, s.crawler),
                (Kind.AUTOMATION, s.automation),
                (Kind.SPOOFED, s.spoofed if self.spoofable else 0.0),
                (Kind.MISSING_UA, s.missing_user_agent),
            )
        }
        counts[Kind.HUMAN] = n_original - sum(counts.values())
        # Late scans never reach back further than a day inside the lateness horizon.
        earliest_ms = now_ms - (late_horizon_days - 1) * DAY_MS
        items: list[_Item] = []
        items += self._humans(counts[Kind.HUMAN], start_ms, end_ms, earliest_ms)
        items += self._scrapers(counts[Kind.SCRAPER], start_ms, end_ms)
        items += self._declared(Kind.AI_AGENT, counts[Kind.AI_AGENT], start_ms, end_ms)
        items += self._declared(Kind.CRAWLER, counts[Kind.CRAWLER], start_ms, end_ms)
        items += self._declared(Kind.AUTOMATION, counts[Kind.AUTOMATION], start_ms, end_ms)
        items += self._spoofed(counts[Kind.SPOOFED], start_ms, end_ms)
        items += self._missing(counts[Kind.MISSING_UA], start_ms, end_ms)
        items += self._too_late(counts[Kind.TOO_LATE], start_ms, end_ms, now_ms, late_horizon_days)
        items += self._resends(n_resend, items)
        items += self._malformed(n_malformed, start_ms, end_ms)
        items.sort(key=lambda item: item.send_ms)  # stable: ties keep their planned order
        return [item.message for item in items]

    # -- the parts ---------------------------------------------------------

    def _product(self) -> Product:
        return self.rng.choices(self._products, self._weights)[0]

    def _record(
        self, product: Product, occurred_ms: int, ip: str, user_agent: str | None, country: str
    ) -> dict[str, Any]:
        rng = self.rng
        link_type = rng.choices([None, "gs1:pip", "gs1:certificationInfo", "gs1:recipeInfo"], [6, 2, 1, 1])[0]
        return {
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "occurred_at": occurred_ms,
            "gtin": product.gtin,
            "organization_id": product.organization_id,
            "brand_id": product.brand_id,
            "digital_link": f"https://id.{product.organization_id}.example/01/{product.gtin14}"
            + (f"?linkType={link_type}" if link_type else ""),
            "link_type": link_type,
            "client_ip": ip,
            "user_agent": user_agent,
            "referer": rng.choice([None, None, None, "https://www.google.com/", "https://l.instagram.com/"]),
            "accept_language": accept_language(country) if rng.random() < 0.9 else None,
            "status_code": rng.choices([307, 200, 404, 410], [90, 7, 2, 1])[0],
        }

    def _humans(self, n: int, start_ms: int, end_ms: int, earliest_ms: int) -> list[_Item]:
        rng, items = self.rng, list[_Item]()
        classes = list(useragents.BROWSERS)
        while len(items) < n:
            # One visitor: a few scans from one address and browser, far below any rate threshold.
            ip, country = self.addresses.draw()
            device_class = rng.choices(classes, [70, 8, 19, 3])[0]
            user_agent = rng.choice(useragents.BROWSERS[device_class])
            for _ in range(min(rng.randint(1, 5), n - len(items))):
                send_ms = rng.randint(start_ms, end_ms)
                occurred_ms = send_ms
                if rng.random() < self.shares.late:
                    occurred_ms = max(send_ms - rng.randint(HOUR_MS, 36 * HOUR_MS), earliest_ms)
                record = self._record(self._product(), occurred_ms, ip, user_agent, country)
                items.append(_Item(send_ms, Scan(record, Kind.HUMAN, country, device_class, False)))
        return items

    def _scrapers(self, n: int, start_ms: int, end_ms: int) -> list[_Item]:
        rng, items = self.rng, list[_Item]()
        while len(items) < n:
            # One scraper: a desktop browser on one address, many GTINs, about one a second.
            ip, country = self.addresses.draw()
            size = min(rng.randint(40, 90), n - len(items))
            steps = [rng.randint(300, 1500) for _ in range(size)]
            latest = end_ms - sum(steps)
            t = rng.randint(start_ms, latest) if latest > start_ms else start_ms
            for step in steps:
                product = rng.choice(self._products)
                record = self._record(product, t, ip, useragents.SCRAPER_USER_AGENT, country)
                items.append(_Item(t, Scan(record, Kind.SCRAPER, country, "desktop", False)))
                t += step
        return items

    def _declared(self, kind: Kind, n: int, start_ms: int, end_ms: int) -> list[_Item]:
        rng = self.rng
        table = {
            Kind.AI_AGENT: useragents.AI_DECLARED,
            Kind.CRAWLER: useragents.CRAWLER_DECLARED,
            Kind.AUTOMATION: useragents.AUTOMATION_DECLARED,
        }[kind]
        categories = list(dict.fromkeys(d.category for d in table))
        rng.shuffle(categories)
        clients: list[tuple[str, str, useragents.Declared, str]] = []
        for i in range(max(1, n // 15)):
            # Clients take the categories in turn, so that a few dozen scans cover them all.
            category = categories[i % len(categories)]
            agent = rng.choice([d for d in table if d.category == category])
            ranges = self.ranges.get(agent.ranges) if agent.listed and agent.ranges else None
            if ranges is not None:
                ip = ranges.draw(rng)
                clients.append((ip, geo_country(ip), agent, "verified"))
            else:
                ip, country = self.addresses.draw()
                clients.append((ip, country, agent, "unverified"))
        items = []
        for _ in range(n):
            ip, country, agent, verification = rng.choice(clients)
            t = rng.randint(start_ms, end_ms)
            record = self._record(self._product(), t, ip, agent.user_agent, country)
            scan = Scan(
                record,
                kind,
                country,
                "bot",
                True,
                traffic_class=agent.traffic_class,
                category=agent.category,
                agent=agent.agent,
                operator=agent.operator if agent.listed else "",
                verification=verification,
            )
            items.append(_Item(t, scan))
        return items

    def _spoofed(self, n: int, start_ms: int, end_ms: int) -> list[_Item]:
        rng = self.rng
        if not n or not self.spoofable:
            return []
        clients: list[tuple[str, str, useragents.Declared]] = []
        for _ in range(max(1, n // 10)):
            # An ordinary address (never inside any published list) claiming a verifiable agent.
            agent = rng.choice(self.spoofable)
            ip, country = self.addresses.draw(avoid=self.ranges.values())
            clients.append((ip, country, agent))
        items = []
        for _ in range(n):
            ip, country, agent = rng.choice(clients)
            t = rng.randint(start_ms, end_ms)
            record = self._record(self._product(), t, ip, agent.user_agent, country)
            scan = Scan(
                record,
                Kind.SPOOFED,
                country,
                "bot",
                True,
                traffic_class="bot",
                category="unknown_bot",
                agent=agent.name,
                operator=agent.operator,
                verification="spoofed",
            )
            items.append(_Item(t, scan))
        return items

    def _missing(self, n: int, start_ms: int, end_ms: int) -> list[_Item]:
        rng = self.rng
        clients = [(*self.addresses.draw(), rng.choice(useragents.MISSING)) for _ in range(max(1, n // 25))]
        items = []
        for _ in range(n):
            ip, country, agent = rng.choice(clients)
            t = rng.randint(start_ms, end_ms)
            record = self._record(self._product(), t, ip, agent, country)
            scan = Scan(
                record, Kind.MISSING_UA, country, "other", True, traffic_class="bot", category="unknown_bot"
            )
            items.append(_Item(t, scan))
        return items

    def _too_late(
        self, n: int, start_ms: int, end_ms: int, now_ms: int, late_horizon_days: int
    ) -> list[_Item]:
        rng, items = self.rng, list[_Item]()
        for _ in range(n):
            ip, country = self.addresses.draw()
            device_class = rng.choice(["mobile", "desktop"])
            occurred_ms = now_ms - (late_horizon_days + 1) * DAY_MS - rng.randint(0, 3 * DAY_MS)
            record = self._record(
                self._product(), occurred_ms, ip, rng.choice(useragents.BROWSERS[device_class]), country
            )
            items.append(
                _Item(
                    rng.randint(start_ms, end_ms), Scan(record, Kind.TOO_LATE, country, device_class, False)
                )
            )
        return items

    def _resends(self, n: int, items: list[_Item]) -> list[_Item]:
        # Scrapers stay strictly in occurred_at order and too-late scans stay single.
        candidates = [
            i
            for i in items
            if isinstance(i.message, Scan) and i.message.kind not in (Kind.SCRAPER, Kind.TOO_LATE)
        ]
        if not candidates:
            return []
        out = []
        for _ in range(n):
            original = self.rng.choice(candidates)
            assert isinstance(original.message, Scan)
            again = replace(original.message, record=dict(original.message.record), resend=True)
            out.append(_Item(original.send_ms + self.rng.randint(1_000, 10 * MINUTE_MS), again))
        return out

    def _malformed(self, n: int, start_ms: int, end_ms: int) -> list[_Item]:
        rng, items = self.rng, list[_Item]()
        kinds = list(MalformedKind)
        for i in range(n):
            kind = kinds[i % len(kinds)]
            product = self._product()
            t = rng.randint(start_ms, end_ms)
            ip, country = self.addresses.draw()
            record = self._record(product, t, ip, rng.choice(useragents.BROWSERS["mobile"]), country)
            record["gtin"] = product.gtin14
            message: Malformed
            if kind is MalformedKind.GARBAGE:
                message = Malformed(kind, product.gtin14, b"\xff\xfe" + rng.randbytes(rng.randint(0, 40)))
            elif kind is MalformedKind.JSON:
                payload = json.dumps({**record, "occurred_at": t}).encode()
                message = Malformed(kind, product.gtin14, payload)
            elif kind is MalformedKind.TRUNCATED:
                message = Malformed(kind, product.gtin14, record=record)
            elif kind is MalformedKind.BAD_GTIN:
                wrong = product.gtin14[:-1] + str((int(product.gtin14[-1]) + 1) % 10)
                message = Malformed(kind, wrong, record={**record, "gtin": wrong})
            elif kind is MalformedKind.BAD_IP:
                message = Malformed(kind, product.gtin14, record={**record, "client_ip": "999.12.0.1"})
            else:
                message = Malformed(kind, product.gtin14, record={**record, "occurred_at": OLD_TIMESTAMP})
            items.append(_Item(t, message))
        return items
