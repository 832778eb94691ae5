"""The public portal (公示平台) at /gongshi/: no login, read-only, fast on a phone."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sanxiang.catalog.queries import matters_as_of
from sanxiang.catalog.views import parse_as_of
from sanxiang.directory.models import Agency, AgencyLevel
from sanxiang.directory.queries import officers_in
from sanxiang.lib.errors import DomainError


def _public_agency(pk: int) -> Agency:
    agency = Agency.objects.filter(pk=pk, level=AgencyLevel.DEPARTMENT).first()
    if agency is None:
        raise Http404("未找到该执法主体")
    return agency


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    bodies = Agency.objects.filter(level=AgencyLevel.DEPARTMENT).select_related("parent")
    return render(request, "portal/home.html", {"bodies": bodies})


@require_GET
def agency(request: HttpRequest, pk: int) -> HttpResponse:
    body = _public_agency(pk)
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except DomainError as err:
        return render(request, "portal/error.html", {"error": err}, status=400)
    today = timezone.localdate()
    scope = Agency.subtree_ids({body.pk})
    officers = [(o, o.certificate_state(today)) for o in officers_in(scope).order_by("pk")]
    context = {
        "agency": body,
        "officers": officers,
        "matters": matters_as_of(scope, as_of),
        "as_of": as_of,
        "today": today,
    }
    return render(request, "portal/agency.html", context)
