"""Recomputing provisional deadlines when an administrator enters a year's State Council notice.

Apps that keep deadlines (cases, review, disclosure) register a recomputer here, so the catalog
imports none of them. A recomputer runs inside the transaction that writes the notice, after the
calendar already answers with the new days, and returns what it moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Moved:
    """One deadline whose due date the notice changed."""

    agency_id: int
    kind: str
    subject: str
    link: str
    old_due_on: date | None
    new_due_on: date


Recomputer = Callable[[int], list[Moved]]
_recomputers: list[Recomputer] = []


def register_recomputer(fn: Recomputer) -> Recomputer:
    if fn not in _recomputers:
        _recomputers.append(fn)
    return fn


def recompute_all(year: int) -> list[Moved]:
    moved: list[Moved] = []
    for fn in _recomputers:
        moved.extend(fn(year))
    return moved


def touches(year: int) -> tuple[date, date]:
    """The first and last day of ``year``: a deadline counted across them may move."""
    return date(year, 1, 1), date(year, 12, 31)
