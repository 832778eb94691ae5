"""The workbench panel: publications due, with yellow/red warnings."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.workbench.panels import Panel

from . import queries


def publications_due(request: HttpRequest) -> Panel | None:
    scope = visible_agency_ids(request.user)
    if not scope:
        return None
    rows = queries.queue_for(scope, timezone.localdate())
    context = {
        "rows": rows[:8],
        "count": len(rows),
        "red": sum(1 for r in rows if r.level == "red"),
        "yellow": sum(1 for r in rows if r.level == "yellow"),
    }
    return Panel(order=30, template="disclosure/_panel.html", context=context)
