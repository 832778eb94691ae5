"""What records put in the head's 待办: 调阅 requests from outside the case team waiting for a
decision (registered into ``sanxiang.workbench.inbox``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sanxiang.workbench.inbox import Context, Item, Section

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
