"""The workbench panel of deadlines a newly entered holiday notice moved."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.workbench.panels import Panel

from .models import RecomputedDeadline

# How long a moved deadline stays on the workbench.
SHOWN_FOR = timedelta(days=30)


def recomputed_deadlines(request: HttpRequest) -> Panel | None:
    agencies = visible_agency_ids(request.user)
    if not agencies:
        return None
    since = timezone.now() - SHOWN_FOR
    rows = list(
        RecomputedDeadline.objects.filter(agency_id__in=agencies, recorded_at__gte=since).order_by(
            "new_due_on", "pk"
        )[:50]
    )
    if not rows:
        return None
    return Panel(order=8, template="catalog/_recomputed_panel.html", context={"rows": rows})
