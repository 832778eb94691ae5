"""What cases put in people's 待办 (registered into ``sanxiang.workbench.inbox``).

- the head: cases waiting for the head's approval (the stages from which the procedure
  definition's next step is a head-approval step: 批准立案, 作出决定 …; and 结案 once the officer
  asked for it, 报请结案), and 回避 requests;
- the case team: a 报请结案 the head sent back, decisions to deliver (送达), and running clocks
  near or past their due date,
  by the deadline board's rules (yellow from ``warn_on``, red after ``due_on``).

Each source is two queries (a count and the first ``limit`` rows) whatever the number of cases.
"""

from __future__ import annotations

from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from sanxiang.accounts.models import Role, User
from sanxiang.procedures.definitions import CLOSED_ROLES, DEFINITIONS, Definition, StageRole
from sanxiang.workbench.inbox import RED, YELLOW, Context, Item, Section, cn_date
from sanxiang.workbench.notifications import Event, Notice, users_with_role

from .models import (
    Case,
    CaseMember,
    ClosingRequest,
    ClosingRequestStatus,
    Deadline,
    DeadlineStatus,
    Recusal,
    RecusalStatus,
)

# Where a case goes when it leaves the main line (不予立案, 撤销立案): a head-only step that ends
# there does not make the case wait for the head (an investigation may be revoked, but it is
# not waiting for that).
_EXITS = CLOSED_ROLES


def awaiting_head(definition: Definition) -> dict[str, str]:
    """Stage → the head's step it waits for, read from the definition (so it cannot drift).

    A step into 结案 is the head's too, but a case in 执行 is not waiting for it until the
    officer asks (报请结案, ``closing_requested``): being able to close is not being done."""
    ends = definition.codes_with_role(*_EXITS) | {s.code for s in definition.stages if s.final}
    waiting: dict[str, str] = {}
    for stage in definition.stages:
        steps = definition.next_steps(stage.code)
        forward = [s for s in steps if s.head_approval and s.target not in ends]
        if forward:
            waiting[stage.code] = forward[0].label
    return waiting


def _closing_asked() -> Exists:
    return Exists(
        ClosingRequest.objects.filter(case=OuterRef("pk"), status=ClosingRequestStatus.PENDING)
    )


def _stages_where(pick: Any) -> Q:
    """``Q`` matching cases whose (procedure, stage) ``pick(definition)`` names."""
    parts = [
        Q(procedure=code, stage__in=sorted(stages))
        for code, definition in DEFINITIONS.items()
        if (stages := pick(definition))
    ]
    return reduce(or_, parts) if parts else Q(pk__in=[])


def _is_head(ctx: Context) -> bool:
    return ctx.role == Role.HEAD


def _team_cases(ctx: Context) -> QuerySet[Case]:
    return Case.objects.filter(
        members__officer__user=ctx.user, members__recused=False, closed_on__isnull=True
    )


def approvals(user: Any, ctx: Context) -> Section | None:
    """待我审批: the head's approval steps (行政处罚法 第54条 立案, 第57条 决定 …)."""
    if not _is_head(ctx):
        return None
    asked = _closing_asked()
    waiting = Case.objects.filter(
        _stages_where(awaiting_head) | Q(asked), agency_id__in=ctx.scope, closed_on__isnull=True
    )
    count = waiting.count()
    items = []
    if ctx.limit and count:
        rows = waiting.annotate(closing_asked=asked).order_by("opened_on", "pk")[: ctx.limit]
        for case in rows:
            closing = case.definition.closing_steps(case.stage) if case.closing_asked else []
            if closing:
                # 结案审批表: the head signs it where the request is shown, on the stage panel
                # (twin steps into 结案, as at 审查, are named both).
                label = "或".join(s.label for s in closing)
                title, anchor = f"结案审批（{label}）：{case.title}", "closing-request"
            else:
                step = awaiting_head(case.definition).get(case.stage, "")
                title, anchor = f"{step}：{case.title}", "case-stage"
            items.append(
                Item(
                    title=title,
                    url=reverse("cases:detail", args=[case.pk]) + f"#{anchor}",
                    detail=f"{case.procedure_label} · 当前阶段“{case.stage_label}”",
                    case_number=case.number,
                )
            )
    return Section(
        "cases.approvals", "待我审批", 10, count, items, reverse("cases:list"), "check2-square"
    )


