"""督办 (seed plan §七(三): 对推行“三项制度”不规范、不到位的要进行督办): the one write path of
each step: issue (with its 文号 and PDF), answer (整改情况 with attachments), escalate when
overdue, close. Every step appends its ledger entry in the same transaction.

The PDF is rendered before the short transaction that commits the notice, with the number the
counter would give next (as documents/services.py does): no counter lock is held during a
render. When another notice took that number meanwhile, the render is repeated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency
from sanxiang.cases.models import Case
from sanxiang.directory.models import Agency
from sanxiang.documents.content import DocumentContent, Para, chinese_date
from sanxiang.documents.render_pdf import render_pdf
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed

from .models import AWAITING, Notice, NoticeAnswer, NoticeAttachment, NoticeCounter, NoticeStatus
from .queries import cockpit_bodies

OBJECT_PREFIX = "supervision"
OPTIMISTIC_ATTEMPTS = 3
MAX_ATTACHMENT = 20 * 1024 * 1024  # bytes per file (local practice; scans of 整改 materials)


@dataclass(frozen=True)
class NoticeData:
    agency_id: int
    subject: str
    finding: str
    requirement: str
    due_on: date
    case_id: int | None = None


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class Stored:
    name: str
    sha256: str
    size: int


def store(data: bytes, suffix: str) -> Stored:
    """Save under the content's SHA-256 (an existing object is reused)."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"{OBJECT_PREFIX}/{digest[:2]}/{digest}.{suffix}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return Stored(name=name, sha256=digest, size=len(data))


def referenced_objects(names: set[str]) -> set[str]:
    """Which of ``names`` a notice or an attachment points at (for ``lib.orphans``)."""
    found = set(Notice.objects.filter(pdf_name__in=names).values_list("pdf_name", flat=True))
    found |= set(
        NoticeAttachment.objects.filter(storage_name__in=names).values_list(
            "storage_name", flat=True
        )
    )
    return found


def number_of(issuer: Agency, year: int, seq: int) -> str:
    """兴隆台司执督〔2026〕第1号: the bureau's short name, 执督, the year, the number."""
    short = issuer.short_name or (issuer.name.removesuffix("司法局")[:3] + "司")
    return f"{short}执督〔{year}〕第{seq}号"


def _check(actor: User, data: NoticeData, today: date) -> tuple[Agency, Agency, Case | None]:
    if not (actor.is_superuser or actor.role == Role.SUPERVISOR):
        raise DomainError("forbidden", "督办通知只能由司法局执法监督人员下发。")
    bodies = {b.pk: b for b in cockpit_bodies(actor)}
    agency = bodies.get(data.agency_id)
    if agency is None:
        raise DomainError("forbidden", "该执法主体不在您的监督范围内，不能督办。")
    if data.due_on < today:
        raise ValidationFailed(
            f"整改期限（{data.due_on:%Y-%m-%d}）已过，督办期限不能早于今天。", field="due_on"
        )
    required = (("subject", "督办事项"), ("finding", "发现的问题"), ("requirement", "整改要求"))
    for field, label in required:
        if not str(getattr(data, field)).strip():
            raise ValidationFailed(f"请填写{label}。", field=field)
    case = None
    if data.case_id is not None:
        case = Case.objects.filter(pk=data.case_id, agency_id=agency.pk).first()
        if case is None:
            raise ValidationFailed("该案件不属于被督办单位。", field="case")
    assert actor.agency is not None  # noqa: S101 - a supervisor sits in a justice bureau
    return actor.agency.enforcement_body(), agency, case


def _content(
    issuer: Agency, agency: Agency, case: Case | None, data: NoticeData, number: str, on: date
) -> DocumentContent:
    about = f"你单位办理的“{case.number} {case.title}”" if case else "你单位"
    blocks = (
        Para(f"经执法监督检查，{about}存在以下问题：{data.finding.strip()}"),
        Para(f"督办事项：{data.subject.strip()}。"),
        Para(f"整改要求：{data.requirement.strip()}"),
        Para(
            f"请于{chinese_date(data.due_on)}前完成整改，并将整改情况及相关材料通过三项制度执法"
            "监督平台报送我局。逾期未报送的，将提请依法行政考核并依照有关规定追究责任。"
        ),
    )
    return DocumentContent(
        kind="supervision_notice",
        title="行政执法督办通知书",
        agency_name=issuer.name,
        number=number,
        letter=True,
        recipient=f"{agency.name}：",
        blocks=blocks,
        signature=(issuer.name,),
        date_text=chinese_date(on),
        notes=("依据：国办发〔2018〕118号；本区全面推行行政执法三项制度实施方案 七(三)。",),
    )


