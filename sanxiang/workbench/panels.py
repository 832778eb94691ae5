"""Panels on the staff workbench. Each app registers its own (cases: my cases; review: pending
reviews; disclosure: publications due), so the workbench imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelFactory = Callable[[HttpRequest], Panel | None]
_factories: list[PanelFactory] = []


def register(factory: PanelFactory) -> PanelFactory:
    if factory not in _factories:
        _factories.append(factory)
    return factory


def panels_for(request: HttpRequest) -> list[Panel]:
    built = [p for p in (f(request) for f in _factories) if p is not None]
    return sorted(built, key=lambda p: p.order)


def inbox_panel(request: HttpRequest) -> Panel | None:
    """待办 at the top of the workbench: every section's count and its most urgent items."""
    from .inbox import inbox_for

    box = inbox_for(request.user, limit=3)
    return Panel(order=0, template="workbench/_inbox_panel.html", context={"inbox": box})
