"""纠错 on the portal: report an error in any published item, then follow the answer."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from sanxiang.lib.errors import DomainError

from . import corrections
from . import portal_queries as pq
from .forms import CorrectionForm
from .models import CorrectionTarget


def _optional_id(raw: str | None, field: str) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise DomainError("validation_error", "信息编号应为正整数。", field=field)
    return int(text)


def _address(request: HttpRequest) -> str:
    # The deployment's proxy sets REMOTE_ADDR (as for django-axes); a forwarded header sent
    # by the client itself is not trusted.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The 纠错 form for one item (``?kind=decision&id=5``) or for "other" information."""
    data = request.POST if request.method == "POST" else request.GET
    kind = (data.get("kind") or CorrectionTarget.OTHER).strip()
    context: dict[str, Any] = {
        "kind": kind,
        "bodies": pq.public_bodies(),
        "rate_limit": settings.SANXIANG_CORRECTION_RATE_LIMIT,
        "rate_minutes": max(1, settings.SANXIANG_CORRECTION_RATE_WINDOW_SECONDS // 60),
    }
    try:
        target_id = _optional_id(data.get("id"), "id")
        agency_id = _optional_id(data.get("agency"), "agency")
        context.update(target_id=target_id, agency_id=agency_id)
        if kind != CorrectionTarget.OTHER or agency_id is not None:
            context["target"] = corrections.resolve_target(kind, target_id, agency_id)
    except DomainError as err:
        return render(request, "portal/error.html", {"error": err}, status=err.status)
    form = CorrectionForm(request.POST or None)
    context["form"] = form
    if request.method != "POST":
        return render(request, "portal/correction_form.html", context)
    if not form.is_valid():
        return render(request, "portal/correction_form.html", context, status=422)
    try:
        saved = corrections.report_error(
            kind=kind,
            target_id=context.get("target_id"),
            agency_id=context.get("agency_id"),
            description=form.cleaned_data["description"],
            contact=form.cleaned_data["contact"],
            address=_address(request),
        )
    except DomainError as err:
        context["error"] = err
        return render(request, "portal/correction_form.html", context, status=err.status)
    query = urlencode({"code": saved.reference, "new": "1"})
    return HttpResponseRedirect(reverse("portal:correction_track") + "?" + query)


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    """Follow a report by its 查询码: status, the answer, the linked correction or withdrawal."""
    code = request.GET.get("code", "").strip()
    if not code:
        return render(request, "portal/correction_track.html", {})
    try:
        found = corrections.for_reference(code)
    except DomainError as err:
        return render(
            request, "portal/correction_track.html", {"error": err, "code": code[:24]}, status=404
        )
    context = {"report": found, "code": found.reference, "new": request.GET.get("new") == "1"}
    return render(request, "portal/correction_track.html", context)
