"""一公开: the publication clock of 双随机 results, on disclosure's rules.

国办发〔2015〕58号《国务院办公厅关于推广随机抽查规范事中事后监管的通知》二(四): 抽查情况及查处
结果要及时公布，接受社会监督. The local rule (DOMAIN.md, 双随机 results) makes "及时" 20 working
days after the inspection ends (``lib.workdays``, 第85条's reading of 日). The inspection ends on
its recorded date; until a result is recorded it ends at the latest with the plan's period, so
the clock of an unrecorded assignment runs from the period's last day.

The warnings are disclosure's (``disclosure.queries.clock_warning``, the agency's 提前预警 of its
"其他行政执法决定" rule): yellow within the warning days, red once the due date has passed; 公示
staff (head, admin) see them in 待办 beside the decisions to publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.urls import reverse

from sanxiang.disclosure.models import RuleCategory
from sanxiang.disclosure.queries import OtherClock, clock_warning
from sanxiang.disclosure.services import rule_for
from sanxiang.lib import workdays

from .models import Assignment, DrawStatus, Outcome, Plan

RESULT_DAYS = 20  # working days after the inspection ends (local rule; 国办发〔2015〕58号 二(四))
BASIS = (
    "国办发〔2015〕58号 二(四)：抽查情况及查处结果及时公布；"
    "本地规则：自检查结束之日起20个工作日内公开"
)


def due_after(end: date) -> tuple[date | None, int | None]:
    """The due date, or (None, year) when the calendar lacks a year (flagged, never guessed)."""
    try:
        return workdays.add_working_days(end, RESULT_DAYS), None
    except workdays.CalendarGap as gap:
        return None, gap.year


@dataclass(frozen=True)
class Waiting:
    """An active assignment whose clock runs (its plan's period is over) without a result."""

    assignment: Assignment
    due_on: date | None
    level: str  # "red", "yellow" or ""
    note: str


def unpublished(agency_ids: set[int], today: date) -> Any:
    """Active drawn assignments executed by the agencies, period over, no result published."""
    return Assignment.objects.filter(
        target__agency_id__in=list(agency_ids),
        active=True,
        published_at__isnull=True,
        draw__status=DrawStatus.DRAWN,
        plan__period_end__lt=today,
    )


def waiting(agency_ids: set[int], today: date, *, limit: int | None = 50) -> list[Waiting]:
    """The unpublished results with their clock and warning, most urgent first (one due date
    per plan: the period's end is the plan's)."""
    rows = (
        unpublished(agency_ids, today)
        .select_related("plan", "target")
        .order_by("plan__period_end", "pk")
    )
    warn: dict[int, int] = {}
    dues: dict[int, tuple[date | None, int | None]] = {}
    out = []
    for a in rows[:limit] if limit else rows:
        agency_id = a.target.agency_id
        if agency_id not in warn:
            warn[agency_id] = rule_for(agency_id, RuleCategory.OTHER).warn_days
        if a.plan_id not in dues:
            dues[a.plan_id] = due_after(a.plan.period_end)
        due_on, gap_year = dues[a.plan_id]
        level, note = clock_warning(due_on, warn[agency_id], today, gap_year=gap_year)
        out.append(Waiting(a, due_on, level, note))
    return out


def overdue_cutoff(today: date) -> date:
    """The last period end whose 20 working days are over by ``today`` (working days only grow
    with the start, so "due before today" is one date comparison in SQL)."""
    day = today - timedelta(days=RESULT_DAYS)
    while True:
        due, _ = due_after(day)
        if due is not None and due < today:
            return day
        day -= timedelta(days=1)


def queue_rows(agency_ids: set[int], today: date) -> list[OtherClock]:
    """The 公示管理 page's rows (``disclosure.queries.register_clock_source``)."""
    return [
        OtherClock(
            kind="双随机抽查结果",
            subject=f"{w.assignment.plan.number} 第{w.assignment.position}号 "
            f"{w.assignment.target.name}",
            url=reverse("inspections:assignment", args=[w.assignment.pk]),
            due_on=w.due_on,
            level=w.level,
            note=(w.note + "；" if w.note else "") + BASIS,
        )
        for w in waiting(agency_ids, today)
    ]


def counts(agency_ids: set[int], today: date) -> dict[int, dict[str, int]]:
    """Per executing agency: results published, published late, and unpublished past due (a
    fixed two queries, whatever the number of agencies: the cockpit counts them)."""
    ids = list(agency_ids)
    out: dict[int, dict[str, int]] = {}

    def row(agency_id: int) -> dict[str, int]:
        return out.setdefault(agency_id, {"published": 0, "late": 0, "overdue": 0})

    published = (
        Assignment.objects.filter(
            target__agency_id__in=ids, active=True, published_at__isnull=False
        )
        .values("target__agency_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(published_at__date__gt=F("publish_by"))))
        .order_by()
    )
    for found in published:
        row(found["target__agency_id"]).update(published=found["n"], late=found["late"])
    overdue = (
        unpublished(agency_ids, today)
        .filter(plan__period_end__lte=overdue_cutoff(today))
        .values("target__agency_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for found in overdue:
        row(found["target__agency_id"])["overdue"] = found["n"]
    return out


def report_rows(agency_id: int, year: int) -> list[list[Any]]:
    """The 年报's 双随机、一公开 rows: plans of the year the agency executes assignments of."""
    of_year = Assignment.objects.filter(
        target__agency_id=agency_id, active=True, plan__year=year, draw__status=DrawStatus.DRAWN
    )
    figures = of_year.aggregate(
        drawn=Count("pk"),
        published=Count("pk", filter=Q(published_at__isnull=False)),
        on_time=Count(
            "pk", filter=Q(published_at__isnull=False, published_at__date__lte=F("publish_by"))
        ),
        rectify=Count("pk", filter=Q(outcome=Outcome.RECTIFY)),
        penalty=Count("pk", filter=Q(outcome=Outcome.PENALTY)),
    )
    plans = Plan.objects.filter(year=year, assignments__in=of_year).distinct().count()
    return [
        ["双随机抽查：抽查计划（个）", plans],
        ["双随机抽查：抽取检查对象（户）", figures["drawn"]],
        ["双随机抽查：已公开检查结果（件）", figures["published"]],
        ["其中：检查结束后20个工作日内公开（件）", figures["on_time"]],
        ["双随机抽查发现问题：责令整改（件）", figures["rectify"]],
        ["双随机抽查发现问题：立案查处（件）", figures["penalty"]],
    ]
