"""The documents panel on the case page (registered with ``cases.panels.register_case_panel``)
and on the standalone page ``documents:case_documents``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sanxiang.cases.models import Case
from sanxiang.cases.panels import CasePanel
from sanxiang.lib.errors import DomainError

from . import queries
from .builders import PER_PARTY


def panel_context(user: Any, case_id: int) -> dict[str, Any]:
    """Issued documents and, for those who may issue, the kinds the stage offers."""
    case = queries.case_for(user, case_id)
    try:
        queries.case_for(user, case_id, issue=True)
    except DomainError:
        issuable = []
    else:
        issuable = queries.issuable_kinds(case)
    # With several parties, a per-party kind may be issued to one of them (builders.PER_PARTY).
    parties = list(case.parties.order_by("pk").values_list("pk", "name"))
    per_party = [k for k in issuable if k.code in PER_PARTY] if len(parties) > 1 else []
    return {
        "case": case,
        "documents": queries.documents_of(case),
        "issuable": [k for k in issuable if k not in per_party],
        "per_party": per_party,
        "parties": parties,
    }


def case_documents_panel(request: HttpRequest, case: Case) -> CasePanel | None:
    try:
        context = panel_context(request.user, case.pk)
    except DomainError:
        return None  # not one of those who may read the case's documents
    return CasePanel(order=20, template="documents/_case_panel.html", context=context)
