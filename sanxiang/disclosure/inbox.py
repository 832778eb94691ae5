"""What disclosure puts in 待办: decisions waiting to be published (7 or 20 working days) and
published decisions to withdraw (3 days, 行政处罚法 第48条), by the queue's yellow/red rules.

公示 staff (the head and the admin) see their agency's queue; an officer sees the items of the
cases they are on the team of (谁办案、谁公示). Registered into ``sanxiang.workbench.inbox``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from sanxiang.accounts.models import Role
from sanxiang.workbench.inbox import Context, Item, Section, cn_date

from . import queries
from .models import Publication, PublicationStatus


def publications(user: Any, ctx: Context) -> Section | None:
    if ctx.role not in {Role.HEAD, Role.ADMIN, Role.OFFICER}:
        return None
    due = Publication.objects.filter(agency_id__in=ctx.scope).filter(
        Q(status=PublicationStatus.QUEUED)
        | Q(status=PublicationStatus.PUBLISHED, withdraw_due_on__isnull=False)
    )
    if ctx.role == Role.OFFICER:
        due = due.filter(case__members__officer__user=user, case__members__recused=False)
    count = due.count()
    items = []
    if ctx.limit and count:
        warn = queries.warn_days_by_agency(ctx.scope)
        rows = (
            due.select_related("case")
            .defer("source_text", "search_text", "masked_text")
            .order_by("due_on", "pk")[: ctx.limit]
        )
        for p in rows:
            level, note = queries.warning_for(
                p, warn.get((p.agency_id, p.category), queries.DEFAULT_WARN_DAYS), ctx.today
            )
            withdrawing = p.status == PublicationStatus.PUBLISHED
            verb = "撤回公示" if withdrawing else "公示"
            if withdrawing:
                note = f"须于{cn_date(p.withdraw_due_on)}前撤回"
            elif p.due_on is not None:
                note = f"公示期限 {cn_date(p.due_on)}"
            items.append(
                Item(
                    title=f"{verb}：{p.doc_number or p.case.title}（{p.party}）",
                    url=reverse("disclosure:preview", args=[p.pk]),
                    detail=note,
                    level=level,
                    due_on=p.withdraw_due_on or p.due_on,
                    case_number=p.case.number,
                )
            )
    url = reverse("disclosure:queue")
    return Section("disclosure.due", "待公示", 35, count, items, url, "megaphone")


def corrections_waiting(user: Any, ctx: Context) -> Section | None:
    from .corrections import inbox_source

    return inbox_source(user, ctx)


SOURCES = (publications, corrections_waiting)
