from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.workbench.panels import Panel

from . import queries
from .models import Agency


def agency_summary(request: HttpRequest) -> Panel | None:
    """Officers, certificates and the reviewer ratio of the agencies the user sees."""
    scope = visible_agency_ids(request.user)
    if not scope:
        return None
    today = timezone.localdate()
    officers = queries.officers_in(scope)
    not_valid = officers.exclude(queries.certified_on(today))
    bodies = Agency.objects.filter(pk__in=scope, level="department")
    ratios = [(b, queries.reviewer_ratio(b, on=today)) for b in bodies]
    context = {
        "officer_count": officers.count(),
        "not_valid": list(not_valid[:10]),
        "not_valid_count": not_valid.count(),
        "ratios": ratios,
        "today": today,
    }
    return Panel(order=90, template="directory/_panel.html", context=context)
