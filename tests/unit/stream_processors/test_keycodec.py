"""FastJson writes faust's json bytes: keys already stored and logged are found again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from faust.serializers import codecs
from faust.utils import json as faust_json

from stream_processors.keycodec import FastJson, use

KEYS: list[Any] = [
    ("0f3a9c1e5b7d2a4c6e8f0a1b", (1_790_000_100.0, 1_790_000_399.9)),  # a rate bucket
    ("evt-1", (1_789_948_800.0, 1_790_035_199.9)),  # a record
    (
        (3, "org-01", "brand", "04000000000011", "US", "mobile", True, "human", "", "", "", ""),
        (1_789_948_800.0, 1_790_035_199.9),
    ),  # a daily count
    "plain",
    17,
    2.5,
    None,
    [1, "é\x00\ud800 \u2028", {"a": [True, False]}],
    float("inf"),
]


@pytest.mark.parametrize("key", KEYS, ids=range(len(KEYS)))
def test_bytes_are_faust_bytes(key: Any) -> None:
    assert FastJson().dumps(key) == faust_json.dumps(key).encode()


@pytest.mark.parametrize(
    "value", [datetime(2026, 12, 1, 9, 30, 0, 12, tzinfo=UTC), Decimal("1.25"), uuid.UUID(int=7)]
)
def test_other_types_go_to_faust_codec(value: Any) -> None:
    assert FastJson().dumps(("k", value)) == faust_json.dumps(("k", value)).encode()


def test_use_registers_it_under_json() -> None:
    before = codecs.codecs["json"]
    try:
        use()
        assert isinstance(codecs.get_codec("json"), FastJson)
        assert codecs.get_codec("json").loads(codecs.get_codec("json").dumps(KEYS[0])) == [
            KEYS[0][0],
            list(KEYS[0][1]),
        ]
    finally:
        codecs.register("json", before)
