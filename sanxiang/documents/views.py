"""The documents panel of a case (htmx partial and standalone page), issuing, downloads."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import home_agency
from sanxiang.lib.errors import DomainError

from . import queries, services
from .forms import StepRequirementForm
from .models import IssuedDocument, StepRequirement
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


@require_http_methods(["GET", "POST"])
@staff_view
def step_requirements(request: HttpRequest) -> HttpResponse:
    """环节文书要求: what the law requires per step and what this agency added; its head or
    administrator adds and ends the agency's rows (only stricter: the law's stand)."""
    user = acting_user(request)
    agency = home_agency(user)
    procedures = queries.step_requirement_list(agency)
    form = StepRequirementForm(request.POST or None, agency_id=agency.pk, procedures=procedures)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_step_requirement(actor=user, agency_id=agency.pk, data=form.data_object())
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, "已增设该环节的文书要求。")
            return redirect("documents:step_requirements")
    context = {
        "agency": agency,
        "procedures": procedures,
        "form": form,
        "may_configure": user.role in (Role.HEAD, Role.ADMIN),
        "ended": StepRequirement.objects.filter(agency=agency, valid_to__isnull=False),
    }
    return render(request, "documents/step_requirements.html", context)


@require_POST
@staff_view
def step_requirement_end(request: HttpRequest, pk: int) -> HttpResponse:
    services.end_step_requirement(
        actor=acting_user(request), row_id=pk, valid_to=timezone.localdate()
    )
    messages.success(request, "该条目已停用（历史保留）。")
    return redirect("documents:step_requirements")
