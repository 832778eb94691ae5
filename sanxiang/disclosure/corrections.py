"""纠错: a citizen reports an error in published information; the agency answers.

The seed plan (§四(一)1) asks for a 纠错 mechanism for everything the portal publishes. A
report names the item (a decision, an agency, a matter and its 服务指南, an officer, a window
post, a 年报, or "other" with the agency chosen), says what is wrong and may leave a contact.
Staff answer with an outcome; a correction or a withdrawal is linked by its portal page and
its ledger entry, so the reporter (with the 查询码) and anyone reading the item can trace it.
Both the report and the answer are ledger entries written in the same transaction.

A flood from one address is refused with ``rate_limited`` (429): at most
``SANXIANG_CORRECTION_RATE_LIMIT`` reports per ``SANXIANG_CORRECTION_RATE_WINDOW_SECONDS``.
The address is kept only as an HMAC under the secret key, never in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.accounts.queries import require_agency_access, require_role
from sanxiang.directory.models import Agency, AgencyLevel, Officer
from sanxiang.ledger import services as ledger
from sanxiang.ledger.models import Entry
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.workbench import inbox

from .models import (
    AnnualReport,
    CorrectionOutcome,
    CorrectionReport,
    CorrectionStatus,
    CorrectionTarget,
    Post,
    Publication,
    PublicationStatus,
)

ANSWER_ROLES = ("officer", "head", "admin")
MIN_DESCRIPTION, MAX_DESCRIPTION, MAX_CONTACT = 5, 2000, 100
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L


@dataclass(frozen=True)
class Target:
    kind: str
    id: int | None
    label: str
    path: str
    agency_id: int
    publication: Publication | None = None
    case_id: int | None = None

    @property
    def kind_label(self) -> str:
        return str(CorrectionTarget(self.kind).label)


def _not_found() -> DomainError:
    return DomainError("not_found", "未找到要纠错的公示信息，或该信息已不再公示。")


def _public_agency(agency_id: int) -> Agency:
    agency = Agency.objects.filter(pk=agency_id, level=AgencyLevel.DEPARTMENT).first()
    if agency is None:
        raise DomainError("not_found", "未找到该执法主体。")
    return agency


def _department_of(agency_id: int) -> int:
    """Units' items are answered by their department (the portal's 执法主体)."""
    agency = Agency.objects.filter(pk=agency_id).select_related("parent").first()
    if agency is None:
        raise _not_found()
    if agency.level != AgencyLevel.DEPARTMENT and agency.parent_id is not None:
        return int(agency.parent_id)
    return agency.pk


def resolve_target(kind: str, target_id: int | None, agency_id: int | None = None) -> Target:
    """The published item a report is about, its label, page and answering agency."""
    if kind not in CorrectionTarget.values:
        raise ValidationFailed("请选择纠错的信息类别。", field="kind")
    if kind == CorrectionTarget.OTHER:
        if agency_id is None:
            raise ValidationFailed("请选择信息所属的执法主体。", field="agency")
        agency = _public_agency(agency_id)
        return Target(kind, None, f"{agency.name}的公示信息", "", agency.pk)
    if target_id is None:
        raise _not_found()
    if kind == CorrectionTarget.DECISION:
        item = (
            Publication.objects.filter(
                pk=target_id,
                status__in=[PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN],
            )
            .only("pk", "doc_number", "party", "agency_id", "case_id", "status")
            .first()
        )
        if item is None:
            raise _not_found()
        path = reverse("portal:decision", args=[item.pk])
        label = f"{item.doc_number}（{item.party}）"
        return Target(kind, item.pk, label, path, item.agency_id, item, item.case_id)
    if kind == CorrectionTarget.AGENCY:
        agency = _public_agency(target_id)
        return Target(
            kind, agency.pk, agency.name, reverse("portal:agency", args=[agency.pk]), agency.pk
        )
    if kind == CorrectionTarget.MATTER:
        from sanxiang.catalog.models import MatterVersion
        from sanxiang.catalog.queries import in_force_on

        version = (
            MatterVersion.objects.filter(in_force_on(timezone.localdate()), matter_id=target_id)
            .select_related("matter")
            .first()
        )
        if version is None:
            raise _not_found()
        path = reverse("portal:guide", args=[target_id])
        return Target(kind, target_id, version.name, path, _department_of(version.matter.agency_id))
    if kind == CorrectionTarget.OFFICER:
        officer = Officer.objects.filter(pk=target_id).first()
        if officer is None:
            raise _not_found()
        path = reverse("portal:officers") + f"?agency={_department_of(officer.agency_id)}"
        label = f"执法人员 {officer.name}（证号 {officer.certificate_no}）"
        return Target(kind, officer.pk, label, path, _department_of(officer.agency_id))
    if kind == CorrectionTarget.POST:
        post = Post.objects.filter(pk=target_id, is_active=True).first()
        if post is None:
            raise _not_found()
        path = reverse("portal:post", args=[post.pk])
        return Target(
            kind, post.pk, f"{post.window} · {post.name}", path, _department_of(post.agency_id)
        )
    report = AnnualReport.objects.filter(pk=target_id, published_at__isnull=False).first()
    if report is None:
        raise _not_found()
    path = reverse("portal:report", args=[report.agency_id, report.year])
    return Target(kind, report.pk, f"{report.year}年度行政执法统计年报", path, report.agency_id)


def address_key(address: str) -> str:
    """The client address as an HMAC under the secret key: enough to count, not to reveal."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()


