"""Stored windows past their horizon are picked for deletion, with keys as the tables wrote them."""

from __future__ import annotations

from stream_processors.expiry import expired


def test_windows_that_ended_at_or_before_the_cutoff_are_expired() -> None:
    items = [
        (["a", [0.0, 299.999]], b"1"),
        ([[3, "org", "brand", False], [86_400.0, 172_799.999]], b"2"),
        (["b", [300.0, 599.999]], b"3"),
        ("__faust\x00offset__", b"9"),  # faust's own bookkeeping key
    ]
    assert expired(items, 300.0) == [("a", (0.0, 299.999))]
    assert expired(items, 172_800.0) == [
        ("a", (0.0, 299.999)),
        ((3, "org", "brand", False), (86_400.0, 172_799.999)),
        ("b", (300.0, 599.999)),
    ]
    assert expired(items, 0.0) == []
