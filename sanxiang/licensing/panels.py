"""The licence's terms on a licence case's page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sanxiang.accounts.models import Role
from sanxiang.cases.models import Case, Deadline
from sanxiang.cases.panels import CasePanel
from sanxiang.cases.queries import had_role
from sanxiang.cases.services.common import may_take
from sanxiang.cases.services.extensions import extension_of
from sanxiang.procedures.definitions import STAFF, StageRole

from . import queries
from .forms import ExtendForm, TermsForm
from .services import BASIS


def case_licence_terms(request: HttpRequest, case: Case) -> CasePanel | None:
    if case.definition.category != "licence":
        return None
    user: Any = request.user
    terms = queries.terms_of(case)
    decided = had_role(case, StageRole.DECISION)
    may_edit = not decided and may_take(user, case, STAFF, head_approval=False)
    form = None
    if may_edit:
        initial = (
            {f: getattr(terms, f) for f in TermsForm.base_fields}
            if terms is not None
            else {"valid_from": case.opened_on}
        )
        form = TermsForm(initial=initial, auto_id="licence-%s")
    clock = Deadline.objects.filter(case=case, rule=queries.EXTENSION_RULE).first()
    extension = extension_of(case, queries.EXTENSION_RULE) if clock is not None else None
    rule = case.definition.rule(queries.EXTENSION_RULE)
    may_extend = bool(
        (user.is_superuser or user.role == Role.HEAD)
        and clock is not None
        and clock.status in ("running", "paused")
        and extension is None
        and rule.extension is not None
        and case.definition.has_role(case.stage, *rule.extension.at)
    )
    return CasePanel(
        order=35,
        template="licensing/_case_panel.html",
        context={
            "terms": terms,
            "decided": queries.decided_view(case) if decided else None,
            "form": form,
            "basis": BASIS,
            "case": case,
            "clock": clock,
            "extension": extension,
            "extension_basis": rule.extension.basis if rule.extension else "",
            "extend_form": ExtendForm(auto_id="licence-extend-%s") if may_extend else None,
        },
    )
