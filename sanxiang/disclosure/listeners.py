"""What disclosure tells the apps above it: a decision published, withdrawn, a 年报 published.

Each listener runs inside the service's transaction (the exchange app writes its outbox rows
there, so an event and its push commit together), and disclosure imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[Any], None]
_listeners: dict[str, list[Listener]] = {"published": [], "withdrawn": [], "report_published": []}


def _add(kind: str, fn: Listener) -> Listener:
    if fn not in _listeners[kind]:
        _listeners[kind].append(fn)
    return fn


def on_published(fn: Listener) -> Listener:
    """``fn(publication)`` after a decision was published on the portal."""
    return _add("published", fn)


def on_withdrawn(fn: Listener) -> Listener:
    """``fn(publication)`` after a published decision was withdrawn."""
    return _add("withdrawn", fn)


def on_report_published(fn: Listener) -> Listener:
    """``fn(annual_report)`` after a 年报 was published."""
    return _add("report_published", fn)


def notify(kind: str, subject: Any) -> None:
    for fn in list(_listeners[kind]):
        fn(subject)
