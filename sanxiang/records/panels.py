from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases.panels import CasePanel
from sanxiang.cases.queries import is_on_team
from sanxiang.procedures.definitions import get_definition
from sanxiang.workbench.panels import Panel

from .models import AV_KINDS
from .queries import pending_requests_for, records_of_case, redact_for, required_av_lines


def retrieval_requests(request: HttpRequest) -> Panel | None:
    """For a head: retrieval (调阅) requests waiting for a decision."""
    pending = pending_requests_for(request.user)
    count = pending.count()
    if not count:
        return None
    context = {"count": count, "first": list(pending[:5])}
    return Panel(order=40, template="records/_panel.html", context=context)


def case_records(request: HttpRequest, case: Any) -> CasePanel:
    """On the case page: its records, and whether this stage must be audio-video recorded."""
    records = redact_for(request.user, records_of_case(case).order_by("-uploaded_at")[:6])
    definition = get_definition(case.procedure)
    lines = required_av_lines(
        agency_id=case.agency_id,
        matter_id=case.matter_id,
        category=definition.category,
        stage=case.stage,
        on=timezone.localdate(),
    )
    line = lines.first()
    recorded = records_of_case(case).filter(stage=case.stage, media_kind__in=AV_KINDS).exists()
    context = {
        "case": case,
        "records": records,
        "count": records_of_case(case).count(),
        "required_scene": line.scene if line is not None and not recorded else "",
        "may_capture": is_on_team(request.user, case)
        or getattr(request.user, "role", None) == Role.HEAD,
    }
    return CasePanel(order=30, template="records/_case_panel.html", context=context)
