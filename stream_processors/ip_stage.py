"""Per client IP key: deduplicate, detect rate bots, saturate flooded buckets.

State per (IP key, 5-minute bucket of event time): the first `cap` distinct events
with their verdicts, as `versioned` changes, and the count of distinct events
beyond the cap. A bucket with more than `cap` distinct events is *saturated*:
every event of it and of the next bucket is a rate bot, and its further events
are remembered by event id only (one small record each), so per-event cost and
record sizes stay flat whatever one IP sends. The enriched record of each
human-looking stored event is kept apart, to publish its reclassification.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

from stream_processors import versioned
from stream_processors.rate import RateRule, affected_range
from stream_processors.records import as_rate_bot
from stream_processors.versioned import History, Session

BUCKET_MS: Final = 300_000

Kind = Literal["scan", "rate"]
BucketKey = tuple[str, int]  # (IP key, bucket start in epoch ms)


class BucketStore(Protocol):
    """Where buckets live (a faust table in the worker, a dict in tests)."""

    def load(self, key: BucketKey) -> list[Any] | None: ...
    def save(self, key: BucketKey, value: list[Any]) -> None: ...


class RecordStore(Protocol):
    """Enriched records of human-looking events, and markers of events beyond a cap, by event id."""

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
        return [
            self.event_id,
            self.at_ms,
            self.gtin,
            self.eligible,
            *self.added,
            *(self.flipped or (None, None)),
        ]

    @classmethod
    def load(cls, raw: list[Any], session: Session) -> Entry | None:
        event_id, at_ms, gtin, eligible, add_s, add_o, flip_s, flip_o = raw
        if not session.valid(add_s, add_o):
            return None
        flipped = (flip_s, flip_o) if flip_s is not None and session.valid(flip_s, flip_o) else None
        return cls(event_id, at_ms, gtin, eligible, (add_s, add_o), flipped)


def _at(e: Entry) -> int:
    return e.at_ms


@dataclass(slots=True)
class Bucket:
    """The stored events of one (IP key, bucket) and the count of distinct events beyond the cap."""

    entries: list[Entry]
    extra: History  # versioned count of distinct events beyond the cap
    extra_now: int
    ids: set[str] = field(default_factory=set)
    last_offset: int = -1


@dataclass(frozen=True, slots=True)
class Emission:
    kind: Kind
    record: dict[str, Any]


def _marker(stamp: tuple[str, int]) -> dict[str, Any]:
    return {"s": stamp[0], "o": stamp[1]}


class IpStage:
    """The rate stage for one partition of the internal topic in one session."""

    def __init__(
        self, rule: RateRule, session: Session, store: BucketStore, records: RecordStore, cap: int
    ) -> None:
        self.rule = rule
        self.session = session
        self.store = store
        self.records = records
        self.cap = cap
        self._quiet = min(rule.per_minute, rule.gtins_5min)
        self._buckets: dict[BucketKey, Bucket] = {}
        self._dirty: set[BucketKey] = set()

    def _bucket(self, key: BucketKey) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            raw = self.store.load(key) or [[], []]
            entries = [e for e in (Entry.load(r, self.session) for r in raw[0]) if e is not None]
            entries.sort(key=_at)  # kept in time order, so neighbouring buckets concatenate sorted
            extra = raw[1]
            bucket = Bucket(
                entries, extra, int(versioned.current(extra, self.session, 0)), {e.event_id for e in entries}
            )
            self._buckets[key] = bucket
        return bucket

    def saturated(self, key: BucketKey) -> bool:
        return self._bucket(key).extra_now > 0

    def process(self, ip: str, record: dict[str, Any], offset: int) -> list[Emission]:
        """Process one scan (enriched, human by rate) delivered at offset; return what to publish."""
        at_ms, event_id = int(record["occurred_at"]), record["event_id"]
        start = at_ms - at_ms % BUCKET_MS
        key = (ip, start)
        home = self._bucket(key)
        if event_id in home.ids:
            return []  # a resend or an upstream replay of an event already counted
        stamp = (self.session.id, offset)
        eligible = not record["is_bot"]
        if home.extra_now or len(home.entries) >= self.cap:
            return self._beyond_cap(key, home, record, stamp)
        new = Entry(event_id, at_ms, record["gtin"], eligible, stamp, None)
        insort(home.entries, new, key=_at)
        home.ids.add(event_id)
        self._dirty.add(key)
        events = [e for d in (-1, 0, 1) for e in self._bucket((ip, start + d * BUCKET_MS)).entries]
        after_flood = self.saturated((ip, start - BUCKET_MS))
        if len(events) <= self._quiet and not after_flood:  # too few events around for either threshold
            if eligible:
                self.records.save(event_id, at_ms, record)
            return [Emission("scan", record)]
        times = [e.at_ms for e in events]
        out: list[Emission] = []
        if not eligible:
            out.append(Emission("scan", record))
        elif after_flood or self.rule.fires(at_ms, times, events):
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
                out.append(self._flip(ip, e, stamp))
        return out

    def _flip(self, ip: str, e: Entry, stamp: tuple[str, int]) -> Emission:
        earlier = self.records.load(e.event_id, e.at_ms)
        if earlier is None or "event_id" not in earlier:
            raise LookupError(f"no stored record for event {e.event_id}")
        e.flipped = stamp
        self._dirty.add((ip, e.at_ms - e.at_ms % BUCKET_MS))
        return Emission("rate", as_rate_bot(earlier))

    def _beyond_cap(
        self, key: BucketKey, home: Bucket, record: dict[str, Any], stamp: tuple[str, int]
    ) -> list[Emission]:
        event_id, at_ms = record["event_id"], int(record["occurred_at"])
        marker = self.records.load(event_id, at_ms)
        if marker is not None and self.session.valid(marker.get("s", ""), marker.get("o", -1)):
            return []
        self.records.save(event_id, at_ms, _marker(stamp))
        out = [Emission("scan", as_rate_bot(record) if not record["is_bot"] else record)]
        if not home.extra_now:  # the bucket saturates: its events and the next bucket's are bots
            ip, start = key
            for k in (key, (ip, start + BUCKET_MS)):
                for e in self._bucket(k).entries:
                    if e.eligible and e.flipped is None:
                        out.append(self._flip(ip, e, stamp))
        home.extra_now += 1
        home.last_offset = stamp[1]
        self._dirty.add(key)
        return out

    def dirty(self, committed: int | None) -> list[tuple[BucketKey, list[Any]]]:
        """Buckets changed since the last call, serialised; clears the dirty set."""
        out = []
        for k in self._dirty:
            b = self._buckets[k]
            if b.last_offset >= 0:
                b.extra = versioned.record(b.extra, self.session, b.last_offset, b.extra_now, committed)
                b.last_offset = -1
            out.append((k, [[e.dump() for e in b.entries], b.extra]))
        self._dirty.clear()
        return out

    def forget(self, limit: int) -> None:
        """Drop cached clean buckets when the cache holds more than limit."""
        if len(self._buckets) > limit:
            for k in [k for k in self._buckets if k not in self._dirty]:
                del self._buckets[k]