def _peek(issuer_id: int, year: int) -> int:
    last = NoticeCounter.objects.filter(issuer_id=issuer_id, year=year).values_list(
        "last", flat=True
    )
    return (last.first() or 0) + 1


def issue_notice(*, actor: User, data: NoticeData, is_demo: bool = False) -> Notice:
    """Issue a 督办通知: checks, render with the next number, commit (re-render if taken)."""
    today = timezone.localdate()
    issuer, agency, case = _check(actor, data, today)
    for _ in range(OPTIMISTIC_ATTEMPTS):
        seq = _peek(issuer.pk, today.year)
        number = number_of(issuer, today.year, seq)
        pdf = store(render_pdf(_content(issuer, agency, case, data, number, today)), "pdf")
        notice = _commit(actor=actor, data=data, seq=seq, pdf=pdf, is_demo=is_demo)
        if notice is not None:
            return notice
    raise DomainError("conflict", "督办文号分配繁忙，请稍后重试。")


@transaction.atomic(durable=True)
def _commit(
    *, actor: User, data: NoticeData, seq: int, pdf: Stored, is_demo: bool
) -> Notice | None:
    today = timezone.localdate()
    issuer, agency, case = _check(actor, data, today)
    NoticeCounter.objects.bulk_create(
        [NoticeCounter(issuer=issuer, year=today.year, last=0)], ignore_conflicts=True
    )
    counter = NoticeCounter.objects.select_for_update().get(issuer=issuer, year=today.year)
    if counter.last + 1 != seq:
        return None  # another notice took the number: render again with the next one
    counter.last = seq
    counter.save(update_fields=["last"])
    notice = Notice.objects.create(
        issuer=issuer,
        agency=agency,
        case=case,
        year=today.year,
        seq=seq,
        number=number_of(issuer, today.year, seq),
        subject=data.subject.strip(),
        finding=data.finding.strip(),
        requirement=data.requirement.strip(),
        due_on=data.due_on,
        issued_by=actor,
        issued_at=timezone.now(),
        pdf_name=pdf.name,
        pdf_sha256=pdf.sha256,
        is_demo=is_demo,
    )
    ledger.append(
        event_type="supervision.notice_issued",
        payload={
            "notice": notice.pk,
            "number": notice.number,
            "agency": agency.pk,
            "subject": notice.subject,
            "due_on": notice.due_on,
            "pdf_sha256": pdf.sha256,
        },
        actor=actor,
        agency_id=agency.pk,
        case_id=case.pk if case else None,
    )
    return notice


def _notice_for_agency(actor: User, notice_id: int) -> Notice:
    notice = Notice.objects.select_related("agency").filter(pk=notice_id).first()
    if notice is None:
        raise DomainError("not_found", "未找到该督办通知。")
    if actor.agency_id is None or home_agency(actor).pk != notice.agency_id:
        raise DomainError("forbidden", "该督办通知不是下发给您单位的，不能报送整改情况。")
    if actor.role not in (Role.HEAD, Role.ADMIN, Role.OFFICER, Role.REVIEWER):
        raise DomainError("forbidden", "整改情况由被督办单位报送。")
    return notice


def answer_notice(
    *, actor: User, notice_id: int, text: str, files: list[Upload] | None = None
) -> NoticeAnswer:
    """The agency reports its 整改情况; attachments are stored first, content-addressed."""
    notice = _notice_for_agency(actor, notice_id)
    if not text.strip():
        raise ValidationFailed("请填写整改情况。", field="text")
    uploads = files or []
    for upload in uploads:
        if not upload.data:
            raise ValidationFailed(f"附件“{upload.name}”为空。", field="files")
        if len(upload.data) > MAX_ATTACHMENT:
            raise ValidationFailed(f"附件“{upload.name}”超过20MB。", field="files")
    if notice.status not in AWAITING:
        raise DomainError("conflict", "该督办已报送整改情况或已办结。")
    stored = [(u.name[:255] or "附件", store(u.data, "bin")) for u in uploads]
    return _record_answer(actor=actor, notice_id=notice_id, text=text.strip(), stored=stored)


