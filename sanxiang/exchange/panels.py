"""The workbench panel (待办): 移送/交办 received from the provincial platform, not yet handled."""

from __future__ import annotations

from django.http import HttpRequest

from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.workbench.panels import Panel

from . import queries


def transfers_waiting(request: HttpRequest) -> Panel | None:
    scope = visible_agency_ids(request.user)
    if not scope:
        return None
    rows = queries.waiting_transfers(scope)
    if not rows:
        return None
    return Panel(
        order=25,
        template="exchange/_panel.html",
        context={"rows": rows[:8], "count": len(rows)},
    )
