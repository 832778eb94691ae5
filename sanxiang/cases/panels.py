"""Panels: the workbench's "my cases", and a hook for other apps' panels on the case page.

``register_case_panel`` is how e.g. ``documents`` (issued 文书), ``records`` or ``review`` show
their part of a case without ``cases`` importing them: the factory gets the request and the case
(already access-checked) and returns a ``CasePanel`` or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from sanxiang.workbench.panels import Panel

from . import queries
from .models import Case


@dataclass(frozen=True)
class CasePanel:
    order: int
    template: str
    context: dict[str, Any] = field(default_factory=dict)


CasePanelFactory = Callable[[HttpRequest, Case], CasePanel | None]
_case_panels: list[CasePanelFactory] = []


def register_case_panel(factory: CasePanelFactory) -> CasePanelFactory:
    if factory not in _case_panels:
        _case_panels.append(factory)
    return factory


def case_panels_for(request: HttpRequest, case: Case) -> list[CasePanel]:
    built = [p for p in (f(request, case) for f in _case_panels) if p is not None]
    return sorted(built, key=lambda p: p.order)


def my_cases_panel(request: HttpRequest) -> Panel | None:
    """我的案件: open cases with their warnings; the head sees the whole agency."""
    user: Any = request.user
    if not queries.cases_for(user).exists():
        return None
    today = timezone.localdate()
    mine = queries.open_cases(queries.my_cases(user))
    board = queries.deadline_board(mine, today, limit=8)
    recent = list(queries.with_warnings(mine, today).order_by("-pk")[:6])
    context = {"board": board, "recent": recent, "today": today, "open_count": mine.count()}
    return Panel(order=10, template="cases/_panel.html", context=context)
