"""The court-enforcement clocks of a penalty decision, as deadline rows (issue 10, item 6).

Two clocks beside 缴纳罚款 (``definitions.PAY_FINE``), shown on the case's clocks and in the
inbox's warnings like every ``Deadline``; each start and stop is carried in the ``clocks`` of
the ledger entry that caused it, so ``clocks.replay`` rebuilds them:

- ``court`` — 申请人民法院强制执行 (行政强制法 第53条): within three months after the periods
  for 行政复议 (60 days, 行政复议法 第20条) and 行政诉讼 (6 months, 行政诉讼法 第46条) ran. Started
  when a decision with a fine is delivered (the step into the delivery stage); it counts from
  the last day of those periods (``starts_on``) to the last day of the three months
  (``due_on``), calendar days, a last day on a holiday moving to the next working day
  (``cases.execution.months_end``). Stopped when the fine is paid, the court is applied to,
  or the case is closed.
- ``reminder`` — the 催告 (行政强制法 第54条): the court may be applied to only once ten days have
  passed since the 催告书 was delivered, and 第69条 makes every period of 十日以内 in that law
  working days (“本法中十日以内期限的规定是指工作日，不含法定节假日”). Started when the
  送达回证 of a 催告书 is issued; ends on the tenth working day after; stopped like ``court``.
  Its end is the day from which the agency may apply, not a day it must act by: the warning
  tells the officer the 催告 period has run with the fine unpaid.

The figures are the law's and ``cases.execution`` holds them; these clocks only make them
visible. Days: 行政处罚法 第85条 and 行政强制法 第69条 (the start day is not counted).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sanxiang.lib.errors import DomainError
from sanxiang.lib.workdays import CalendarGap, add_working_days
from sanxiang.procedures.definitions import Definition, StageRole

from . import execution as ex
from .models import Case, Deadline, DeadlineStatus

COURT = "court"
COURT_LABEL = "申请人民法院强制执行期限（行政强制法 第53条）"
REMINDER = "reminder"
REMINDER_LABEL = "催告期限：送达后十个工作日方可申请强制执行（行政强制法 第54条）"
RULES = (COURT, REMINDER)
WARN_DAYS = 3  # the board's default (deadlines.DEFAULT_WARN_DAYS)
Clocks = dict[str, list[dict[str, Any]]]


def _start(
    case: Case, rule: str, label: str, basis: str, starts_on: date, due_on: date, unit: str
) -> dict[str, Any]:
    from .deadlines import warn_date  # deadlines calls this module: imported late

    days = (due_on - starts_on).days if unit == "calendar" else ex.REMINDER_DAYS
    warn = min(warn_date(due_on, WARN_DAYS), due_on)
    warn = max(warn, starts_on)
    fields = {
        "agency_id": case.agency_id,
        "label": label,
        "basis": basis[:200],
        "days": days,
        "unit": unit,
        "starts_on": starts_on,
        "due_on": due_on,
        "warn_on": warn,
        "status": DeadlineStatus.RUNNING,
        "stopped_on": None,
    }
    # A second 催告书 (行政强制法 第35条: again after a change) starts its period again.
    Deadline.objects.update_or_create(case=case, rule=rule, defaults=fields)
    return {
        "rule": rule,
        "starts_on": starts_on,
        "days": days,
        "unit": unit,
        "due_on": due_on,
        "warn_on": warn,
    }


def stop(case: Case, on: date) -> list[dict[str, Any]]:
    """Stop the running court clocks (fine paid, court applied to, case closed)."""
    from .deadlines import stop_clocks

    return sorted(stop_clocks(case, RULES, on), key=lambda s: str(s["rule"]))


def on_stage_entered(case: Case, definition: Definition, target: str, on: date) -> Clocks:
    """Inside a transition (``deadlines.stage_entered``): the court window starts on delivery
    of a decision with a fine; closing stops both clocks."""
    if definition.has_role(target, StageRole.CLOSING, StageRole.ARCHIVED):
        return {"started": [], "stopped": stop(case, on)}
    if not definition.has_role(target, StageRole.DELIVERY) or definition.category != "penalty":
        return {"started": [], "stopped": []}
    if ex.fine_of(case) is None or Deadline.objects.filter(case=case, rule=COURT).exists():
        return {"started": [], "stopped": []}
    try:
        review_ends = ex.calendar_end(on, ex.REVIEW_DAYS)
        suit_ends = ex.months_end(on, ex.SUIT_MONTHS)
        last = max(review_ends, suit_ends)
        until = ex.months_end(last, ex.COURT_MONTHS)
    except DomainError:  # calendar_gap: the window is not guessed (DOMAIN.md); the page says so
        return {"started": [], "stopped": []}
    basis = f"{ex.COURT_BASIS}；复议：{ex.REVIEW_BASIS}；诉讼：{ex.SUIT_BASIS}"
    started = _start(case, COURT, COURT_LABEL, basis, last, until, "calendar")
    return {"started": [started], "stopped": []}


def on_receipt_issued(case: Case, *, receipt_id: int, on: date) -> Clocks:
    """Inside the issue of a 送达回证: if it is the first after the case's last 催告书, the
    催告书 is delivered today and its ten working days start."""
    from sanxiang.documents.models import IssuedDocument  # documents sits above cases

    rows = list(
        IssuedDocument.objects.filter(
            case=case, kind__in=[ex.REMINDER_KIND, ex.RECEIPT_KIND], pk__lte=receipt_id
        )
        .order_by("-pk")
        .values_list("kind", flat=True)[:2]
    )
    if rows != [ex.RECEIPT_KIND, ex.REMINDER_KIND]:
        return {"started": [], "stopped": []}
    try:
        due = add_working_days(on, ex.REMINDER_DAYS)
    except CalendarGap:
        return {"started": [], "stopped": []}
    started = _start(case, REMINDER, REMINDER_LABEL, ex.REMINDER_BASIS, on, due, "working")
    return {"started": [started], "stopped": []}


def ripe_on(clock: Deadline) -> date:
    """The first day the court may be applied to after a ``reminder`` clock."""
    return clock.due_on + timedelta(days=1)
