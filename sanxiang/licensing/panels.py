"""The licence's terms on a licence case's page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sanxiang.cases.models import Case
from sanxiang.cases.panels import CasePanel
from sanxiang.cases.queries import had_role
from sanxiang.cases.services.common import may_take
from sanxiang.procedures.definitions import STAFF, StageRole

from . import queries
from .forms import TermsForm
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
    return CasePanel(
        order=35,
        template="licensing/_case_panel.html",
        context={
            "terms": terms,
            "decided": queries.decided_view(case) if decided else None,
            "form": form,
            "basis": BASIS,
            "case": case,
        },
    )
