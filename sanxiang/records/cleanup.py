"""Cleaning up after uploads that never finished (no database involved: no row ever pointed
at a temporary file)."""

from __future__ import annotations

from pathlib import Path

from . import blobs

DEFAULT_MINUTES = 60.0


def remove_abandoned(*, older_than_minutes: float = DEFAULT_MINUTES) -> list[Path]:
    removed = []
    for path in blobs.abandoned_temp_files(older_than_seconds=older_than_minutes * 60):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed
