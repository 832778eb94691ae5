"""陈述申辩 online: after the 告知, the party submits a written statement through their link.

The period: ``SANXIANG_DEFENCE_WORKING_DAYS`` (default 5, the 五日 the 告知书 states) working days
after the day the
《行政处罚事先告知书》 was issued (行政处罚法 第45条; 第85条: a period in 日 of ten or fewer counts
working days). Issue, not delivery, starts it here: 送达 records are not online yet.

For the 告知 → 陈述申辩 → 决定 guard in cases/: ``statements_of(case_id)`` (read) and
``defence_period(case)`` (when it ends) say what the party submitted and until when."""

from __future__ import annotations

import hashlib
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.documents.models import IssuedDocument
from sanxiang.ledger import services as ledger
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import services
from .models import DefenceStatement, PartyLink

MAX_TEXT = 5000
OPEN_STAGES = ("notice", "defence")


def defence_period(case: Case) -> date | None:
    """The last day for a 陈述申辩, or None before the 告知 (or when the calendar has a gap)."""
    notice = (
        IssuedDocument.objects.filter(case=case, kind="penalty_notice")
        .order_by("issued_at")
        .first()
    )
    if notice is None:
        return None
    try:
        return workdays.add_working_days(
            timezone.localdate(notice.issued_at), int(settings.SANXIANG_DEFENCE_WORKING_DAYS)
        )
    except workdays.CalendarGap:
        return None


def statements_of(case_id: int) -> list[DefenceStatement]:
    return list(DefenceStatement.objects.filter(case_id=case_id).select_related("party"))


def may_submit(case: Case) -> bool:
    last = defence_period(case)
    return case.stage in OPEN_STAGES and last is not None and timezone.localdate() <= last


def submit_defence(*, token: str, address: str, text: str) -> DefenceStatement:
    body = text.strip()
    if not body:
        raise ValidationFailed("请填写陈述、申辩意见。", field="text")
    if len(body) > MAX_TEXT:
        raise ValidationFailed(f"陈述、申辩意见不超过 {MAX_TEXT} 字。", field="text")
    link = services.use_link(token=token, address=address, what="defence")
    return _record(link=link, text=body)


@transaction.atomic(durable=True)
def _record(*, link: PartyLink, text: str) -> DefenceStatement:
    case = Case.objects.select_for_update().get(pk=link.case_id)
    last = defence_period(case)
    if last is None or case.stage not in OPEN_STAGES:
        raise DomainError("conflict", "本案尚未进行处罚告知，或已不在陈述申辩阶段，不能在线提交。")
    if timezone.localdate() > last:
        raise DomainError(
            "deadline_passed",
            f"陈述申辩期限已于 {last:%Y年%m月%d日} 届满，不能再在线提交；"
            "如有正当理由，请联系办案机关。",
        )
    statement = DefenceStatement.objects.create(
        case=case, party_id=link.party_id, link=link, text=text
    )
    ledger.append(
        event_type="applicant.defence_submitted",
        payload={
            "statement_id": statement.pk,
            "party_id": link.party_id,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "chars": len(text),
            "on": timezone.localdate(),
        },
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return statement
