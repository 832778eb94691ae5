"""The 查封、扣押 panel of a coercion case's page: the 清单, the 三十日 and its extension, the
release or confiscation, the on-the-spot report; forms only for whom the service lets act."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sanxiang.accounts.models import Role
from sanxiang.cases.models import Case, Deadline
from sanxiang.cases.services.common import may_take
from sanxiang.cases.services.extensions import extension_of
from sanxiang.documents.models import IssuedDocument
from sanxiang.procedures.definitions import STAFF, StageRole

from . import queries
from .forms import ConfiscationForm, ExtendForm, ItemsForm, ReleaseForm, ReportForm
from .services import REPORT_BASIS, measure_taken, report_is_late


def coercion_panel(request: HttpRequest, case: Case) -> Any:
    from sanxiang.cases.panels import CasePanel

    definition = case.definition
    if definition.category != "coercion":
        return None
    user: Any = request.user
    staff = may_take(user, case, STAFF, head_approval=False)
    head = bool(user.is_superuser or user.role == Role.HEAD)
    open_ = not definition.is_closed(case.stage)
    printed = IssuedDocument.objects.filter(case=case, kind="seizure_decision").exists()
    before = definition.has_role(case.stage, StageRole.FILING, StageRole.DECISION)
    clock = Deadline.objects.filter(case=case, rule="seizure").first()
    extension = extension_of(case, "seizure")
    rule = (
        definition.rule("seizure")
        if any(r.code == "seizure" for r in definition.deadlines)
        else None
    )
    may_extend = bool(
        head
        and clock is not None
        and clock.status in ("running", "paused")
        and extension is None
        and rule is not None
        and rule.extension is not None
        and definition.has_role(case.stage, *rule.extension.at)
    )
    outcome = queries.outcome_of(case)
    report = queries.report_of(case)
    ending = open_ and outcome is None and measure_taken(case)
    at_filing = definition.has_role(case.stage, StageRole.FILING)
    return CasePanel(
        order=7,
        template="coercion/_case_panel.html",
        context={
            "case": case,
            "items": queries.items_of(case),
            "printed": printed,
            "clock": clock,
            "extension": extension,
            "outcome": outcome,
            "report": report,
            "report_late": report is not None and report_is_late(report),
            "report_basis": REPORT_BASIS,
            "items_form": ItemsForm(auto_id="seizure-%s")
            if staff and before and not printed
            else None,
            "report_form": ReportForm(auto_id="report-%s")
            if staff and at_filing and report is None
            else None,
            "extend_form": ExtendForm(auto_id="extend-%s", initial={"days": 30})
            if may_extend
            else None,
            "release_form": ReleaseForm(auto_id="release-%s") if head and ending else None,
            "confiscation_form": ConfiscationForm(auto_id="confiscate-%s")
            if staff and ending
            else None,
        },
    )
