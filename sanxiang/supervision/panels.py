"""The workbench panel of 执法监督: links to the cockpit, 督办 and 评查 (no query: the cockpit
itself computes the figures)."""

from __future__ import annotations

from django.http import HttpRequest

from sanxiang.accounts.models import Role
from sanxiang.workbench.panels import Panel


def supervision_links(request: HttpRequest) -> Panel | None:
    user = request.user
    role = getattr(user, "role", None)
    if not (getattr(user, "is_superuser", False) or role in (Role.SUPERVISOR, Role.HEAD)):
        return None
    return Panel(order=5, template="supervision/_panel.html", context={"role": role})
