"""Execution of a penalty decision (issue 10, item 7): payments, 延期/分期, the court
application and its outcome, 终结执行. Each is one durable transaction with its ledger entry;
what is owed is ``cases.execution.schedule``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from sanxiang.accounts.models import Role, User
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import StageRole

from .. import deadlines as clocks
from .. import execution as ex
from .. import execution_clocks as court_clocks
from ..execution_models import ExecutionKind, ExecutionRecord, Payment
from ..models import Case, Deadline
from ..queries import get_case_for
from .common import local_today, may_take, parse_amount

STAFF = frozenset({Role.OFFICER, Role.HEAD})


def _case_in_execution(actor: User, case_id: int) -> tuple[Case, ex.Schedule]:
    """The case, locked, decided with a fine and not yet closed; with its schedule today."""
    get_case_for(actor, case_id, write=True)
    case = Case.objects.select_for_update().select_related("agency", "matter").get(pk=case_id)
    if not may_take(actor, case, STAFF, head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以登记执行情况。")
    definition = case.definition
    if case.decided_on is None or not definition.has_role(
        case.stage, StageRole.DECISION, StageRole.DELIVERY, StageRole.EXECUTION
    ):
        raise DomainError(
            "conflict",
            f"案件处于“{case.stage_label}”，只能在作出处罚决定之后、结案之前登记执行情况。",
        )
    s = ex.schedule(case)
    if not s.owed:
        raise DomainError("conflict", "本案决定没有罚款，无需登记缴款。")
    return case, s


def _check_day(day: date, case: Case, what: str) -> None:
    if day > local_today():
        raise ValidationFailed(f"{what}不能晚于今天。", field="on")
    assert case.decided_on is not None  # noqa: S101 - checked by _case_in_execution
    if day < case.decided_on:
        raise DomainError(
            "payment_before_decision",
            f"{what}（{ex.cn(day)}）早于处罚决定日期（{ex.cn(case.decided_on)}）。",
            field="on",
        )


def _stop_pay_clock(case: Case, on: date) -> list[dict[str, object]]:
    """Stop the 缴纳罚款 clock once paid in full; the entry carries it (``clocks.replay``)."""
    return clocks.stop_clocks(case, ["pay"], on)


@transaction.atomic(durable=True)
def record_payment(
    *,
    actor: User,
    case_id: int,
    receipt_number: str,
    amount: Decimal | str,
    paid_on: date,
    note: str = "",
) -> Payment:
    """Record a payment of the fine (or of the 加处罚款) from its 缴款书; partial payments too.

    Refused: more than is due on the day paid (the fine not yet paid plus the 加处罚款 accrued to
    that day, 行政处罚法 第72条), dated before the decision or after today, or a 缴款书 recorded
    twice.
    """
    case, _ = _case_in_execution(actor, case_id)
    receipt = receipt_number.strip()
    if not receipt:
        raise ValidationFailed("请填写缴款书编号。", field="receipt_number")
    value = parse_amount(amount, "amount")
    if value is None or value <= 0:
        raise ValidationFailed("缴款金额须大于零。", field="amount")
    _check_day(paid_on, case, "缴款日期")
    if Payment.objects.filter(case=case, receipt_number=receipt).exists():
        raise DomainError("conflict", f"缴款书“{receipt}”已登记，不能重复登记。")
    # What is due on the day paid, this payment included (it may end the surcharge that day).
    later = max([paid_on, *case.payments.values_list("paid_on", flat=True)])
    payment = Payment.objects.create(
        case=case,
        receipt_number=receipt,
        amount=value,
        paid_on=paid_on,
        note=note.strip(),
        recorded_by=actor,
    )
    after = ex.schedule(case, as_of=later)
    if after.paid > after.total_due:
        due = max(after.total_due - (after.paid - value), Decimal(0))
        raise DomainError(
            "payment_exceeds_due",
            f"缴款金额{ex.yuan(value)}超过{ex.cn(paid_on)}应缴的{ex.yuan(due)}"
            f"（罚款{ex.yuan(after.fine or Decimal(0))}，加处罚款{ex.yuan(after.surcharge)}，"
            f"已缴{ex.yuan(after.paid - value)}；{ex.SURCHARGE_BASIS}）。",
            field="amount",
        )
    stopped = _stop_pay_clock(case, paid_on) if after.fine_paid_on is not None else []
    if after.fine_paid_on is not None:  # nothing left for a court to enforce (第53条)
        stopped += court_clocks.stop(case, paid_on)
    append(
        event_type="case.payment_recorded",
        payload={
            "number": case.number,
            "payment": payment.pk,
            "receipt_number": receipt,
            "amount": value,
            "paid_on": paid_on,
            "note": f"缴款书{receipt}：{ex.yuan(value)}（{ex.cn(paid_on)}）",
            "clocks": {"started": [], "stopped": stopped},
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return payment


@transaction.atomic(durable=True)
def approve_arrangement(
    *,
    actor: User,
    case_id: int,
    kind: str,
    on: date,
    due_on: date | None = None,
    instalments: list[tuple[date, Decimal | str]] | None = None,
    note: str = "",
) -> ExecutionRecord:
    """The head approves 延期 (a later deadline) or 分期 (a plan of instalments) of the fine
    on the party's application (行政处罚法 第66条第2款); the 缴纳罚款 clock moves with it."""
    case, s = _case_in_execution(actor, case_id)
    if not (actor.is_superuser or actor.role == Role.HEAD):
        raise DomainError(
            "forbidden", "延期或分期缴纳罚款须经负责人批准（行政处罚法 第66条第2款）。"
        )
    if kind not in {ExecutionKind.DEFERRAL, ExecutionKind.INSTALMENTS}:
        raise ValidationFailed("请选择延期缴纳或分期缴纳。", field="kind")
    _check_day(on, case, "批准日期")
    if not note.strip():
        raise ValidationFailed("请注明当事人的申请和经济困难的情况。", field="note")
    plan: list[ex.Instalment] = []
    if kind == ExecutionKind.INSTALMENTS:
        for day, raw in instalments or []:
            value = parse_amount(raw, "instalments")
            if value is None or value <= 0:
                raise ValidationFailed("每期金额须大于零。", field="instalments")
            plan.append(ex.Instalment(day, value))
        plan.sort(key=lambda i: i.due_on)
        if len(plan) < 2:
            raise ValidationFailed("分期缴纳须至少分两期。", field="instalments")
        if sum((i.amount for i in plan), Decimal(0)) != s.fine:
            raise ValidationFailed(
                f"各期金额之和须等于罚款数额{ex.yuan(s.fine or Decimal(0))}。", field="instalments"
            )
        due_on = plan[-1].due_on
    if due_on is None or (s.base_due_on is not None and due_on <= s.base_due_on):
        raise ValidationFailed(
            f"延期（分期）后的缴纳期限须晚于原定期限{ex.cn(s.base_due_on)}。", field="due_on"
        )
    record = ExecutionRecord.objects.create(
        case=case,
        kind=kind,
        on=on,
        due_on=due_on,
        instalments=ex.format_instalments(plan),
        note=note.strip(),
        recorded_by=actor,
    )
    live = Deadline.objects.filter(case=case, rule="pay")
    for clock in live:
        warn = clocks.warn_date(due_on, clocks.DEFAULT_WARN_DAYS)
        live.filter(pk=clock.pk).update(due_on=due_on, warn_on=min(warn, due_on))
    label = ExecutionKind(kind).label
    append(
        event_type="case.execution_recorded",
        payload={
            "number": case.number,
            "record": record.pk,
            "kind": kind,
            "on": on,
            "due_on": due_on,
            "instalments": record.instalments,
            "note": f"{label}，缴纳期限至{ex.cn(due_on)}。{note.strip()}",
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return record


def _record(
    case: Case,
    actor: User,
    kind: str,
    on: date,
    note: str,
    reason: str = "",
    stopped: list[dict[str, object]] | None = None,
) -> ExecutionRecord:
    record = ExecutionRecord.objects.create(
        case=case, kind=kind, on=on, reason=reason, note=note, recorded_by=actor
    )
    summary = ExecutionKind(kind).label
    if reason:
        summary += f"：{ex.TERMINATION_REASONS[reason]}"
    append(
        event_type="case.execution_recorded",
        payload={
            "number": case.number,
            "record": record.pk,
            "kind": kind,
            "on": on,
            "reason": reason,
            "note": f"{summary}。{note}".rstrip("。") + "。" if note else summary,
            **({"clocks": {"started": [], "stopped": stopped}} if stopped else {}),
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return record


@transaction.atomic(durable=True)
def apply_for_enforcement(
    *, actor: User, case_id: int, on: date, note: str = ""
) -> ExecutionRecord:
    """Record the application to the people's court (行政强制法 第53-55条).

    Refused while the 复议/诉讼 periods run or after the three months, without a 催告书
    delivered at least ten days before, or without the 强制执行申请书.
    """
    case, s = _case_in_execution(actor, case_id)
    if not (actor.is_superuser or actor.role == Role.HEAD):
        raise DomainError("forbidden", "申请人民法院强制执行须经负责人批准（行政强制法 第55条）。")
    _check_day(on, case, "申请日期")
    at = ex.schedule(case, as_of=on)
    why = _not_ready(at, on)
    if why:
        raise DomainError("enforcement_not_ready", f"现在不能申请人民法院强制执行：{why}。")
    if s.enforcement_applied is not None:
        raise DomainError("conflict", "本案已登记申请人民法院强制执行。")
    stopped = court_clocks.stop(case, on)  # applied in time: the window and the 催告 are done
    return _record(
        case, actor, ExecutionKind.ENFORCEMENT_APPLIED, on, note.strip(), stopped=stopped
    )


def _not_ready(s: ex.Schedule, on: date) -> str:
    if s.paid_in_full:
        return "罚款和加处罚款已缴清"
    if s.court_gap:
        return s.court_gap
    if s.court_from is None or s.court_until is None:
        return "行政处罚决定书尚未送达"
    if on < s.court_from:
        return (
            f"申请行政复议（{ex.REVIEW_BASIS}）或提起行政诉讼（{ex.SUIT_BASIS}）的期限"
            f"至{ex.cn(s.court_from - timedelta(days=1))}届满，"
            f"自{ex.cn(s.court_from)}起方可申请（{ex.COURT_BASIS}）"
        )
    if on > s.court_until:
        return f"申请期限已于{ex.cn(s.court_until)}届满（{ex.COURT_BASIS}）"
    reminder = s.reminder
    if reminder is None:
        return f"尚未制发《催告书》（{ex.REMINDER_BASIS}）"
    ripe = reminder.ripe_on()
    if ripe is None:
        return f"《催告书》尚未送达（须制发《送达回证》；{ex.REMINDER_BASIS}）"
    if on < ripe:
        return (
            f"《催告书》于{ex.cn(reminder.delivered_on)}送达，须至{ex.cn(ripe)}起方可申请"
            f"（{ex.REMINDER_BASIS}）"
        )
    if not s.application_issued:
        return "尚未制发《强制执行申请书》（行政强制法 第55条：申请应当提供申请书及有关材料）"
    return ""


@transaction.atomic(durable=True)
def conclude_enforcement(*, actor: User, case_id: int, on: date, note: str) -> ExecutionRecord:
    """Record that the court's enforcement was carried out (its 执行裁定 or 结案通知)."""
    case, s = _case_in_execution(actor, case_id)
    _check_day(on, case, "执行完毕日期")
    applied = s.enforcement_applied
    if applied is None:
        raise DomainError("conflict", "本案尚未登记申请人民法院强制执行。")
    if on < applied.on:
        raise ValidationFailed("执行完毕日期不能早于申请日期。", field="on")
    if not note.strip():
        raise ValidationFailed("请注明人民法院的执行文书（如执行裁定书文号）。", field="note")
    return _record(case, actor, ExecutionKind.ENFORCEMENT_CONCLUDED, on, note.strip())


@transaction.atomic(durable=True)
def terminate_execution(
    *, actor: User, case_id: int, reason: str, on: date, note: str
) -> ExecutionRecord:
    """终结执行 for one of the reasons of 行政强制法 第40条, approved by the head."""
    case, s = _case_in_execution(actor, case_id)
    if not (actor.is_superuser or actor.role == Role.HEAD):
        raise DomainError("forbidden", "终结执行须经负责人批准。")
    if reason not in ex.TERMINATION_REASONS:
        raise ValidationFailed("请选择行政强制法第四十条规定的终结执行事由。", field="reason")
    _check_day(on, case, "终结日期")
    if not note.strip():
        raise ValidationFailed(
            "请注明终结执行的事实和证明材料（如死亡证明、注销登记）。", field="note"
        )
    if s.paid_in_full:
        raise DomainError("conflict", "罚款和加处罚款已缴清，无需终结执行。")
    if s.terminated is not None:
        raise DomainError("conflict", "本案已登记终结执行。")
    return _record(case, actor, ExecutionKind.TERMINATED, on, note.strip(), reason)
