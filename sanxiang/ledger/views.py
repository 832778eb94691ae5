from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sanxiang.accounts.decorators import staff_view

from . import queries, witnessing


@staff_view
def home(request: HttpRequest) -> HttpResponse:
    """Recent entries of the agencies the user may see, checkpoints, and a quick health check."""
    rows = queries.entries_for(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(event_type=q)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "checkpoints": queries.recent_checkpoints(10),
        "status": queries.status(),
        "witness_quorum": witnessing.quorum() if witnessing.configured() else 0,
    }
    return render(request, "ledger/home.html", context)
