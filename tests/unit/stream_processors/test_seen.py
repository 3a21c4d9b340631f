"""The filter of stored buckets: never a false "no", rarely a false "perhaps"."""

from __future__ import annotations

import uuid

from stream_processors.seen import Seen


def test_every_key_added_is_found() -> None:
    keys = [uuid.uuid4().hex[:32] for _ in range(50_000)]
    seen = Seen(keys[:25_000])
    for key in keys[25_000:]:
        seen.add(key)
    assert all(key in seen for key in keys)


def test_keys_never_added_are_rarely_found() -> None:
    seen = Seen(uuid.uuid4().hex[:32] for _ in range(200_000))
    others = [uuid.uuid4().hex[:32] for _ in range(100_000)]
    false = sum(key in seen for key in others)
    assert false < 1_000  # expected about 0.06 % (two bits per key in 2**24)
    assert "" not in Seen()


def test_bucket_keys_are_told_apart_by_their_start() -> None:
    seen = Seen([("ip-a", 600_000)])
    assert ("ip-a", 600_000) in seen
    assert sum(("ip-a", start) in seen for start in range(0, 3_000_000_000, 300_000)) < 100