def recusals(user: Any, ctx: Context) -> Section | None:
    """回避申请 for the head to decide (行政处罚法 第43条)."""
    if not _is_head(ctx):
        return None
    pending = Recusal.objects.filter(status=RecusalStatus.PENDING, case__agency_id__in=ctx.scope)
    count = pending.count()
    items = [
        Item(
            title=f"回避申请：{r.member.officer.name}（{r.case.title}）",
            url=reverse("cases:detail", args=[r.case_id]) + "#team-heading",
            detail=f"申请人 {r.requested_by}：{r.reason[:60]}",
            case_number=r.case.number,
        )
        for r in pending.select_related("case", "member__officer").order_by("requested_at", "pk")[
            : ctx.limit
        ]
    ]
    return Section("cases.recusals", "回避待决定", 12, count, items, icon="person-x")


def to_deliver(user: Any, ctx: Context) -> Section | None:
    """My decided cases whose decision is still to be delivered (行政处罚法 第61条: 7 days)."""

    def delivering(definition: Definition) -> set[str]:
        into = definition.codes_with_role(StageRole.DELIVERY)
        return {s.source for s in definition.steps if s.target in into}

    waiting = _team_cases(ctx).filter(_stages_where(delivering))
    count = waiting.count()
    items = [
        Item(
            title=f"送达决定书：{case.title}",
            url=reverse("cases:detail", args=[case.pk]) + "#case-stage",
            detail=f"{case.procedure_label} · 决定日期 {cn_date(case.decided_on)}"
            if case.decided_on
            else case.procedure_label,
            case_number=case.number,
        )
        for case in waiting.order_by("decided_on", "pk")[: ctx.limit]
    ]
    return Section("cases.delivery", "待送达文书", 30, count, items, icon="envelope-paper")


def deadlines(user: Any, ctx: Context) -> Section | None:
    """Clocks of my cases (the head's and the supervisor's: all they see) near or past due."""
    near = Deadline.objects.filter(status=DeadlineStatus.RUNNING, warn_on__lte=ctx.today)
    if ctx.role in {Role.HEAD, Role.SUPERVISOR}:
        # The deadline board's index (agency, status, due_on) answers this for any agency size.
        near = near.filter(agency_id__in=ctx.scope)
    else:
        near = near.filter(
            case__members__officer__user=user,
            case__members__recused=False,
            case__agency_id__in=ctx.scope,
        )
    count = near.count()
    items = []
    for d in near.select_related("case").order_by("due_on", "pk")[: ctx.limit]:
        level = RED if d.due_on < ctx.today else YELLOW
        state = "已逾期" if level == RED else "即将届满"
        items.append(
            Item(
                title=f"{d.label}：{d.case.title}",
                url=reverse("cases:detail", args=[d.case_id]) + "#case-deadlines",
                detail=f"{state} · 届满日 {cn_date(d.due_on)}",
                level=level,
                due_on=d.due_on,
                case_number=d.case.number,
            )
        )
    return Section("cases.deadlines", "办案时限预警", 40, count, items, icon="alarm")


def closing_returned(user: Any, ctx: Context) -> Section | None:
    """My cases whose 报请结案 the head sent back: what to mend, with the head's reason."""
    latest = ClosingRequest.objects.filter(case=OuterRef("pk")).order_by("-pk")
    returned = (
        _team_cases(ctx)
        .filter(agency_id__in=ctx.scope)
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_note=Subquery(latest.values("decision_note")[:1]),
        )
        .filter(last_status=ClosingRequestStatus.RETURNED)
    )
    count = returned.count()
    items = [
        Item(
            title=f"结案被退回：{case.title}",
            url=reverse("cases:detail", args=[case.pk]) + "#closing-request",
            detail=f"负责人意见：{case.last_note[:60]}" if case.last_note else "负责人退回",
            level=YELLOW,
            case_number=case.number,
        )
        for case in (returned.order_by("pk")[: ctx.limit] if count and ctx.limit else ())
    ]
    return Section(
        "cases.closing_returned", "结案被退回", 15, count, items, icon="arrow-return-left"
    )


SOURCES = (approvals, recusals, closing_returned, to_deliver, deadlines)


