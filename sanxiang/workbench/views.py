from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sanxiang.accounts.decorators import staff_view
from sanxiang.lib import workdays

from .panels import panels_for


@staff_view
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    ahead = (today.year, today.year + 1)
    provisional = workdays.provisional_years()
    known = workdays.known_years()
    context: dict[str, Any] = {
        "panels": panels_for(request),
        "calendar_provisional": [y for y in ahead if y in provisional],
        "calendar_missing": [y for y in ahead if y not in known and y not in provisional],
    }
    return render(request, "workbench/home.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for load balancers; also the trivial baseline view of the benchmarks."""
    return HttpResponse("ok", content_type="text/plain")
