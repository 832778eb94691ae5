"""The documents panel of a case (htmx partial and standalone page), issuing, downloads."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.lib.errors import DomainError

from . import queries, services
from .models import IssuedDocument
from .panels import panel_context

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@require_GET
@staff_view
def case_documents(request: HttpRequest, case_id: int) -> HttpResponse:
    context = panel_context(acting_user(request), case_id)
    if request.headers.get("HX-Request"):
        return render(request, "documents/_panel.html", context)
    return render(request, "documents/case_documents.html", context)


@require_POST
@staff_view
def issue(request: HttpRequest, case_id: int) -> HttpResponse:
    error = None
    try:
        party = request.POST.get("party", "")
        services.issue_document(
            actor=acting_user(request),
            case_id=case_id,
            kind=request.POST.get("kind", ""),
            # A per-party kind (builders.PER_PARTY) may be addressed to one party.
            party_id=int(party) if party.isdigit() else None,
        )
    except DomainError as refused:
        if not request.headers.get("HX-Request") or refused.code in {"not_found", "forbidden"}:
            raise
        error = refused
    if not request.headers.get("HX-Request"):
        return redirect("documents:case_documents", case_id=case_id)
    context = {**panel_context(acting_user(request), case_id), "error": error}
    return render(request, "documents/_panel.html", context)


@require_GET
@staff_view
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    doc = services.record_download(actor=acting_user(request), document_id=pk, fmt=fmt)
    return file_response(doc, fmt)


def file_response(doc: IssuedDocument, fmt: str) -> HttpResponse:
    """The stored file (hash-checked) as an attachment named after the document and its 文号."""
    data = queries.read_file(doc, fmt)
    filename = f"{doc.title}{doc.number or doc.pk}.{fmt}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
