"""An append-only file of scans the broker did not acknowledge, to send them again later.

One JSON object per line: event_id, key and value (base64 of the exact bytes
that were queued), the delivery error and when it was written. Replaying moves
the file aside first (`<name>.replay`), so scans that fail again are appended
to a fresh spool while the replay runs, and a replay cut short by a crash is
picked up by the next one. Scans keep their event ids: the pipeline counts a
scan once even if an earlier attempt reached the broker after all.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SpooledScan:
    event_id: str
    key: bytes | None
    value: bytes
    error: str = ""


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


class Spool:
    """Appends failed scans to `path`; thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.replay_path = path.with_name(path.name + ".replay")
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def append(self, scan: SpooledScan) -> None:
        line = json.dumps(
            {
                "event_id": scan.event_id,
                "key": _b64(scan.key),
                "value": _b64(scan.value),
                "error": scan.error,
                "spooled_at": round(time.time(), 3),
            },
            separators=(",", ":"),
        )
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())

    def take(self) -> Iterator[SpooledScan]:
        """Yield every spooled scan, the replay file left by an earlier run first.

        The spool is moved to the replay file before reading; call `done()` once
        the replayed scans are delivered.
        """
        with self._lock:
            if self.path.exists():
                if self.replay_path.exists():  # an earlier replay was cut short: keep both
                    with self.replay_path.open("a", encoding="utf-8") as out:
                        out.write(self.path.read_text(encoding="utf-8"))
                    self.path.unlink()
                else:
                    self.path.rename(self.replay_path)
        if not self.replay_path.exists():
            return
        with self.replay_path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                key = entry["key"]
                yield SpooledScan(
                    entry["event_id"],
                    None if key is None else base64.b64decode(key),
                    base64.b64decode(entry["value"]),
                    entry.get("error", ""),
                )

    def done(self) -> None:
        """Forget the replayed scans."""
        self.replay_path.unlink(missing_ok=True)

    def __len__(self) -> int:
        """Scans waiting in the spool and the replay file."""
        total = 0
        for p in (self.path, self.replay_path):
            if p.exists():
                with p.open(encoding="utf-8") as f:
                    total += sum(1 for line in f if line.strip())
        return total