def _serialise_address(key: str) -> None:
    """Two reports from one address count one after the other (PostgreSQL; SQLite's single
    writer already serialises them), so a parallel flood cannot slip past the limit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


def _check_rate(key: str, now: Any) -> None:
    limit = int(settings.SANXIANG_CORRECTION_RATE_LIMIT)
    window = int(settings.SANXIANG_CORRECTION_RATE_WINDOW_SECONDS)
    since = now - timedelta(seconds=window)
    recent = CorrectionReport.objects.filter(address_key=key, received_at__gte=since).count()
    if recent >= limit:
        minutes = max(1, window // 60)
        raise DomainError(
            "rate_limited",
            f"提交过于频繁：同一网络地址在 {minutes} 分钟内最多提交 {limit} 条纠错，请稍后再试。"
            "如情况紧急，请直接致电信息所属的执法主体。",
        )


def _reference(today: date) -> str:
    tail = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"JC{today:%Y%m%d}-{tail}"


def _answer_due(today: date) -> date | None:
    try:
        return workdays.add_working_days(
            today, int(settings.SANXIANG_CORRECTION_ANSWER_WORKING_DAYS)
        )
    except workdays.CalendarGap:
        return None  # the staff list shows no clock rather than a guessed one


def _clean(description: str, contact: str) -> tuple[str, str]:
    text = description.strip()
    if len(text) < MIN_DESCRIPTION:
        raise ValidationFailed("请说明哪里有误（至少 5 个字）。", field="description")
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed("说明过长（最多 2000 字）。", field="description")
    contact = contact.strip()
    if len(contact) > MAX_CONTACT:
        raise ValidationFailed("联系方式过长（最多 100 字）。", field="contact")
    return text, contact


@transaction.atomic(durable=True)
def report_error(
    *,
    kind: str,
    target_id: int | None,
    description: str,
    contact: str = "",
    address: str,
    agency_id: int | None = None,
) -> CorrectionReport:
    """Record a citizen's 纠错 report (no login) and its ledger entry."""
    text, contact = _clean(description, contact)
    target = resolve_target(kind, target_id, agency_id)
    key = address_key(address)
    _serialise_address(key)
    now = timezone.now()
    _check_rate(key, now)
    today = timezone.localdate(now)
    report = CorrectionReport.objects.create(
        reference=_reference(today),
        agency_id=target.agency_id,
        target_kind=target.kind,
        target_id=target.id,
        target_label=target.label[:200],
        target_path=target.path,
        publication=target.publication,
        description=text,
        contact=contact,
        address_key=key,
        received_at=now,
        answer_due_on=_answer_due(today),
    )
    entry = ledger.append(
        event_type="disclosure.correction_reported",
        payload={
            "report": report.pk,
            "reference": report.reference,
            "target_kind": target.kind,
            "target_id": target.id,
            "target_label": report.target_label,
            "description": text,
            # The contact itself stays out of the permanent log (personal information).
            "contact_given": bool(contact),
            "answer_due_on": report.answer_due_on,
        },
        agency_id=target.agency_id,
        case_id=target.case_id,
    )
    CorrectionReport.objects.filter(pk=report.pk).update(report_entry=entry)
    report.report_entry = entry
    return report


