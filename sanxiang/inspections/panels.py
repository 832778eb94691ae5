"""The workbench panel of 双随机: the way in (the staff menu is full at 1280 px) with the plans
under way, and drawn inspections whose period ended without a recorded result."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.workbench.panels import Panel

from . import publication, queries
from .models import PlanStatus


def inspections_due(request: HttpRequest) -> Panel | None:
    agencies = visible_agency_ids(request.user)
    if not agencies:
        return None
    rows = publication.waiting(agencies, timezone.localdate(), limit=50)
    open_plans = queries.plans_of(agencies).exclude(status=PlanStatus.DRAWN).count()
    return Panel(
        order=9,
        template="inspections/_due_panel.html",
        context={"rows": rows, "open_plans": open_plans},
    )
