"""Staff enter what the 年报 counts but no procedure records: 行政复议 and 行政诉讼 with their
outcome, 行政强制执行 by the agency, 申请人民法院强制执行 (行政强制法 第53条), 移送司法机关
(行政处罚法 第27条) and 责令整改 after an inspection. One service, one ledger entry each.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.accounts.queries import require_agency_access, require_role
from sanxiang.cases.models import Case
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import ValidationFailed

from .models import REMEDY_KINDS, FactKind, FactOutcome, ReportFact

RECORD_ROLES = ("officer", "head", "admin")


def _case(agency_id: int, number: str) -> Case:
    found = Case.objects.filter(agency_id=agency_id, number=number.strip()).first()
    if found is None:
        raise ValidationFailed(f"本机关没有编号为“{number.strip()[:60]}”的案件。", field="case")
    return found


@transaction.atomic(durable=True)
def record_fact(
    *,
    actor: User,
    agency_id: int,
    case_number: str,
    kind: str,
    occurred_on: date,
    outcome: str = "",
    note: str = "",
) -> ReportFact:
    require_role(actor, *RECORD_ROLES)
    require_agency_access(actor, agency_id, write=True)
    if kind not in FactKind.values:
        raise ValidationFailed("请选择登记类别。", field="kind")
    if kind in REMEDY_KINDS:
        if outcome not in FactOutcome.values:
            raise ValidationFailed(
                "复议、诉讼须选择结果（尚未审结的选“尚未审结”）。", field="outcome"
            )
    elif outcome:
        raise ValidationFailed("只有复议、诉讼需要填写结果。", field="outcome")
    if occurred_on > timezone.localdate():
        raise ValidationFailed("日期不能晚于今天。", field="occurred_on")
    case = _case(agency_id, case_number)
    if occurred_on < case.opened_on:
        raise ValidationFailed("日期不能早于案件立案（或申请）日期。", field="occurred_on")
    fact = ReportFact.objects.create(
        agency_id=agency_id,
        case=case,
        kind=kind,
        outcome=outcome,
        occurred_on=occurred_on,
        note=note.strip()[:300],
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    entry = ledger.append(
        event_type="disclosure.report_fact_recorded",
        payload={
            "fact": fact.pk,
            "kind": kind,
            "outcome": outcome,
            "occurred_on": occurred_on,
            "note": fact.note,
        },
        actor=actor,
        agency_id=agency_id,
        case_id=case.pk,
    )
    ReportFact.objects.filter(pk=fact.pk).update(ledger_entry=entry)
    fact.ledger_entry = entry
    return fact
