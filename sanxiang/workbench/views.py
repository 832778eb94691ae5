from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sanxiang.accounts.decorators import staff_view
from sanxiang.lib import workdays

from .inbox import count_for, inbox_for
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


# Items shown per section on the inbox page; the section links to its full list beyond that.
INBOX_PAGE_ITEMS = 20


@staff_view
def inbox(request: HttpRequest) -> HttpResponse:
    """待办: everything waiting for the signed-in person, each item linking to where to act."""
    box = inbox_for(request.user, limit=INBOX_PAGE_ITEMS)
    return render(request, "workbench/inbox.html", {"inbox": box})


@staff_view
def inbox_count(request: HttpRequest) -> HttpResponse:
    """The badge in the navigation (loaded by htmx, so other pages do not pay for it)."""
    return render(request, "workbench/_inbox_count.html", {"count": count_for(request.user)})


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for load balancers; also the trivial baseline view of the benchmarks."""
    return HttpResponse("ok", content_type="text/plain")
