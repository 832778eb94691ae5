"""What records put in the head's 待办: 调阅 requests from outside the case team waiting for a
decision (registered into ``sanxiang.workbench.inbox``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sanxiang.accounts.models import Role
from sanxiang.workbench.inbox import Context, Item, Section
from sanxiang.workbench.notifications import Event, Notice, users_with_role

from .queries import pending_requests_for


def access_requests(user: Any, ctx: Context) -> Section | None:
    pending = pending_requests_for(user)  # none unless the user is a head
    count = pending.count()
    url = reverse("records:requests")
    items = [
        Item(
            title=f"调阅申请：{r.requester}申请调阅“{r.record.title}”",
            url=url,
            detail=f"事由：{r.reason[:60]}",
        )
        for r in pending[: ctx.limit]
    ]
    return Section("records.access", "调阅待审批", 14, count, items, url, "eye")


SOURCES = (access_requests,)


def on_access_requested(event: Event) -> list[Notice]:
    heads = users_with_role(event.agency_id, Role.HEAD)
    reason = str(event.payload.get("reason", ""))[:60]
    return [Notice(heads, f"调阅申请待审批：{reason}", reverse("records:requests"))]


def on_access_decided(event: Event) -> list[Notice]:
    requester = event.payload.get("requester")
    if not requester:
        return []
    verdict = "已批准" if event.payload.get("approved") else "未批准"
    url = reverse("records:detail", args=[event.payload["record"]])
    return [Notice({int(requester)}, f"您的调阅申请{verdict}", url)]


NOTICES = (
    ("record.access_requested", on_access_requested),
    ("record.access_decided", on_access_decided),
)
