"""Staff pages of 执法监督. Thin: parse, call a query or a service, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.lib.errors import ValidationFailed

from . import exports, queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _agency_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("agency", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed("执法主体参数无效。", field="agency")
    return int(raw)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename={name}"
    return response


@staff_view
def cockpit(request: HttpRequest) -> HttpResponse:
    """执法监督驾驶舱: the figures of every agency in scope, each linking to its cases."""
    today = timezone.localdate()
    board = queries.cockpit(acting_user(request), today=today, agency_id=_agency_param(request))
    if request.GET.get("format") == "xlsx":
        return _xlsx(exports.cockpit_xlsx(board), f"cockpit-{today:%Y%m%d}.xlsx")
    context = {"board": board, "chart": board.chart(), "minimum": queries.REVIEWER_RATIO_MINIMUM}
    return render(request, "supervision/cockpit.html", context)


@staff_view
def figure_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure (the drill-down), as a page or XLSX."""
    today = timezone.localdate()
    figure = request.GET.get("figure", "")
    cases = queries.cases_for_figure(
        acting_user(request),
        figure=figure,
        today=today,
        agency_id=_agency_param(request),
        procedure=request.GET.get("procedure", ""),
        stage=request.GET.get("stage", ""),
    )
    title = queries.FIGURES[figure]
    if request.GET.get("format") == "xlsx":
        return _xlsx(exports.cases_xlsx(title, cases), f"cases-{figure}-{today:%Y%m%d}.xlsx")
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "title": title, "extra_query": query.urlencode(), "today": today}
    return render(request, "supervision/cases.html", context)