def _withdrawal_entry(item: Publication) -> Entry | None:
    return (
        Entry.objects.filter(
            event_type="disclosure.withdrawn", agency_id=item.agency_id, case_id=item.case_id
        )
        .filter(payload__contains=f'"publication":{item.pk},')
        .order_by("-id")
        .first()
    )


def _resolution(
    report: CorrectionReport, outcome: str, path: str, seq: int | None
) -> tuple[str, Entry | None]:
    """The page and ledger entry of the correction or withdrawal the answer links."""
    if outcome == CorrectionOutcome.WITHDRAWN:
        item = report.publication
        if item is None:
            raise ValidationFailed(
                "只有执法决定可以撤回公示；其他信息更正后请选择“已更正”。", field="outcome"
            )
        item.refresh_from_db(fields=["status"])
        if item.status != PublicationStatus.WITHDRAWN:
            raise DomainError(
                "conflict", "该决定尚未撤回公示：请先在公示管理中撤回（并说明理由），再答复纠错。"
            )
        return report.target_path, _withdrawal_entry(item)
    if outcome != CorrectionOutcome.CORRECTED:
        return "", None
    path = path.strip()
    if not path.startswith("/gongshi/") or len(path) > 200 or any(c.isspace() for c in path):
        raise ValidationFailed(
            "请填写更正后信息在公示平台上的地址（以 /gongshi/ 开头）。", field="resolution_path"
        )
    if seq is None:
        return path, None
    entry = Entry.objects.filter(seq=seq, agency_id=report.agency_id).first()
    if entry is None:
        raise ValidationFailed("本机关账本中没有这个序号的条目。", field="resolution_seq")
    return path, entry


@transaction.atomic(durable=True)
def answer_report(
    *,
    actor: User,
    report_id: int,
    outcome: str,
    answer: str,
    resolution_path: str = "",
    resolution_seq: int | None = None,
) -> CorrectionReport:
    """Answer a report once; a correction or a withdrawal is linked and traceable."""
    report = CorrectionReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise DomainError("not_found", "未找到该纠错，或无权访问。")
    require_role(actor, *ANSWER_ROLES)
    require_agency_access(actor, report.agency_id, write=True)
    if outcome not in CorrectionOutcome.values:
        raise ValidationFailed("请选择处理结果。", field="outcome")
    text = answer.strip()
    if not text:
        raise ValidationFailed("请填写给公众的答复。", field="answer")
    if report.status != CorrectionStatus.RECEIVED:
        raise DomainError("conflict", "该纠错已经答复，不能重复答复。")
    path, entry = _resolution(report, outcome, resolution_path, resolution_seq)
    now = timezone.now()
    answer_entry = ledger.append(
        event_type="disclosure.correction_answered",
        payload={
            "report": report.pk,
            "reference": report.reference,
            "outcome": outcome,
            "answer": text,
            "resolution_path": path,
            "resolution_seq": entry.seq if entry is not None else None,
            "late": bool(report.answer_due_on and timezone.localdate(now) > report.answer_due_on),
        },
        actor=actor,
        agency_id=report.agency_id,
        case_id=report.publication.case_id if report.publication else None,
    )
    updated = CorrectionReport.objects.filter(
        pk=report.pk, status=CorrectionStatus.RECEIVED
    ).update(
        status=CorrectionStatus.ANSWERED,
        outcome=outcome,
        answer=text,
        resolution_path=path,
        resolution_entry=entry,
        answered_at=now,
        answered_by=actor,
        answer_entry=answer_entry,
    )
    if updated != 1:
        raise DomainError("conflict", "该纠错已被他人答复，请刷新后查看。")
    report.refresh_from_db()
    return report


