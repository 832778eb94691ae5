"""What 双随机 puts in 待办: plans waiting to be drawn (the head) and one's drawn inspections
without a result (the team: 谁检查、谁录入、谁公开), red once the plan's period has ended, and
one's 责令整改 awaiting the follow-up check, red once the 整改期限 has passed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse

from sanxiang.accounts.models import Role
from sanxiang.workbench.inbox import RED, YELLOW, Context, Item, Section, cn_date

from . import publication
from .models import Assignment, DrawStatus, Outcome, Plan, PlanStatus

NEAR = timedelta(days=3)


def plans_to_draw(user: Any, ctx: Context) -> Section | None:
    if ctx.role != Role.HEAD:
        return None
    rows = Plan.objects.filter(agency_id__in=ctx.scope, status=PlanStatus.FROZEN)
    count = rows.count()
    items = [
        Item(
            title=f"抽取：{p.number} {p.title}",
            url=reverse("inspections:plan", args=[p.pk]),
            detail="已冻结，待签名检查点生成随机种子后抽取",
        )
        for p in (rows.order_by("pk")[: ctx.limit] if ctx.limit and count else [])
    ]
    return Section("inspections.to_draw", "待抽取的抽查计划", 45, count, items, icon="shuffle")


def my_inspections(user: Any, ctx: Context) -> Section | None:
    if ctx.role not in {Role.OFFICER, Role.HEAD}:
        return None
    # Joined through the user (not ``ctx.officer``): one count query, no officer lookup. Any
    # agency's plan: in a 联合抽查 one's team may inspect a target of another agency's library.
    # Also a 责令整改 whose follow-up check (复查) is not recorded: due at the 整改期限.
    rows = Assignment.objects.filter(
        Q(outcome="") | Q(outcome=Outcome.RECTIFY, follow_up_on__isnull=True),
        active=True,
        draw__status=DrawStatus.DRAWN,
        team__user=user,
    )
    count = rows.count()
    items = []
    if ctx.limit and count:
        found = list(rows.select_related("plan", "target"))
        found.sort(key=lambda a: (a.rectify_by or a.plan.period_end, a.pk))
        for a in found[: ctx.limit]:
            end = a.rectify_by if a.outcome else a.plan.period_end
            assert end is not None  # noqa: S101 - a 责令整改 has its deadline (a constraint)
            level = RED if end < ctx.today else YELLOW if end - ctx.today <= NEAR else ""
            where = f"{a.target.name}（{a.plan.number} 第{a.position}号）"
            items.append(
                Item(
                    title=f"整改复查：{where}" if a.outcome else f"双随机检查：{where}",
                    url=reverse("inspections:assignment", args=[a.pk]),
                    detail=(
                        f"整改期限 {cn_date(end)}，期满复查并录入复查情况（责令改正："
                        "行政处罚法 第28条第1款）"
                        if a.outcome
                        else f"检查期至 {cn_date(end)}，结果须于检查结束后20个工作日内录入公示"
                    ),
                    level=level,
                    due_on=end,
                )
            )
    url = reverse("inspections:plans")
    return Section(
        "inspections.mine", "我的双随机检查任务", 46, count, items, more_url=url, icon="shuffle"
    )


def results_to_publish(user: Any, ctx: Context) -> Section | None:
    """公示 staff (head, admin): 双随机 results not yet published whose 20-working-day clock runs
    (国办发〔2015〕58号 二(四); local rule), yellow near the due date and red past it, as the
    publication queue warns of decisions."""
    if ctx.role not in {Role.HEAD, Role.ADMIN}:
        return None
    count = publication.unpublished(ctx.scope, ctx.today).count()
    if not count:
        return None
    items = [
        Item(
            title=f"公开双随机结果：{w.assignment.target.name}（{w.assignment.plan.number} "
            f"第{w.assignment.position}号）",
            url=reverse("inspections:assignment", args=[w.assignment.pk]),
            detail=(w.note or f"公开期限 {cn_date(w.due_on)}")
            + "（国办发〔2015〕58号；检查结束后20个工作日内）",
            level=w.level,
            due_on=w.due_on,
        )
        for w in (publication.waiting(ctx.scope, ctx.today, limit=ctx.limit) if ctx.limit else [])
    ]
    url = reverse("inspections:plans")
    return Section(
        "inspections.to_publish", "双随机结果待公开", 36, count, items, url, icon="megaphone"
    )


SOURCES = (plans_to_draw, my_inspections, results_to_publish)
