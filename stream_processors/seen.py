"""A set of strings that may answer "perhaps" for one never added, in a fixed megabyte.

The rate stage looks up three buckets (an IP key's 5-minute bucket and both neighbours) for
every scan, and for an IP it has not seen before each is a miss in the store: most scans of
ordinary traffic come from IPs new to the worker. `Seen` remembers which IP keys may have
buckets stored (a Bloom filter: two bits per key in 2**23), so those misses are answered
without the store. A key added is always found; a key never added is found by mistake with
a probability of about (1 - e**(-2n/2**23))**2 for n keys added (under 1 % up to 400,000
keys, 4.5 % at a million), and then the store answers as before. It is rebuilt from the
store's keys when old buckets are deleted, so keys of deleted buckets do not pile up.
"""

from __future__ import annotations

from collections.abc import Iterable

BITS = 1 << 23  # 1 MiB
_MASK = BITS - 1


class Seen:
    """Strings added in this process; `hash()` is per process, so it is never stored."""

    __slots__ = ("_bits",)

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._bits = bytearray(BITS >> 3)
        for key in keys:
            self.add(key)

    def add(self, key: str) -> None:
        h = hash(key)
        a, b = h & _MASK, (h >> 32) & _MASK
        bits = self._bits
        bits[a >> 3] |= 1 << (a & 7)
        bits[b >> 3] |= 1 << (b & 7)

    def __contains__(self, key: str) -> bool:
        h = hash(key)
        a, b = h & _MASK, (h >> 32) & _MASK
        bits = self._bits
        return bool(bits[a >> 3] & (1 << (a & 7))) and bool(bits[b >> 3] & (1 << (b & 7)))
