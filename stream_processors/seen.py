"""A set of keys that may answer "perhaps" for one never added, in a fixed 2 MiB.

The rate stage looks up three buckets (an IP key's 5-minute bucket and both neighbours) for
every scan; most of them do not exist (an IP new to the worker, or quiet in the minutes
around), and each was a miss in the store. `Seen` remembers which buckets may be stored (a
Bloom filter: two bits per key in 2**24), so those misses are answered without the store.
A key added is always found; a key never added is found by mistake with a probability of
about (1 - e**(-2n/2**24))**2 for n keys added (under 0.3 % up to 400,000 buckets, 1.3 % at
a million), and then the store answers as before. It is rebuilt from the store's keys when
old buckets are deleted, so keys of deleted buckets do not pile up.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

BITS = 1 << 24  # 2 MiB
_MASK = BITS - 1


class Seen:
    """Keys added in this process; `hash()` of a string is per process, so it is never stored."""

    __slots__ = ("_bits",)

    def __init__(self, keys: Iterable[Hashable] = ()) -> None:
        self._bits = bytearray(BITS >> 3)
        for key in keys:
            self.add(key)

    def add(self, key: Hashable) -> None:
        h = hash(key)
        a, b = h & _MASK, (h >> 32) & _MASK
        bits = self._bits
        bits[a >> 3] |= 1 << (a & 7)
        bits[b >> 3] |= 1 << (b & 7)

    def __contains__(self, key: Hashable) -> bool:
        h = hash(key)
        a, b = h & _MASK, (h >> 32) & _MASK
        bits = self._bits
        return bool(bits[a >> 3] & (1 << (a & 7))) and bool(bits[b >> 3] & (1 << (b & 7)))
