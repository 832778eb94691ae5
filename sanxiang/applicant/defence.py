"""陈述申辩 online: after the 告知, the party submits a written statement through their link.

The period: the five working days (the 五日 the 告知书 states) after the day the case entered its
告知 stage, as the decision guard counts them (``defence_period``; 行政处罚法 第45条; 第85条: a
period in 日 of ten or fewer counts working days). A statement may carry one attachment.

For the 告知 → 陈述申辩 → 决定 guard in cases/: ``statements_of(case_id)`` (read) and
``defence_period(case)`` (when it ends) say what the party submitted and until when."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanxiang.cases import order
from sanxiang.cases.models import Case
from sanxiang.documents.models import IssuedDocument
from sanxiang.ledger import services as ledger
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.records import blobs

from . import services
from .models import DefenceAttachment, DefenceStatement, PartyLink

MAX_TEXT = 5000
OPEN_STAGES = ("notice", "defence")


def defence_period(case: Case) -> date | None:
    """The last day for a 陈述申辩, or None before the 告知 (or when the calendar has a gap).

    Once a 《行政处罚事先告知书》 is issued, the period is the decision guard's (``cases.order``,
    the ``defence`` wait from the day the case entered its 告知 stage), so this page, this
    refusal and the guard agree; a case whose ledger has no such entry (placed at a stage by
    an import) counts ``SANXIANG_DEFENCE_WORKING_DAYS`` from the 告知书's issue."""
    notice = (
        IssuedDocument.objects.filter(case=case, kind="penalty_notice")
        .order_by("issued_at")
        .first()
    )
    if notice is None:
        return None
    try:
        found = [p for p in order.periods(case, scope=False) if p.rule.code == "defence"]
    except DomainError:  # a calendar gap: "ask the agency", never guessed
        return None
    if found:
        return found[-1].ends_on
    try:
        return workdays.add_working_days(
            timezone.localdate(notice.issued_at), int(settings.SANXIANG_DEFENCE_WORKING_DAYS)
        )
    except workdays.CalendarGap:
        return None


def statements_of(case_id: int) -> list[DefenceStatement]:
    return list(
        DefenceStatement.objects.filter(case_id=case_id)
        .select_related("party")
        .prefetch_related("attachments")
    )


def may_submit(case: Case) -> bool:
    last = defence_period(case)
    return case.stage in OPEN_STAGES and last is not None and timezone.localdate() <= last


def submit_defence(
    *,
    token: str,
    address: str,
    browser: str,
    text: str,
    received: blobs.Received | None = None,
    original_name: str = "",
) -> DefenceStatement:
    """A written 陈述申辩, with one attached file where given (checked like an application's
    materials: by its bytes, not empty, not over the size limit). Refused before the file is
    stored when the text, the link or the period says no: nothing is half-stored."""
    try:
        body = text.strip()
        if not body:
            raise ValidationFailed("请填写陈述、申辩意见。", field="text")
        if len(body) > MAX_TEXT:
            raise ValidationFailed(f"陈述、申辩意见不超过 {MAX_TEXT} 字。", field="text")
        link = services.use_link(token=token, address=address, browser=browser, what="defence")
        _check_open(link.case)
    except BaseException:
        if received is not None:
            received.path.unlink(missing_ok=True)
        raise
    attachment: dict[str, Any] | None = None
    if received is not None:
        from . import intake

        content_type = intake.check_upload(received)  # removes the spool when it refuses
        attachment = {
            "original_name": original_name[:255],
            "size": received.size,
            "content_type": content_type,
            "sha256": received.sha256,
            "storage_name": blobs.store(received),
        }
    return _record(link=link, text=body, attachment=attachment)


def _check_open(case: Case) -> date:
    """The last day of the period, or the refusal of a statement now."""
    last = defence_period(case)
    if last is None or case.stage not in OPEN_STAGES:
        raise DomainError("conflict", "本案尚未进行处罚告知，或已不在陈述申辩阶段，不能在线提交。")
    if timezone.localdate() > last:
        raise DomainError(
            "deadline_passed",
            f"陈述申辩期限已于 {last:%Y年%m月%d日} 届满，不能再在线提交；"
            "如有正当理由，请联系办案机关。",
        )
    return last


@transaction.atomic(durable=True)
def _record(
    *, link: PartyLink, text: str, attachment: dict[str, Any] | None = None
) -> DefenceStatement:
    case = Case.objects.select_for_update().get(pk=link.case_id)
    _check_open(case)
    statement = DefenceStatement.objects.create(
        case=case, party_id=link.party_id, link=link, text=text
    )
    payload: dict[str, Any] = {
        "statement_id": statement.pk,
        "party_id": link.party_id,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "chars": len(text),
        "on": timezone.localdate(),
    }
    if attachment is not None:
        saved = DefenceAttachment.objects.create(statement=statement, **attachment)
        payload["attachments"] = [
            [saved.pk, saved.sha256, saved.size, saved.content_type, saved.original_name]
        ]
    ledger.append(
        event_type="applicant.defence_submitted",
        payload=payload,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return statement


@transaction.atomic(durable=True)
def open_attachment(*, actor: Any, attachment_id: int) -> DefenceAttachment:
    """Staff open a 陈述申辩 attachment: of their agency's case only, every opening logged."""
    from sanxiang.cases import queries as case_queries

    found = DefenceAttachment.objects.select_related("statement").filter(pk=attachment_id).first()
    if found is None:
        raise DomainError("not_found", "未找到该附件。")
    case = case_queries.get_case_for(actor, found.statement.case_id)
    ledger.append(
        event_type="applicant.material_viewed",
        payload={"defence_attachment": found.pk, "sha256": found.sha256},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return found
