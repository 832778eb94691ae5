"""Login lockout (django-axes) with separate limits per username and per address.

Axes counts failures per lockout parameter but applies one limit. We report the username's count,
unless the address has reached its own, higher limit: five wrong passwords lock one account, while
a shared office address is only locked after twenty (password spraying across many names).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _failures(attempts: Any) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class SplitLimitHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_user, by_address = self.get_user_attempts(request, credentials)
        if _failures(by_address) >= settings.SANXIANG_LOCKOUT_IP_FAILURES:
            return int(settings.AXES_FAILURE_LIMIT)
        return _failures(by_user)


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return render(
        request,
        "accounts/locked.html",
        {"minutes": int(float(settings.AXES_COOLOFF_TIME) * 60)},
        status=429,
    )
