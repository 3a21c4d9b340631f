"""The filter of IP keys with stored buckets: never a false "no", rarely a false "perhaps"."""

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
    assert false < 1_000  # expected about 0.2 % (two bits per key in 2**23)
    assert "" not in Seen()
