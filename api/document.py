"""The scans answer's JSON: the bytes Starlette's JSONResponse writes, encoded by msgspec."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi.responses import JSONResponse

_encoder = msgspec.json.Encoder()


class DocumentResponse(JSONResponse):
    """A JSONResponse whose body msgspec encodes, several times faster than the standard library.

    For what the answer holds (dicts with string keys, lists, strings, whole numbers, booleans,
    None) the bytes are the same as JSONResponse's (`json.dumps` with `ensure_ascii=False`,
    no spaces, UTF-8): strings escaped alike, non-ASCII written as it is. Only what the
    standard library refuses differs (NaN, dates), which `report` never puts in an answer.
    Parts the daily statement wrote as JSON text (`msgspec.Raw`, `report.document`) are written
    as they are.
    """

    def render(self, content: Any) -> bytes:
        return _encoder.encode(content)
