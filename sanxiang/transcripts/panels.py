"""The 笔录 panel on the case page: the case's 笔录 and, for the team, "新建笔录"."""

from __future__ import annotations

from django.http import HttpRequest

from sanxiang.cases.models import Case
from sanxiang.cases.panels import CasePanel
from sanxiang.documents import queries as document_queries
from sanxiang.lib.errors import DomainError

from . import queries


def case_transcripts_panel(request: HttpRequest, case: Case) -> CasePanel | None:
    try:
        document_queries.case_for(request.user, case.pk)
    except DomainError:
        return None
    try:
        document_queries.case_for(request.user, case.pk, issue=True)
        may_write = True
    except DomainError:
        may_write = False
    context = {"case": case, "transcripts": queries.transcripts_of(case), "may_write": may_write}
    return CasePanel(order=21, template="transcripts/_case_panel.html", context=context)
