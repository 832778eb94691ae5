"""The reviewer's workbench panel: pending reviews by deadline, with yellow/red warnings."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import home_agency
from sanxiang.cases.models import Case
from sanxiang.cases.panels import CasePanel
from sanxiang.workbench.panels import Panel

from . import queries


def pending_reviews(request: HttpRequest) -> Panel | None:
    user = request.user
    role = getattr(user, "role", None)
    if role not in {Role.REVIEWER, Role.HEAD} or getattr(user, "agency", None) is None:
        return None
    agency = home_agency(user)  # type: ignore[arg-type]
    catalogue = queries.effective_catalogue(agency, timezone.localdate())
    queue = queries.queue_for(user)
    source = queue["mine"] if role == Role.REVIEWER else queue["all"]
    rows = [(r, queries.deadline_of(r, warn_days=catalogue.warn_days)) for r in source[:10]]
    context = {
        "rows": rows,
        "unassigned": queue["unassigned"].count(),
        "escalations": len(queue["escalations"]),
        "is_head": role == Role.HEAD,
    }
    return Panel(order=20, template="review/_panel.html", context=context)


def case_review_status(request: HttpRequest, case: Case) -> CasePanel:
    """The legal-review status on the case page: major or not, which rule, what the gate says."""
    return CasePanel(
        order=5,
        template="review/_case_panel.html",
        context={"review_status": queries.status_for(case)},
    )
