"""What 双随机 tells the apps above it: a result published (一公开), for exchange to push.

Each listener runs inside ``record_result``'s transaction (so an outbox row and the result
commit together, as ``disclosure.listeners`` does for decisions); inspections imports none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[Any], None]
_published: list[Listener] = []


def on_result_published(fn: Listener) -> Listener:
    """``fn(assignment)`` after an inspection result was recorded and published."""
    if fn not in _published:
        _published.append(fn)
    return fn


def notify_published(assignment: Any) -> None:
    for fn in list(_published):
        fn(assignment)


def forget(fn: Listener) -> None:
    """For tests: remove a listener."""
    if fn in _published:
        _published.remove(fn)
