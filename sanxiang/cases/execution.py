"""The execution of a penalty decision, computed (issue 10, items 6 and 7).

Read-only: ``schedule(case)`` tells what the party owes on a day and why, from the decision
(the fine of the decided draft), the day the decision was delivered (the ledger's
``case.transition`` into the delivery stage), the payments and the execution records. The
services (``services/execution.py``) refuse on what it says; the case page shows it; the
结案 guard (``closing_guard``) asks it whether the decision was executed. Every period cites
its article; money is ``Decimal`` yuan.

The law, as encoded here:
- 行政处罚法 第67条第3款: the fine is paid within 15 days of receiving the decision. A calendar
  period (第85条 makes only 二日、三日、五日、七日 working days); its last day falling on a
  holiday or weekend moves to the next working day.
- 第66条第2款: on the party's application the agency may approve 暂缓 (延期) or 分期 payment.
- 第72条第1款第（一）项: for each day after the deadline, 3 % of the fine is added, never more
  than the fine (行政强制法 第45条). Days are counted from the day after the deadline up to the
  day the fine itself is paid in full (payments go to the fine first, so the surcharge stops as
  soon as the fine is paid); with 分期, from the day after the first instalment not met.
- 行政强制法 第53条: an agency without its own power of enforcement may apply to the people's
  court within three months after the periods for 行政复议 (60 days, 行政复议法 第20条) and
  行政诉讼 (6 months, 行政诉讼法 第46条) ran; 第54条: only once ten days have passed since a
  催告书 was delivered — working days, 第69条 making every period of 十日以内 one. The
  delivery is the 送达回证 issued after the 催告书 (the documents app's rule for 送达).
- 行政强制法 第40条: enforcement ends (终结执行) for the reasons it lists.
"""

from __future__ import annotations

import calendar as month_calendar
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanxiang.ledger import registry
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.lib.money import late_payment_surcharge
from sanxiang.lib.workdays import CalendarGap, add_working_days, is_working_day
from sanxiang.procedures.definitions import StageRole
from sanxiang.procedures.engine import GuardContext

from .execution_models import TERMINATION_REASONS as TERMINATION_REASONS
from .execution_models import ExecutionKind, ExecutionRecord, Payment
from .models import Case, DecisionDraft, DecisionKind

ZERO = Decimal("0.00")

PAY_DAYS = 15
PAY_BASIS = (
    "行政处罚法 第67条第3款：自收到行政处罚决定书之日起十五日内缴纳罚款"
    "（第85条：日历日；届满日为节假日的，顺延至其后的第一个工作日）"
)
ARRANGEMENT_BASIS = (
    "行政处罚法 第66条第2款：当事人确有经济困难，经申请和行政机关批准，可以暂缓或者分期缴纳"
)
SURCHARGE_BASIS = (
    "行政处罚法 第72条第1款第（一）项：到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
    "加处罚款的数额不得超出罚款的数额（行政强制法 第45条）"
)
REVIEW_DAYS = 60
REVIEW_BASIS = "行政复议法 第20条：自知道行政行为之日起六十日内申请行政复议"
SUIT_MONTHS = 6
SUIT_BASIS = "行政诉讼法 第46条：自知道作出行政行为之日起六个月内提起诉讼"
COURT_MONTHS = 3
COURT_BASIS = (
    "行政强制法 第53条：当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行的，"
    "自期限届满之日起三个月内申请人民法院强制执行"
)
REMINDER_DAYS = 10
REMINDER_BASIS = (
    "行政强制法 第54条：申请前应当催告；催告书送达十日后当事人仍未履行的，方可申请"
    "（第69条：十日以内的期限是指工作日）"
)
TERMINATION_BASIS = "行政强制法 第40条：终结执行"


# The documents of the court application, issued through the documents app (kinds.py).
REMINDER_KIND = "payment_reminder"
APPLICATION_KIND = "enforcement_application"
RECEIPT_KIND = "delivery_receipt"


def cn(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}元"


def roll_to_working_day(day: date) -> date:
    """A calendar period whose last day is a holiday ends on the next working day."""
    try:
        while not is_working_day(day):
            day += timedelta(days=1)
    except CalendarGap as error:
        raise DomainError("calendar_gap", str(error)) from None
    return day


def calendar_end(start: date, days: int) -> date:
    """The last day of a period of ``days`` calendar days from ``start`` (not counted)."""
    return roll_to_working_day(start + timedelta(days=days))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day where it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def months_end(start: date, months: int) -> date:
    return roll_to_working_day(add_months(start, months))


@dataclass(frozen=True)
class Instalment:
    due_on: date
    amount: Decimal


