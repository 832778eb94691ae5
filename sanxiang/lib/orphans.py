"""Objects rendered before their row was committed, and never referenced (issue 9, item 7).

Documents and review opinions are rendered and stored *before* the short transaction that
commits their row and ledger entry, so that no lock is held while a PDF is being made. A
transaction that then rolls back (a refused step, a lost race, a crash) leaves an object no row
points at. Each app registers the storage prefix it writes under and a function telling which of
a set of names its rows reference; ``sweep_all`` deletes the rest once they are older than the
grace period (so an object rendered a moment ago, whose transaction is still running, stays).

The grace period is the one guarantee the renderers rely on: a commit follows its render
within seconds, far below ``DEFAULT_GRACE``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

DEFAULT_GRACE = timedelta(hours=1)
# Names asked about per query (SQLite caps the parameters of one statement).
BATCH = 500


@dataclass(frozen=True)
class Sweeper:
    prefix: str
    referenced: Callable[[set[str]], set[str]]


_SWEEPERS: dict[str, Sweeper] = {}


def register(prefix: str, referenced: Callable[[set[str]], set[str]]) -> None:
    """Declare that rows reference objects under ``prefix``; ``referenced(names)`` returns the
    subset of ``names`` that some row points at."""
    _SWEEPERS[prefix] = Sweeper(prefix.rstrip("/"), referenced)


def _walk(storage: Storage, prefix: str) -> Iterator[str]:
    try:
        dirs, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{prefix}/{name}"
    for sub in dirs:
        yield from _walk(storage, f"{prefix}/{sub}")


def _modified(storage: Storage, name: str) -> datetime | None:
    try:
        return storage.get_modified_time(name)
    except (FileNotFoundError, NotImplementedError):
        return None


def sweep(
    sweeper: Sweeper, *, grace: timedelta = DEFAULT_GRACE, storage: Storage | None = None
) -> list[str]:
    """Delete the unreferenced objects under one prefix older than ``grace``; their names."""
    storage = storage or default_storage
    cutoff = timezone.now() - grace
    candidates = set()
    for name in _walk(storage, sweeper.prefix):
        modified = _modified(storage, name)
        if modified is not None and modified < cutoff:
            candidates.add(name)
    if not candidates:
        return []
    ordered = sorted(candidates)
    referenced: set[str] = set()
    for start in range(0, len(ordered), BATCH):
        referenced |= sweeper.referenced(set(ordered[start : start + BATCH]))
    orphans = [name for name in ordered if name not in referenced]
    for name in orphans:
        storage.delete(name)
    return orphans


def sweep_all(*, grace: timedelta = DEFAULT_GRACE) -> list[str]:
    removed: list[str] = []
    for sweeper in _SWEEPERS.values():
        removed += sweep(sweeper, grace=grace)
    return removed