# --- reads --------------------------------------------------------------------------------------


def for_reference(reference: str) -> CorrectionReport:
    report = (
        CorrectionReport.objects.filter(reference=reference.strip().upper()[:24])
        .select_related("report_entry", "answer_entry", "resolution_entry", "agency")
        .first()
    )
    if report is None:
        raise DomainError("not_found", "没有这个查询码的纠错记录，请核对后再查。")
    return report


def answered_for(kind: str, target_id: int) -> QuerySet[CorrectionReport]:
    """Answered reports of one item that changed it (shown on the item's page)."""
    return CorrectionReport.objects.filter(
        target_kind=kind,
        target_id=target_id,
        status=CorrectionStatus.ANSWERED,
        outcome__in=[CorrectionOutcome.CORRECTED, CorrectionOutcome.WITHDRAWN],
    ).select_related("resolution_entry")


def for_staff(scope: set[int], status: str = "") -> QuerySet[CorrectionReport]:
    rows = CorrectionReport.objects.filter(agency_id__in=scope).select_related("agency")
    if status in CorrectionStatus.values:
        rows = rows.filter(status=status)
    # 待答复 ("received") before 已答复, the nearest answer deadline first.
    return rows.order_by("-status", "answer_due_on", "-received_at")


def waiting(scope: set[int], *, limit: int) -> tuple[int, list[CorrectionReport]]:
    """Reports waiting for an answer in ``scope``: how many, and the first ``limit`` by
    deadline (two queries whatever the number)."""
    rows = CorrectionReport.objects.filter(agency_id__in=scope, status=CorrectionStatus.RECEIVED)
    count = rows.count()
    if not limit or not count:
        return count, []
    return count, list(rows.order_by("answer_due_on", "received_at", "pk")[:limit])


def inbox_source(user: Any, ctx: inbox.Context) -> inbox.Section | None:
    """待办 "公众纠错待答复": the people who answer (officer, head, admin) see their agencies'
    open reports, red when the answer period has passed, yellow within 3 working days of it."""
    if ctx.role not in ANSWER_ROLES:
        return None
    count, rows = waiting(ctx.scope, limit=ctx.limit)
    if not count:
        return None
    soon = _soon(ctx.today)
    items = []
    for row in rows:
        level = ""
        if row.answer_due_on is not None and row.answer_due_on < ctx.today:
            level = inbox.RED
        elif row.answer_due_on is not None and row.answer_due_on <= soon:
            level = inbox.YELLOW
        detail = f"应于{inbox.cn_date(row.answer_due_on)}前答复" if row.answer_due_on else ""
        items.append(
            inbox.Item(
                title=f"纠错：{row.target_label}",
                url=reverse("disclosure:correction", args=[row.pk]),
                detail=detail,
                level=level,
                due_on=row.answer_due_on,
            )
        )
    more = reverse("disclosure:corrections") + "?status=received"
    return inbox.Section(
        "disclosure.corrections", "公众纠错待答复", 60, count, items, more, "megaphone"
    )


def _soon(today: date) -> date:
    try:
        return workdays.add_working_days(today, 3)
    except workdays.CalendarGap:
        return today + timedelta(days=3)
