from __future__ import annotations

from django.http import HttpRequest

from sanxiang.workbench.panels import Panel

from .queries import pending_requests_for


def retrieval_requests(request: HttpRequest) -> Panel | None:
    """For a head: retrieval (调阅) requests waiting for a decision."""
    pending = pending_requests_for(request.user)
    count = pending.count()
    if not count:
        return None
    context = {"count": count, "first": list(pending[:5])}
    return Panel(order=40, template="records/_panel.html", context=context)
