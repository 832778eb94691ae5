"""The case team: 回避 requests and decisions, adding an officer."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_role
from sanxiang.directory.models import Agency, Officer
from sanxiang.directory.queries import may_act
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed

from ..models import CaseMember, Recusal, RecusalStatus
from ..queries import get_case_for
from .common import local_today, matter_category, may_take


@transaction.atomic(durable=True)
def request_recusal(
    *, actor: User, case_id: int, member_id: int, requested_by: str, reason: str
) -> Recusal:
    """Record a 回避 request (by the party or the officer); the head decides it."""
    case = get_case_for(actor, case_id, write=True)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以登记回避申请。")
    member = CaseMember.objects.filter(pk=member_id, case=case, recused=False).first()
    if member is None:
        raise ValidationFailed("该办案人员不在本案承办人员中。", field="member_id")
    if not reason.strip() or not requested_by.strip():
        raise ValidationFailed("请填写申请人和回避理由。", field="reason")
    recusal = Recusal.objects.create(
        case=case, member=member, requested_by=requested_by.strip(), reason=reason.strip()
    )
    append(
        event_type="case.recusal_requested",
        payload={
            "number": case.number,
            "officer": member.officer.certificate_no,
            "officer_name": member.officer.name,
            "reason": reason,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return recusal


@transaction.atomic(durable=True)
def decide_recusal(*, actor: User, recusal_id: int, grant: bool, note: str = "") -> Recusal:
    """行政处罚法 第43条: the head decides; a granted officer leaves the team."""
    recusal = (
        Recusal.objects.select_related("case", "member__officer").filter(pk=recusal_id).first()
    )
    if recusal is None:
        raise DomainError("not_found", "未找到该回避申请。")
    case = get_case_for(actor, recusal.case_id, write=True)
    require_role(actor, Role.HEAD)
    status = RecusalStatus.GRANTED if grant else RecusalStatus.REFUSED
    now = timezone.now()
    updated = Recusal.objects.filter(pk=recusal.pk, status=RecusalStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, decision_note=note
    )
    if updated != 1:
        raise DomainError("conflict", "该回避申请已经决定。")
    if grant:
        CaseMember.objects.filter(pk=recusal.member_id).update(recused=True, is_lead=False)
    recusal.refresh_from_db()
    append(
        event_type="case.recusal_decided",
        payload={
            "number": case.number,
            "recusal": recusal.pk,
            "officer": recusal.member.officer.certificate_no,
            "officer_name": recusal.member.officer.name,
            "granted": grant,
            "note": note,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return recusal


@transaction.atomic(durable=True)
def add_member(*, actor: User, case_id: int, officer_id: int) -> CaseMember:
    """The head adds a certified officer (e.g. after a recusal)."""
    case = get_case_for(actor, case_id, write=True)
    require_role(actor, Role.HEAD)
    officer = Officer.objects.filter(
        pk=officer_id, agency_id__in=Agency.subtree_ids({case.agency_id})
    ).first()
    if officer is None:
        raise ValidationFailed("办案人员须为本机关的执法人员。", field="officer_id")
    category = matter_category(case.matter, case.opened_on)
    if not may_act(officer, category=category, area=case.agency.area, on=local_today()):
        raise DomainError("officer_not_certified", f"{officer.name}的执法证件今日无效或类别不符。")
    member, created = CaseMember.objects.get_or_create(case=case, officer=officer)
    if not created and not member.recused:
        raise DomainError("conflict", f"{officer.name}已是本案办案人员。")
    if member.recused:
        raise DomainError("conflict", f"{officer.name}已决定回避，不能再承办本案。")
    append(
        event_type="case.member_added",
        payload={
            "number": case.number,
            "officer": officer.certificate_no,
            "officer_name": officer.name,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return member
