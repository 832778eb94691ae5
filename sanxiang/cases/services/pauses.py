"""Pausing and resuming a deadline clock, with the reason recorded."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from sanxiang.accounts.models import Role, User
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed

from .. import deadlines as clocks
from ..models import Deadline, DeadlinePause, DeadlineStatus
from ..queries import get_case_for
from .common import may_take


def _deadline_for(actor: User, deadline_id: int) -> Deadline:
    deadline = Deadline.objects.select_related("case").filter(pk=deadline_id).first()
    if deadline is None:
        raise DomainError("not_found", "未找到该时限。")
    case = get_case_for(actor, deadline.case_id, write=True)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以暂停或恢复时限。")
    return deadline


@transaction.atomic(durable=True)
def pause_deadline(*, actor: User, deadline_id: int, reason: str, on: date) -> Deadline:
    """Stop a clock for time the law does not count (听证、检测、检验、鉴定 …)."""
    deadline = _deadline_for(actor, deadline_id)
    if not reason.strip():
        raise ValidationFailed("请填写暂停计时的理由。", field="reason")
    if on < deadline.starts_on or on > deadline.due_on:
        raise ValidationFailed("暂停日期须在时限起算日与届满日之间。", field="on")
    if (
        Deadline.objects.filter(pk=deadline.pk, status=DeadlineStatus.RUNNING).update(
            status=DeadlineStatus.PAUSED
        )
        != 1
    ):
        raise DomainError("conflict", "该时限当前不在计时中。")
    DeadlinePause.objects.create(
        deadline=deadline, reason=reason.strip(), paused_on=on, paused_by=actor
    )
    append(
        event_type="case.deadline_paused",
        payload={"rule": deadline.rule, "on": on, "reason": reason.strip()},
        actor=actor,
        agency_id=deadline.agency_id,
        case_id=deadline.case_id,
    )
    deadline.refresh_from_db()
    return deadline


@transaction.atomic(durable=True)
def resume_deadline(*, actor: User, deadline_id: int, on: date) -> Deadline:
    """Restart a paused clock; the due date moves back by the paused interval."""
    deadline = _deadline_for(actor, deadline_id)
    pause = deadline.pauses.filter(resumed_on__isnull=True).first()
    if deadline.status != DeadlineStatus.PAUSED or pause is None:
        raise DomainError("conflict", "该时限没有暂停。")
    if on < pause.paused_on:
        raise ValidationFailed("恢复日期不能早于暂停日期。", field="on")
    due = clocks.extended(deadline, pause.paused_on, on)
    warn_days = clocks.effective(
        deadline.case, deadline.case.definition.rule(deadline.rule)
    ).warn_days
    if (
        Deadline.objects.filter(pk=deadline.pk, status=DeadlineStatus.PAUSED).update(
            status=DeadlineStatus.RUNNING, due_on=due, warn_on=clocks.warn_date(due, warn_days)
        )
        != 1
    ):
        raise DomainError("conflict", "该时限没有暂停。")
    DeadlinePause.objects.filter(pk=pause.pk).update(resumed_on=on)
    append(
        event_type="case.deadline_resumed",
        payload={
            "rule": deadline.rule,
            "on": on,
            "due_on": due,
            "warn_on": clocks.warn_date(due, warn_days),
        },
        actor=actor,
        agency_id=deadline.agency_id,
        case_id=deadline.case_id,
    )
    deadline.refresh_from_db()
    return deadline
