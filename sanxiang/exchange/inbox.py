"""What the exchange puts in 待办: 移送/交办 received from the provincial platform and not yet
accepted or returned (registered into ``sanxiang.workbench.inbox``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sanxiang.accounts.models import Role
from sanxiang.workbench.inbox import RED, YELLOW, Context, Item, Section, cn_date
from sanxiang.workbench.notifications import Event, Notice, users_with_role

from .models import InboundTransfer, TransferStatus

# Who handles a transfer (services.handle_transfer): an officer may, but the head and the admin
# are the ones who triage what arrives, so only they see it as their 待办.
_HANDLERS = {Role.HEAD, Role.ADMIN}
# A transfer's 办理期限 is a calendar date set by the sender; yellow this many days before it.
NEAR_DAYS = 3


def transfers(user: Any, ctx: Context) -> Section | None:
    if ctx.role not in _HANDLERS:
        return None
    waiting = InboundTransfer.objects.filter(
        agency_id__in=ctx.scope, status=TransferStatus.RECEIVED
    )
    count = waiting.count()
    url = reverse("exchange:inbox")
    items = []
    for t in waiting.order_by("deadline", "pk")[: ctx.limit]:
        level = ""
        if t.deadline is not None and t.deadline < ctx.today:
            level = RED
        elif t.deadline is not None and (t.deadline - ctx.today).days <= NEAR_DAYS:
            level = YELLOW
        due = f" · 办理期限 {cn_date(t.deadline)}" if t.deadline else ""
        items.append(
            Item(
                title=f"{t.get_kind_display()}：{t.title}",
                url=url,
                detail=f"来自{t.from_agency}{due}",
                level=level,
                due_on=t.deadline,
            )
        )
    return Section("exchange.transfers", "移送/交办待处理", 25, count, items, url, "inboxes")


SOURCES = (transfers,)


def on_transfer_received(event: Event) -> list[Notice]:
    who = users_with_role(event.agency_id, *_HANDLERS)
    title = f"收到省级平台移送/交办：{event.payload.get('title', '')}"
    return [Notice(who, title, reverse("exchange:inbox"))]


NOTICES = (("exchange.transfer_received", on_transfer_received),)
