"""The id a fresh broker's storage is formatted with."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from scan_analytics.services.kafka import new_cluster_id


def test_an_id_that_would_read_as_an_option_is_drawn_again() -> None:
    leading_dash = uuid.UUID(bytes=b"\xf8" + bytes(15))  # base64 "-AAA..."
    plain = uuid.UUID(bytes=b"\x00" * 15 + b"\x01")
    draws: Iterator[uuid.UUID] = iter([leading_dash, plain])

    cluster_id = new_cluster_id(lambda: next(draws))

    assert cluster_id == "AAAAAAAAAAAAAAAAAAAAAQ"


def test_ids_are_22_url_safe_characters() -> None:
    cluster_id = new_cluster_id()

    assert len(cluster_id) == 22
    assert set(cluster_id) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
