"""办理进度查询 on the portal: by case number and a second factor, or by the party link.

Every refusal is a Chinese page with a 4xx status; none tells whether a case exists beyond
what the second factor proves. Pages about a person are never cached."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import read_file
from sanxiang.lib.errors import DomainError

from . import defence, queries, services


def _address(request: HttpRequest) -> str:
    # The deployment's proxy sets REMOTE_ADDR; a forwarded header from the client is not trusted.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _limits() -> dict[str, int]:
    return {
        "rate_limit": int(settings.SANXIANG_PROGRESS_RATE_LIMIT),
        "rate_minutes": max(1, int(settings.SANXIANG_PROGRESS_RATE_WINDOW_SECONDS) // 60),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def progress_query(request: HttpRequest) -> HttpResponse:
    """The form (GET) and its answer (POST: case number + last six characters of the ID)."""
    context: dict[str, Any] = _limits()
    if request.method != "POST":
        return render(request, "applicant/progress_query.html", context)
    number = request.POST.get("number", "")[:80]
    context["number"] = number.strip()
    try:
        case, party = services.progress_by_number(
            number=number, factor=request.POST.get("factor", "")[:20], address=_address(request)
        )
    except DomainError as err:
        context["error"] = err
        return render(request, "applicant/progress_query.html", context, status=err.status)
    context["progress"] = queries.progress_of(case, party)
    return render(request, "applicant/progress.html", context)


@never_cache
@require_GET
def link_progress(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = services.use_link(token=token, address=_address(request), what="progress")
    except DomainError as err:
        return render(request, "applicant/link_error.html", {"error": err}, status=err.status)
    return render(request, "applicant/progress.html", _link_context(link, token))


def _link_context(link: Any, token: str) -> dict[str, Any]:
    return {
        "progress": queries.progress_of(link.case, link.party),
        "token": token,
        "defence_open": defence.may_submit(link.case),
        "defence_until": defence.defence_period(link.case),
        "statements": [
            s for s in defence.statements_of(link.case_id) if s.party_id == link.party_id
        ],
    }


@never_cache
@require_POST
def link_defence(request: HttpRequest, token: str) -> HttpResponse:
    """A written 陈述申辩 submitted through the link (行政处罚法 第45条)."""
    try:
        defence.submit_defence(
            token=token, address=_address(request), text=request.POST.get("text", "")[:6000]
        )
    except DomainError as err:
        return render(request, "applicant/link_error.html", {"error": err}, status=err.status)
    return redirect(reverse("applicant_portal:link", args=[token]) + "?submitted=1")


@never_cache
@require_GET
def link_document(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """A document addressed to the party, opened through their link (each opening logged)."""
    doc = IssuedDocument.objects.filter(pk=document_id).first()
    try:
        link = services.use_link(
            token=token,
            address=_address(request),
            what="document",
            case_id=doc.case_id if doc else None,
            document_id=document_id,
        )
        if doc is None or queries.document_of_link(link, doc.pk) is None:
            raise DomainError("not_found", "未找到该文书。")
    except DomainError as err:
        return render(request, "applicant/link_error.html", {"error": err}, status=err.status)
    response = HttpResponse(read_file(doc, "pdf"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{doc.title}.pdf") or ""
    return response
