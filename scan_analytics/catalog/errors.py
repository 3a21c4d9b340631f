"""Exceptions of the catalog package, and the bounded log of a file's bad lines."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

from scan_analytics.errors import ScanAnalyticsError

SHOWN_ERRORS = 20


class CatalogError(ScanAnalyticsError):
    """Root of every error raised by the catalog package; nothing was written."""


@dataclass(frozen=True, slots=True)
class LineError:
    """One problem in an input file: the line it starts on, the field (if one is to blame), why."""

    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field {self.field}" if self.field else "")
        return f"{where}: {self.message}"


class ErrorLog:
    """Count every error; keep the `keep` with the lowest line numbers, in the order they came."""

    def __init__(self, keep: int = SHOWN_ERRORS) -> None:
        self.keep = keep
        self.total = 0
        self._heap: list[tuple[int, int, LineError]] = []  # max-heap by (line, arrival) via negation
        self._arrival = itertools.count()

    def add(self, error: LineError) -> None:
        self.total += 1
        entry = (-error.line, -next(self._arrival), error)
        if len(self._heap) < self.keep:
            heapq.heappush(self._heap, entry)
        elif entry > self._heap[0]:
            heapq.heapreplace(self._heap, entry)

    def first(self) -> list[LineError]:
        """Return the kept errors, by line then arrival."""
        return [e for _, _, e in sorted(self._heap, reverse=True)]

    def __bool__(self) -> bool:
        return self.total > 0


class CatalogFileError(CatalogError):
    """The input has bad lines; the message lists the first ones. Nothing was written."""

    def __init__(self, source: str, log: ErrorLog) -> None:
        self.source = source
        self.errors = log.first()
        self.total = log.total
        noun = "error" if log.total == 1 else "errors"
        lines = [f"{source}: {log.total} {noun}, nothing written"]
        lines += [f"  {e}" for e in self.errors]
        if log.total > len(self.errors):
            lines.append(f"  ... and {log.total - len(self.errors)} more")
        super().__init__("\n".join(lines))


class CatalogDatabaseError(CatalogError):
    """The database could not be reached or refused the change; the transaction was rolled back."""