# --- notifications (sanxiang.workbench.notifications): who is told when a case moves ------------


def _team(case_id: int) -> set[int]:
    return set(
        CaseMember.objects.filter(case_id=case_id, recused=False).values_list(
            "officer__user_id", flat=True
        )
    ) - {None}


def _case(event: Event) -> Case | None:
    if event.case_id is None:
        return None
    return Case.objects.filter(pk=event.case_id).first()


def _case_url(case: Case, anchor: str = "case-stage") -> str:
    return reverse("cases:detail", args=[case.pk]) + f"#{anchor}"


def on_opened(event: Event) -> list[Notice]:
    case = _case(event)
    if case is None:
        return []
    step = awaiting_head(case.definition).get(case.definition.initial.code)
    if step is None:
        return []
    heads = users_with_role(case.agency_id, Role.HEAD)
    return [Notice(heads, f"待{step}：{case.title}（{case.number}）", _case_url(case))]


def on_transition(event: Event) -> list[Notice]:
    case = _case(event)
    if case is None:
        return []
    target = str(event.payload.get("target", ""))
    definition = case.definition
    notices = []
    step = awaiting_head(definition).get(target)
    if step is not None:
        heads = users_with_role(case.agency_id, Role.HEAD)
        notices.append(Notice(heads, f"待{step}：{case.title}（{case.number}）", _case_url(case)))
    into = definition.codes_with_role(StageRole.DELIVERY)
    if any(s.source == target and s.target in into for s in definition.steps):
        notices.append(
            Notice(_team(case.pk), f"已作出决定，请及时送达：{case.title}", _case_url(case))
        )
    return notices


def on_closing_requested(event: Event) -> list[Notice]:
    case = _case(event)
    if case is None:
        return []
    heads = users_with_role(case.agency_id, Role.HEAD)
    return [Notice(heads, f"报请结案待审批：{case.title}（{case.number}）", _closing_url(case))]


def on_closing_returned(event: Event) -> list[Notice]:
    case = _case(event)
    if case is None:
        return []
    note = str(event.payload.get("note", ""))[:60]
    return [Notice(_team(case.pk), f"结案申请被退回：{case.title}（{note}）", _closing_url(case))]


def _closing_url(case: Case) -> str:
    return _case_url(case, "closing-request")


def on_recusal_requested(event: Event) -> list[Notice]:
    case = _case(event)
    if case is None:
        return []
    heads = users_with_role(case.agency_id, Role.HEAD)
    return [Notice(heads, f"回避申请待决定：{case.title}", _case_url(case, "team-heading"))]


NOTICES = (
    ("case.opened", on_opened),
    ("case.transition", on_transition),
    ("case.recusal_requested", on_recusal_requested),
    ("case.closing_requested", on_closing_requested),
    ("case.closing_returned", on_closing_returned),
)


def deadline_digest(today: date) -> dict[int, list[str]]:
    """Per person: the running clocks of their cases near or past due (heads: agency totals)."""
    near = Deadline.objects.filter(status=DeadlineStatus.RUNNING, warn_on__lte=today)
    lines: dict[int, list[str]] = {}
    team = near.filter(case__members__recused=False, case__members__officer__user__isnull=False)
    for uid, label, number, title, due in team.values_list(
        "case__members__officer__user_id", "label", "case__number", "case__title", "due_on"
    ).order_by("due_on", "pk"):
        state = "已逾期" if due < today else "即将届满"
        lines.setdefault(uid, []).append(
            f"{state}：{number} {title} · {label}，届满日 {cn_date(due)}"
        )
    totals = near.values("agency_id").annotate(
        red=Count("pk", filter=Q(due_on__lt=today)), yellow=Count("pk", filter=Q(due_on__gte=today))
    )
    by_agency = {t["agency_id"]: t for t in totals}
    if by_agency:
        heads = User.objects.filter(role=Role.HEAD, is_active=True, agency__isnull=False)
        for head in heads.select_related("agency"):
            body = head.agency.enforcement_body() if head.agency else None
            t = by_agency.get(body.pk) if body else None
            if t:
                lines.setdefault(head.pk, []).insert(
                    0, f"本机关办案时限：已逾期 {t['red']} 项，即将届满 {t['yellow']} 项。"
                )
    return lines
