"""What supervision puts in people's 待办 (registered into ``sanxiang.workbench.inbox``):
督办 waiting for the agency's 整改情况, and answered ones waiting for the supervisor."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sanxiang.accounts.models import Role
from sanxiang.workbench.inbox import RED, Context, Item, Section, Source, cn_date

from .models import AWAITING, Notice, NoticeStatus
from .notices import notices_for


def notices_to_answer(user: Any, ctx: Context) -> Section | None:
    """The head's and the administrator's: 督办 sent to their agency, not yet answered."""
    if ctx.role not in (Role.HEAD, Role.ADMIN):
        return None
    # The scope is computed once per inbox; one count query, and none more when it is zero
    # (the head's inbox has a query budget: workbench/tests/test_inbox.py).
    waiting = (
        Notice.objects.filter(agency_id__in=ctx.scope, status__in=AWAITING)
        .select_related("issuer", "case")
        .order_by("due_on", "pk")
    )
    count = waiting.count()
    if not count:
        return None
    items = [
        Item(
            title=f"督办：{n.subject}",
            url=reverse("supervision:notice", args=[n.pk]),
            detail=f"{n.number} · {n.issuer.name}",
            level=RED if n.due_on < ctx.today else "",
            due_on=n.due_on,
            case_number=n.case.number if n.case else "",
        )
        for n in (waiting[: ctx.limit] if ctx.limit else [])
    ]
    url = reverse("supervision:notices")
    return Section("supervision.answer", "待报送整改情况", 8, count, items, url, "megaphone")


def notices_to_close(user: Any, ctx: Context) -> Section | None:
    """The supervisor's: answers to check and close, and escalated (overdue) notices."""
    if ctx.role != Role.SUPERVISOR:
        return None
    waiting = notices_for(user).filter(status__in=[NoticeStatus.ANSWERED, NoticeStatus.ESCALATED])
    count = waiting.count()
    if not count:
        return None
    items = [
        Item(
            title=f"{'逾期未报' if n.status == NoticeStatus.ESCALATED else '待办结'}：{n.subject}",
            url=reverse("supervision:notice", args=[n.pk]),
            detail=f"{n.number} · {n.agency.name} · 期限{cn_date(n.due_on)}",
            level=RED if n.status == NoticeStatus.ESCALATED else "",
            due_on=n.due_on,
        )
        for n in (waiting.order_by("due_on", "pk")[: ctx.limit] if ctx.limit else [])
    ]
    url = reverse("supervision:notices")
    return Section("supervision.close", "督办待办结", 9, count, items, url, "megaphone")


SOURCES: tuple[Source, ...] = (notices_to_answer, notices_to_close)
