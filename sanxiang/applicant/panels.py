"""The party-links panel on the case page (registered with ``register_case_panel``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from sanxiang.cases import queries as case_queries
from sanxiang.cases.models import Case
from sanxiang.cases.panels import CasePanel
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import StageRole

from . import defence, delivery, hearing, queries
from .models import SupplementStatus


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
        "hearing_requests": hearing.requests_of(case.pk),
        "consents": delivery.consents_of(case.pk),
        "deliveries": delivery.deliveries_of(case.pk),
        "letters": queries.addressed_documents(case),
        "rule": delivery.rule(),
    }


def party_links_panel(request: HttpRequest, case: Case) -> CasePanel | None:
    return CasePanel(
        order=60, template="applicant/_case_panel.html", context=panel_context(request, case)
    )


def application_panel(request: HttpRequest, case: Case) -> CasePanel | None:
    """网上申请 on the case page: what was submitted, the 第32条 clock, 补正 and 受理."""
    from . import intake, supplements

    application = intake.application_of(case)
    if application is None:
        return None
    try:
        case_queries.get_case_for(request.user, case.pk, write=True)
    except DomainError:
        may_write = False
    else:
        may_write = True
    definition = case.definition
    at_application = definition.has_role(case.stage, StageRole.APPLICATION)
    at_supplement = definition.has_role(case.stage, StageRole.SUPPLEMENT)
    requests = list(application.supplements.order_by("pk"))
    items = intake.material_items(application.guide)
    due = intake.supplement_due(case)
    prepared = next((r for r in requests if r.status == SupplementStatus.PREPARED), None)
    return CasePanel(
        order=15,
        template="applicant/_application_panel.html",
        context={
            "case": case,
            "application": application,
            "materials": list(application.materials.select_related("supplement").order_by("pk")),
            "items": items,
            "requests": requests,
            "prepared": prepared,
            "due": due,
            "overdue": due is not None and at_application and timezone.localdate() > due,
            "may_write": may_write,
            "may_supplement": may_write and at_application,
            "accept_on": supplements.accepted_on(case)
            if may_write and (at_application or at_supplement)
            else None,
            "article": intake.ARTICLE_32,
            "other": supplements.OTHER,
        },
    )
