"""The scans answer encoded by msgspec: the bytes Starlette's JSONResponse would write."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from hypothesis import given
from hypothesis import strategies as st

from api.document import DocumentResponse

# what report.build_report puts in an answer: string keys; strings, whole numbers, booleans, null
scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text()
documents = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5)
)


def both(content: Any) -> tuple[bytes, bytes]:
    return DocumentResponse(content).body, JSONResponse(content).body


@given(documents)
def test_the_bytes_are_jsonresponses(content: Any) -> None:
    ours, starlettes = both(content)
    assert ours == starlettes


def test_every_character_is_written_alike() -> None:
    text = "".join(chr(c) for c in range(0x20000) if not 0xD800 <= c <= 0xDFFF)
    ours, starlettes = both({text: [text]})
    assert ours == starlettes


def test_an_answer() -> None:
    answer = {
        "organization_id": "org-1",
        "window": {"since": "2026-03-18", "until": "2026-04-17", "tz": "Europe/Zürich"},
        "total_scans": 14823,
        "top_products": [
            {"gtin": "00012345678905", "product_name": 'Acme "Citric" \\ Acid\n', "brand": None}
        ],
        "top_agents": [{"name": None, "category": "high_rate", "scans": 122}],
        "by_country": {"US": 12410, "unknown": 3},
        "by_region": None,
        "by_day": [{"date": "2026-03-18", "scans": 498}],
    }
    ours, starlettes = both(answer)
    assert ours == starlettes
    response = DocumentResponse(answer, headers={"RateLimit": '"user";r=1;t=1'})
    assert (
        response.headers.items()
        == JSONResponse(answer, headers={"RateLimit": '"user";r=1;t=1'}).headers.items()
    )
