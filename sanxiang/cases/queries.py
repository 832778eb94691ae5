"""Reads of cases, always scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sanxiang.accounts.queries import require_agency_access, visible_agency_ids
from sanxiang.lib.errors import DomainError

from .models import Case, CaseEvent, CaseMember


def cases_for(user: Any) -> QuerySet[Case]:
    """Cases of the agencies ``user`` may read (their own, or all supervised for 司法局)."""
    return Case.objects.filter(agency_id__in=visible_agency_ids(user)).select_related(
        "agency", "matter"
    )


def get_case_for(user: Any, pk: int, *, write: bool = False) -> Case:
    """The case, or ``not_found`` (also for another agency's case) / ``forbidden`` on write."""
    case = Case.objects.select_related("agency", "matter").filter(pk=pk).first()
    if case is None:
        raise DomainError("not_found", "未找到该案件，或无权访问。")
    require_agency_access(user, case.agency_id, write=write)
    return case


def is_on_team(user: Any, case: Case) -> bool:
    """Whether ``user`` is a member of the case team who has not recused."""
    if not getattr(user, "is_authenticated", False):
        return False
    return CaseMember.objects.filter(case=case, officer__user=user, recused=False).exists()


def had_stage(case: Case, code: str) -> bool:
    """Whether the case ever entered stage ``code`` (e.g. whether a hearing was held)."""
    return CaseEvent.objects.filter(case=case, target=code).exists()
