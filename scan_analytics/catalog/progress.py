"""Progress bars on stderr: only on a terminal, not with --quiet, and only for work that takes a while."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import BinaryIO

from tqdm import tqdm

DELAY_SECONDS = 0.5  # small files finish before a bar would appear


def bar(description: str, total: int | None, unit: str, *, quiet: bool) -> tqdm:
    """Return a bar on stderr; disabled with `quiet`, or when stderr is not a terminal."""
    return tqdm(
        desc=description,
        total=total,
        unit=unit,
        unit_scale=True,
        file=sys.stderr,
        delay=DELAY_SECONDS,
        mininterval=0.2,
        leave=False,
        disable=True if quiet else None,
        dynamic_ncols=True,
    )


class CountingReader(io.RawIOBase):
    """A binary stream that reports how many bytes each read returned."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], object]) -> None:
        super().__init__()
        self._raw = raw
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n:
            self._on_read(n)
        return n


def counted(raw: BinaryIO, on_read: Callable[[int], object]) -> io.BufferedReader:
    """Return a buffered reader over `raw` that calls `on_read(n)` for every n bytes it reads."""
    return io.BufferedReader(CountingReader(raw, on_read), buffer_size=1 << 16)
