"""The party-links panel on the case page (registered with ``register_case_panel``)."""

from __future__ import annotations

from django.http import HttpRequest

from sanxiang.cases import queries as case_queries
from sanxiang.cases.models import Case
from sanxiang.cases.panels import CasePanel
from sanxiang.lib.errors import DomainError

from . import defence, queries


def panel_context(request: HttpRequest, case: Case) -> dict[str, object]:
    try:
        case_queries.get_case_for(request.user, case.pk, write=True)
    except DomainError:
        may_write = False
    else:
        may_write = True
    return {
        "case": case,
        "links": queries.links_of(case),
        "parties": list(case.parties.all()),
        "may_write": may_write,
        "statements": defence.statements_of(case.pk),
    }


def party_links_panel(request: HttpRequest, case: Case) -> CasePanel | None:
    return CasePanel(
        order=60, template="applicant/_case_panel.html", context=panel_context(request, case)
    )