@transaction.atomic(durable=True)
def _record_answer(
    *, actor: User, notice_id: int, text: str, stored: list[tuple[str, Stored]]
) -> NoticeAnswer:
    notice = _notice_for_agency(actor, notice_id)
    now = timezone.now()
    changed = Notice.objects.filter(pk=notice.pk, status__in=AWAITING).update(
        status=NoticeStatus.ANSWERED
    )
    if changed != 1:
        raise DomainError("conflict", "该督办已报送整改情况或已办结。")
    late = timezone.localdate() > notice.due_on
    answer = NoticeAnswer.objects.create(
        notice=notice, text=text, answered_by=actor, answered_at=now, late=late
    )
    for name, s in stored:
        NoticeAttachment.objects.create(
            answer=answer, name=name, size=s.size, sha256=s.sha256, storage_name=s.name
        )
    ledger.append(
        event_type="supervision.notice_answered",
        payload={
            "notice": notice.pk,
            "number": notice.number,
            "answer": answer.pk,
            "late": late,
            "attachments": [{"name": n, "sha256": s.sha256, "size": s.size} for n, s in stored],
        },
        actor=actor,
        agency_id=notice.agency_id,
        case_id=notice.case_id,
    )
    return answer


@transaction.atomic(durable=True)
def escalate_overdue(*, today: date | None = None) -> list[int]:
    """Notices whose deadline passed without an answer are escalated (once each)."""
    today = today or timezone.localdate()
    due = list(
        Notice.objects.select_for_update()
        .filter(status=NoticeStatus.ISSUED, due_on__lt=today)
        .order_by("pk")
    )
    now: datetime = timezone.now()
    for notice in due:
        Notice.objects.filter(pk=notice.pk, status=NoticeStatus.ISSUED).update(
            status=NoticeStatus.ESCALATED, escalated_at=now
        )
        ledger.append(
            event_type="supervision.notice_escalated",
            payload={"notice": notice.pk, "number": notice.number, "due_on": notice.due_on},
            actor=None,
            agency_id=notice.agency_id,
            case_id=notice.case_id,
        )
    return [n.pk for n in due]


@transaction.atomic(durable=True)
def close_notice(*, actor: User, notice_id: int, note: str) -> Notice:
    """The supervisor accepts the 整改情况 and closes the 督办."""
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        raise DomainError("not_found", "未找到该督办通知。")
    issuer = actor.agency.enforcement_body() if actor.agency else None
    if actor.role != Role.SUPERVISOR or issuer is None or issuer.pk != notice.issuer_id:
        raise DomainError("forbidden", "只有下发督办的司法局执法监督人员可以办结督办。")
    if not note.strip():
        raise ValidationFailed("请填写办结意见。", field="note")
    changed = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.ANSWERED).update(
        status=NoticeStatus.CLOSED, closed_at=timezone.now(), closing_note=note.strip()
    )
    if changed != 1:
        raise DomainError("conflict", "被督办单位尚未报送整改情况，或该督办已办结。")
    ledger.append(
        event_type="supervision.notice_closed",
        payload={"notice": notice.pk, "number": notice.number, "note": note.strip()},
        actor=actor,
        agency_id=notice.agency_id,
        case_id=notice.case_id,
    )
    notice.refresh_from_db()
    return notice


def notices_for(user: Any) -> Any:
    """督办 the user may see: a supervisor's bureau's, or those sent to the user's agency."""
    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    rows = Notice.objects.select_related("agency", "case", "issuer")
    if user.is_superuser:
        return rows
    if user.agency_id is None:
        return Notice.objects.none()
    body = home_agency(user)
    if user.role == Role.SUPERVISOR:
        return rows.filter(issuer=body)
    return rows.filter(agency=body)
