"""What the party's side puts in staff 待办 (registered into ``sanxiang.workbench.inbox``).

- 网上申请待受理: online applications at their first stage (the 5 working days of 行政许可法
  第32条 to ask for 补正 run: yellow near the end, red after it — the application then counts as
  accepted), and those whose 补正 arrived (受理 counted from that day);
- 当事人要求听证: penalty cases whose party asked for a hearing online and that have not
  entered the hearing stage (行政处罚法 第64条: notice served seven days before it).

For the head of the agency (who may take these steps on any case) and the case team. Each
source is two queries (a count and the first ``limit`` rows).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from sanxiang.accounts.models import Role
from sanxiang.cases.models import Case, CaseMember, Deadline, DeadlineStatus
from sanxiang.procedures.definitions import DEFINITIONS, StageRole
from sanxiang.workbench.inbox import RED, YELLOW, Context, Item, Section, cn_date

from .models import HearingRequest, OnlineApplication, SupplementRequest, SupplementStatus


def _mine(ctx: Context, cases: QuerySet[Case]) -> QuerySet[Case]:
    cases = cases.filter(agency_id__in=ctx.scope, closed_on__isnull=True)
    if ctx.role == Role.HEAD or ctx.user.is_superuser:
        return cases
    if ctx.role != Role.OFFICER:
        return cases.none()
    team = CaseMember.objects.filter(case=OuterRef("pk"), officer__user=ctx.user, recused=False)
    return cases.filter(Exists(team))


def _stages(*roles: StageRole) -> Q:
    q = Q(pk__in=[])
    for code, definition in DEFINITIONS.items():
        stages = definition.codes_with_role(*roles)
        if stages:
            q |= Q(procedure=code, stage__in=sorted(stages))
    return q


def applications(user: Any, ctx: Context) -> Section | None:
    """网上申请待受理 (行政许可法 第32条)."""
    online = OnlineApplication.objects.filter(case=OuterRef("pk"))
    answered = SupplementRequest.objects.filter(
        application__case=OuterRef("pk"), status=SupplementStatus.ANSWERED
    )
    waiting = _mine(
        ctx,
        Case.objects.filter(Exists(online)).filter(
            _stages(StageRole.APPLICATION) | (_stages(StageRole.SUPPLEMENT) & Q(Exists(answered)))
        ),
    )
    count = waiting.count()
    if not count:
        return None
    items = []
    if ctx.limit:
        clocks = Deadline.objects.filter(
            case=OuterRef("pk"), rule="supplement", status=DeadlineStatus.RUNNING
        )
        rows = waiting.annotate(
            due=clocks.values("due_on")[:1], warn=clocks.values("warn_on")[:1]
        ).order_by("opened_on", "pk")[: ctx.limit]
        for case in rows:
            due, warn = getattr(case, "due", None), getattr(case, "warn", None)
            level = ""
            if due is not None:
                level = RED if due < ctx.today else YELLOW if warn and warn <= ctx.today else ""
                detail = (
                    f"{cn_date(case.opened_on)}收到；{cn_date(due)}前一次告知补正，"
                    "逾期视为受理（行政许可法 第32条）"
                )
            else:
                detail = "补正材料已提交，自收到全部补正材料之日起受理（行政许可法 第32条）"
            items.append(
                Item(
                    title=case.title,
                    url=reverse("cases:detail", args=[case.pk]) + "#online-application",
                    detail=detail,
                    level=level,
                    due_on=due,
                    case_number=case.number,
                )
            )
    return Section("applicant.applications", "网上申请待受理", 25, count, items, icon="globe")


def hearings(user: Any, ctx: Context) -> Section | None:
    """当事人在线要求听证 (行政处罚法 第63条、第64条)."""
    asked = HearingRequest.objects.filter(case=OuterRef("pk"))
    waiting = _mine(
        ctx,
        Case.objects.filter(Exists(asked)).filter(_stages(StageRole.NOTICE, StageRole.DEFENCE)),
    )
    count = waiting.count()
    if not count:
        return None
    items = [
        Item(
            title=case.title,
            url=reverse("cases:detail", args=[case.pk]) + "#party-links",
            detail="当事人已在线要求听证：应当组织听证，并在举行听证的七日前通知当事人"
            "（行政处罚法 第64条）",
            level=YELLOW,
            case_number=case.number,
        )
        for case in (waiting.order_by("opened_on", "pk")[: ctx.limit] if ctx.limit else [])
    ]
    return Section("applicant.hearings", "当事人要求听证", 26, count, items, icon="megaphone")


def undelivered(user: Any, ctx: Context) -> Section | None:
    """电子送达未送达: sent electronically and not received after the agency's working days —
    to be delivered by another method (行政处罚法 第61条)."""
    from django.conf import settings

    from sanxiang.lib.workdays import CalendarGap, add_working_days

    from .models import ElectronicDelivery

    days = int(settings.SANXIANG_EDELIVERY_FALLBACK_DAYS)
    # The latest send day whose fallback period has run by today (counted back in calendar
    # days, then checked forward in working days: cheap, and exact for the cutoff).
    cutoff = ctx.today
    try:
        while add_working_days(cutoff, days) > ctx.today:
            cutoff = cutoff.fromordinal(cutoff.toordinal() - 1)
    except CalendarGap:
        return None
    cases = _mine(ctx, Case.objects.all())
    waiting = ElectronicDelivery.objects.filter(
        delivered_at__isnull=True,
        sent_at__date__lte=cutoff,
        consent__case__in=cases,
    ).select_related("document", "consent__case", "consent__party")
    count = waiting.count()
    if not count:
        return None
    items = [
        Item(
            title=f"《{d.document.title}》未送达{d.consent.party.name}",
            url=reverse("cases:detail", args=[d.consent.case_id]) + "#party-links",
            detail=f"{cn_date(d.sent_at.date())}电子送达，{days}个工作日内未打开："
            "请改用直接送达、邮寄送达等方式（行政处罚法 第61条）",
            level=RED,
            case_number=d.consent.case.number,
        )
        for d in (waiting.order_by("sent_at", "pk")[: ctx.limit] if ctx.limit else [])
    ]
    return Section("applicant.undelivered", "电子送达未送达", 27, count, items, icon="envelope")


SOURCES = (applications, hearings, undelivered)