def parse_instalments(text: str) -> list[Instalment]:
    """The stored plan ``YYYY-MM-DD:amount;…`` (written by the service, in date order)."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        day, amount = part.split(":", 1)
        out.append(Instalment(date.fromisoformat(day), Decimal(amount)))
    return out


def format_instalments(plan: list[Instalment]) -> str:
    return ";".join(f"{i.due_on.isoformat()}:{i.amount}" for i in plan)


def fine_of(case: Case) -> Decimal | None:
    """The fine of the decision (罚款 as the kind or imposed together, 并处), once decided."""
    if case.decided_on is None:
        return None
    draft = DecisionDraft.objects.filter(case=case).first()
    if draft is None or draft.fine_amount is None or draft.fine_amount <= 0:
        return None
    if draft.kind != DecisionKind.FINE and DecisionKind.FINE not in draft.additional_kinds:
        return None
    return draft.fine_amount


def _entries(case: Case, *codes: str) -> list[tuple[date, str, dict[str, Any]]]:
    rows = Entry.objects.filter(case_id=case.pk, event_type__in=registry.codes_of(*codes))
    out = []
    for at, code, raw in rows.order_by("id").values_list("created_at", "event_type", "payload"):
        event_type = registry.lookup(code)
        out.append(
            (timezone.localdate(at), event_type.code if event_type else code, json.loads(raw))
        )
    return out


def delivered_on(case: Case) -> date | None:
    """The day the case last entered its delivery stage (the party received the decision)."""
    delivery = case.definition.codes_with_role(StageRole.DELIVERY)
    found = None
    for _, _, payload in _entries(case, "case.transition"):
        if payload.get("target") in delivery:
            found = date.fromisoformat(str(payload["on"]))
    return found


@dataclass(frozen=True)
class Issued:
    kind: str
    on: date
    number: str


def issued_documents(case: Case) -> list[Issued]:
    """The case's documents as the ledger records their issue (cases does not import the
    documents app; the ``document.issued`` entry is the fact)."""
    return [
        Issued(str(p.get("kind", "")), day, str(p.get("number", "")))
        for day, _, p in _entries(case, "document.issued")
    ]


@dataclass(frozen=True)
class Reminder:
    """The 催告书 (行政强制法 第54条) and the day its 送达回证 was issued (None: not yet)."""

    issued_on: date
    number: str
    delivered_on: date | None

    def ripe_on(self) -> date | None:
        """The first day the court may be applied to: after the ten days from delivery, which
        are working days (行政强制法 第69条: 十日以内 periods are working days)."""
        if self.delivered_on is None:
            return None
        try:
            return add_working_days(self.delivered_on, REMINDER_DAYS) + timedelta(days=1)
        except CalendarGap as error:
            raise DomainError("calendar_gap", str(error)) from None


def reminder_of(documents: list[Issued]) -> Reminder | None:
    last = None
    for index, doc in enumerate(documents):
        if doc.kind == REMINDER_KIND:
            last = index
    if last is None:
        return None
    doc = documents[last]
    receipt = next((d for d in documents[last + 1 :] if d.kind == RECEIPT_KIND), None)
    return Reminder(doc.on, doc.number, receipt.on if receipt else None)


@dataclass
class Schedule:
    """What the decision asks of the party and where its execution stands on ``as_of``."""

    case: Case
    as_of: date
    fine: Decimal | None
    delivered_on: date | None = None
    base_due_on: date | None = None  # 第67条: fifteen days after delivery (rolled)
    due_on: date | None = None  # the deadline after a 延期/分期 approval
    arrangement: ExecutionRecord | None = None
    instalments: list[Instalment] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    records: list[ExecutionRecord] = field(default_factory=list)
    paid: Decimal = ZERO
    fine_paid_on: date | None = None  # the day the fine itself was paid in full
    late_from: date | None = None  # the first day counted for the surcharge
    days_late: int = 0
    surcharge: Decimal = ZERO
    review_ends: date | None = None
    suit_ends: date | None = None
    court_from: date | None = None
    court_until: date | None = None
    reminder: Reminder | None = None
    application_issued: bool = False
    court_gap: str = ""  # why the court window cannot be computed yet (工作日历缺少某年)

    @property
    def owed(self) -> bool:
        return self.fine is not None

    @property
    def total_due(self) -> Decimal:
        return (self.fine or ZERO) + self.surcharge

    @property
    def outstanding(self) -> Decimal:
        return max(self.total_due - self.paid, ZERO)

    @property
    def fine_outstanding(self) -> Decimal:
        return max((self.fine or ZERO) - self.paid, ZERO)

    @property
    def surcharge_outstanding(self) -> Decimal:
        return self.outstanding - self.fine_outstanding

    def record(self, kind: str) -> ExecutionRecord | None:
        found = [r for r in self.records if r.kind == kind]
        return found[-1] if found else None

    @property
    def terminated(self) -> ExecutionRecord | None:
        return self.record(ExecutionKind.TERMINATED)

    @property
    def enforcement_applied(self) -> ExecutionRecord | None:
        return self.record(ExecutionKind.ENFORCEMENT_APPLIED)

    @property
    def enforcement_concluded(self) -> ExecutionRecord | None:
        return self.record(ExecutionKind.ENFORCEMENT_CONCLUDED)

    @property
    def paid_in_full(self) -> bool:
        return self.owed and self.outstanding == ZERO

    @property
    def executed(self) -> bool:
        """Nothing owed, paid in full (加处罚款 included), enforced by the court, or ended by a
        lawful 终结 reason (行政强制法 第40条)."""
        return (
            not self.owed
            or self.paid_in_full
            or self.enforcement_concluded is not None
            or self.terminated is not None
        )

    def level(self) -> str:
        """For the page: ``red`` once late and unpaid, ``yellow`` while the period runs."""
        if not self.owed or self.executed or self.due_on is None:
            return ""
        return "red" if self.as_of > self.due_on else "yellow"

    def missing(self) -> str:
        """Why the decision is not executed, in Chinese (for the 结案 refusal)."""
        parts = [f"罚款尚欠{yuan(self.fine_outstanding)}"]
        if self.surcharge > 0:
            parts.append(
                f"加处罚款{yuan(self.surcharge)}（逾期{self.days_late}日）"
                f"尚欠{yuan(self.surcharge_outstanding)}"
            )
        if self.enforcement_applied is not None:
            parts.append("已申请人民法院强制执行，尚未登记执行完毕")
        return "，".join(parts)


def _days_late(
    fine: Decimal, due_on: date | None, plan: list[Instalment], payments: list[Payment], end: date
) -> tuple[date | None, int]:
    """The first day counted and the number of days counted up to ``end``."""
    if due_on is None:
        return None, 0
    default_on = due_on
    if plan:
        default_on = None  # type: ignore[assignment]
        cumulative = ZERO
        for instalment in plan:
            cumulative += instalment.amount
            paid_by = sum((p.amount for p in payments if p.paid_on <= instalment.due_on), ZERO)
            if paid_by < min(cumulative, fine):
                default_on = instalment.due_on
                break
        if default_on is None:
            return None, 0
    late_from = default_on + timedelta(days=1)
    return late_from, max((end - default_on).days, 0)


def schedule(case: Case, *, as_of: date | None = None) -> Schedule:
    """The execution of ``case`` as it stands on ``as_of`` (today by default)."""
    day = as_of or timezone.localdate()
    fine = fine_of(case)
    s = Schedule(case=case, as_of=day, fine=fine)
    if fine is None:
        return s
    s.payments = list(case.payments.order_by("paid_on", "pk"))
    s.records = list(case.execution_records.order_by("on", "pk"))
    s.delivered_on = delivered_on(case)
    s.paid = sum((p.amount for p in s.payments if p.paid_on <= day), ZERO)
    running = ZERO
    for p in s.payments:
        running += p.amount
        if running >= fine:
            s.fine_paid_on = p.paid_on
            break
    arrangements = [
        r for r in s.records if r.kind in {ExecutionKind.DEFERRAL, ExecutionKind.INSTALMENTS}
    ]
    s.arrangement = arrangements[-1] if arrangements else None
    if s.delivered_on is not None:
        s.base_due_on = calendar_end(s.delivered_on, PAY_DAYS)
        try:
            s.review_ends = calendar_end(s.delivered_on, REVIEW_DAYS)
            s.suit_ends = months_end(s.delivered_on, SUIT_MONTHS)
            last = max(s.review_ends, s.suit_ends)
            s.court_from = last + timedelta(days=1)
            s.court_until = months_end(last, COURT_MONTHS)
        except DomainError as error:
            # A year the calendar cannot yet tell: the window is not guessed (DOMAIN.md).
            s.court_gap = error.message
    s.due_on = s.base_due_on
    if s.arrangement is not None:
        s.due_on = s.arrangement.due_on
        if s.arrangement.kind == ExecutionKind.INSTALMENTS:
            s.instalments = parse_instalments(s.arrangement.instalments)
    end = min(s.fine_paid_on, day) if s.fine_paid_on else day
    s.late_from, s.days_late = _days_late(fine, s.due_on, s.instalments, s.payments, end)
    s.surcharge = late_payment_surcharge(fine, s.days_late)
    documents = issued_documents(case)
    s.reminder = reminder_of(documents)
    s.application_issued = any(d.kind == APPLICATION_KIND for d in documents)
    return s


def closing_guard(context: GuardContext) -> None:
    """The guard: no 结案 of a decided case whose decision is not executed (issue 10, item 7)."""
    if not context.enters(StageRole.CLOSING):
        return
    case = context.case
    if case.decided_on is None:
        return  # 不予立案, 撤销立案: nothing was decided, nothing to execute
    s = schedule(case, as_of=context.on or timezone.localdate())
    if s.executed:
        return
    raise DomainError(
        "execution_incomplete",
        f"行政处罚决定尚未执行完毕，不能结案：{s.missing()}。须缴清罚款和加处罚款"
        "（行政处罚法 第67条、第72条），或登记人民法院强制执行完毕，"
        f"或登记终结执行的法定事由（{TERMINATION_BASIS}）。",
    )
