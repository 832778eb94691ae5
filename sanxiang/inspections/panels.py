"""The workbench panel: drawn inspections whose period ended without a recorded result."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.workbench.panels import Panel

from . import queries


def inspections_due(request: HttpRequest) -> Panel | None:
    agencies = visible_agency_ids(request.user)
    if not agencies:
        return None
    rows = queries.unrecorded_due(agencies, timezone.localdate())
    if not rows:
        return None
    return Panel(order=9, template="inspections/_due_panel.html", context={"rows": rows})
