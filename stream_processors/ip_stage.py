"""Stage B: per client IP, deduplicate, detect rate bots, enrich.

State per (IP, 5-minute bucket of event time): the IP's events with their
verdicts, as `versioned` changes; the enriched record of each event the rate
rule can still flip is kept apart, written once. For each new event the stage emits its
enriched record and, for every already-emitted event the new one pushes over
a threshold, a reclassification (same event_id, is_bot true, reason rate).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from stream_processors.enrich import Classification
from stream_processors.rate import RateRule, affected_range
from stream_processors.records import as_rate_bot, enriched
from stream_processors.versioned import Session

BUCKET_MS: Final = 300_000

Kind = Literal["scan", "rate"]
BucketKey = tuple[str, int]  # (client IP, bucket start in epoch ms)


class BucketStore(Protocol):
    """Where bucket entries live (a faust table in the worker, a dict in tests)."""

    def load(self, key: BucketKey) -> list[list[Any]] | None: ...
    def save(self, key: BucketKey, entries: list[list[Any]]) -> None: ...


class RecordStore(Protocol):
    """Enriched records of human-looking events, by event id and event time."""

    def load(self, event_id: str, at_ms: int) -> dict[str, Any] | None: ...
    def save(self, event_id: str, at_ms: int, record: dict[str, Any]) -> None: ...


@dataclass(slots=True)
class Entry:
    """One distinct event of an IP, as the rate rule and reclassification need it."""

    event_id: str
    at_ms: int
    gtin: str
    eligible: bool  # a human by its User-Agent: the rate rule can flip it
    added: tuple[str, int]
    flipped: tuple[str, int] | None

    def dump(self) -> list[Any]:
        return [self.event_id, self.at_ms, self.gtin, self.eligible, *self.added,
                *(self.flipped or (None, None))]

    @classmethod
    def load(cls, raw: list[Any], session: Session) -> Entry | None:
        event_id, at_ms, gtin, eligible, add_s, add_o, flip_s, flip_o = raw
        if not session.valid(add_s, add_o):
            return None
        flipped = (flip_s, flip_o) if flip_s is not None and session.valid(flip_s, flip_o) else None
        return cls(event_id, at_ms, gtin, eligible, (add_s, add_o), flipped)


def _at(e: Entry) -> int:
    return e.at_ms


@dataclass(frozen=True, slots=True)
class Emission:
    kind: Kind
    record: dict[str, Any]


Enricher = Callable[[dict[str, Any]], tuple[Classification, str | None]]


class IpStage:
    """Stage B for one source partition in one session."""

    def __init__(self, rule: RateRule, session: Session, store: BucketStore, records: RecordStore,
                 enrich: Enricher) -> None:
        self.rule = rule
        self.session = session
        self.store = store
        self.records = records
        self.enrich = enrich
        self._quiet = min(rule.per_minute, rule.gtins_5min)
        self._buckets: dict[BucketKey, list[Entry]] = {}
        self._dirty: set[BucketKey] = set()

    def _bucket(self, key: BucketKey) -> list[Entry]:
        entries = self._buckets.get(key)
        if entries is None:
            raw = self.store.load(key) or []
            entries = [e for e in (Entry.load(r, self.session) for r in raw) if e is not None]
            entries.sort(key=_at)  # kept in time order, so neighbouring buckets concatenate sorted
            self._buckets[key] = entries
        return entries

    def process(self, event: dict[str, Any], offset: int) -> list[Emission]:
        """Process one valid scan event delivered at offset; return what to publish."""
        ip, at_ms, event_id = event["client_ip"], int(event["occurred_at"]), event["event_id"]
        start = at_ms - at_ms % BUCKET_MS
        home = self._bucket((ip, start))
        if any(e.event_id == event_id for e in home):
            return []  # a resend or an upstream replay of an event already counted
        cls, country = self.enrich(event)
        stamp = (self.session.id, offset)
        record = enriched(event, cls, country, rate_bot=False)
        new = Entry(event_id, at_ms, event["gtin"], not cls.is_bot, stamp, None)
        insort(home, new, key=_at)
        self._dirty.add((ip, start))
        events = [e for d in (-1, 0, 1) for e in self._bucket((ip, start + d * BUCKET_MS))]
        out: list[Emission] = []
        if len(events) <= self._quiet:  # too few events around for either threshold
            if new.eligible:
                self.records.save(event_id, at_ms, record)
            return [Emission("scan", record)]
        times = [e.at_ms for e in events]
        if not new.eligible:
            out.append(Emission("scan", record))
        elif self.rule.fires(at_ms, times, events):
            new.flipped = stamp
            out.append(Emission("scan", as_rate_bot(record)))
        else:
            self.records.save(event_id, at_ms, record)  # kept while the rule can still flip it
            out.append(Emission("scan", record))
        # Declared bots count too: any new event can push later ones over a threshold.
        for i in affected_range(times, at_ms):
            e = events[i]
            if e is new or not e.eligible or e.flipped is not None:
                continue
            if self.rule.fires(e.at_ms, times, events):
                earlier = self.records.load(e.event_id, e.at_ms)
                if earlier is None:
                    raise LookupError(f"no stored record for event {e.event_id}")
                e.flipped = stamp
                out.append(Emission("rate", as_rate_bot(earlier)))
                self._dirty.add((ip, e.at_ms - e.at_ms % BUCKET_MS))
        return out

    def dirty(self) -> list[tuple[BucketKey, list[list[Any]]]]:
        """Buckets changed since the last call, serialised; clears the dirty set."""
        out = [(k, [e.dump() for e in self._buckets[k]]) for k in self._dirty]
        self._dirty.clear()
        return out

    def forget(self, limit: int) -> None:
        """Drop cached clean buckets when the cache holds more than limit."""
        if len(self._buckets) > limit:
            for k in [k for k in self._buckets if k not in self._dirty]:
                del self._buckets[k]
