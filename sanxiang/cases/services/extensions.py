"""Extending a deadline clock once, with the head's approval and a written reason.

The rule says whether and by how much (``DeadlineRule.extension``): 行政许可法 第42条 (the
licence's 二十日 by 十日, working days, 第82条) and 行政强制法 第25条 (the 查封、扣押's 三十日 by
at most 三十日). Refused after the clock ran out (``deadline_passed``: an extension extends a
period that still runs), a second time (``deadline_extended_once``), beyond the law's days or at
a stage the rule does not allow. The entry carries the clock's new figures (``clocks.extended``)
so ``cases.clocks.replay`` rebuilds it; the notice to the party is a document the rule names,
printed from this row (``extension_text``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from sanxiang.accounts.models import Role, User
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed

from .. import deadlines as clocks
from ..extension_models import DeadlineExtension
from ..models import Case, Deadline, DeadlineStatus
from ..queries import get_case_for
from .common import local_today


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@transaction.atomic(durable=True)
def extend_deadline(
    *,
    actor: User,
    case_id: int,
    rule: str,
    reason: str,
    days: int | None = None,
    on: date | None = None,
) -> DeadlineExtension:
    """The head extends the case's running clock ``rule`` by ``days`` (the law's most by
    default) from its current last day, on ``on`` (today by default)."""
    case = get_case_for(actor, case_id, write=True)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not (actor.is_superuser or actor.role == Role.HEAD):
        raise DomainError("forbidden", "延长期限须经本机关负责人批准。")
    definition = case.definition
    the_rule = next((r for r in definition.deadlines if r.code == rule), None)
    extension = the_rule.extension if the_rule is not None else None
    if the_rule is None or extension is None:
        raise DomainError("conflict", "该期限依法不能延长。")
    if not definition.has_role(case.stage, *extension.at):
        raise DomainError(
            "conflict", f"案件处于“{case.stage_label}”，此时不能延长“{the_rule.label}”。"
        )
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(f"请写明延长的理由（{extension.basis}）。", field="reason")
    if "\x00" in reason:
        raise ValidationFailed("延长理由含有不可见的控制字符。", field="reason")
    if len(reason) > 500:
        raise ValidationFailed("延长理由不超过500字。", field="reason")
    wanted = extension.days if days is None else days
    if wanted < 1 or wanted > extension.days:
        raise ValidationFailed(
            f"延长期限为1至{extension.days}{the_rule.unit_label}（{extension.basis}）。",
            field="days",
        )
    clock = Deadline.objects.select_for_update().filter(case=case, rule=rule).first()
    if clock is None or clock.status not in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED):
        raise DomainError("conflict", f"“{the_rule.label}”未在计时，不能延长。")
    if DeadlineExtension.objects.filter(deadline=clock).exists():
        raise DomainError(
            "deadline_extended_once",
            f"“{the_rule.label}”已经延长过一次，不能再次延长（{extension.basis}）。",
        )
    day = on or local_today()
    if day > local_today():
        raise ValidationFailed("批准日期不能晚于今天。", field="on")
    if day < clock.starts_on:
        raise ValidationFailed("批准日期不能早于期限起算日。", field="on")
    # Recorded while the period runs: an approval dated back into it once it ran out would
    # extend a period that has already ended.
    if max(day, local_today()) > clock.due_on:
        raise DomainError(
            "deadline_passed",
            f"“{the_rule.label}”已于{_cn(clock.due_on)}届满，届满后不能再延长（{extension.basis}）。",
        )
    changed = clocks.extend_clock(case, clock, wanted)
    row = DeadlineExtension.objects.create(
        deadline=clock,
        days=wanted,
        reason=reason,
        approved_on=day,
        approved_by=actor,
        old_due_on=clock.due_on,
        new_due_on=changed["due_on"],
    )
    append(
        event_type="case.deadline_extended",
        payload={
            "number": case.number,
            "rule": rule,
            "extension": row.pk,
            "days": wanted,
            "unit": the_rule.unit,
            "reason": reason,
            "on": day,
            "old_due_on": clock.due_on,
            "due_on": changed["due_on"],
            "clocks": {"started": [], "stopped": [], "extended": [changed]},
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return row


def extension_of(case: Case | int, rule: str) -> DeadlineExtension | None:
    case_id = case if isinstance(case, int) else case.pk
    return (
        DeadlineExtension.objects.select_related("deadline")
        .filter(deadline__case_id=case_id, deadline__rule=rule)
        .first()
    )


def extension_text(case: Case, rule: str) -> str:
    """What the notice of the extension prints (documents ``register_sheet_text``):
    ``label：value`` lines; empty while the clock has not been extended."""
    row = extension_of(case, rule)
    if row is None:
        return ""
    unit = "个工作日" if row.deadline.unit == "working" else "日"
    return "\n".join(
        (
            f"延长理由：{row.reason}",
            f"原届满日：{_cn(row.old_due_on)}",
            f"延长期限：{row.days}{unit}",
            f"延长后届满日：{_cn(row.new_due_on)}",
            f"批准日期：{_cn(row.approved_on)}",
        )
    )
