from __future__ import annotations

from typing import Any, cast
from urllib.parse import unquote

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import home_agency, require_role
from sanxiang.cases.queries import get_case_for, is_on_team
from sanxiang.imports import respond
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import av_sheet, blobs, dossier, pdf, queries, resumable, services
from .forms import AvRequirementForm, CaptureForm, DecisionForm, ReasonForm, UploadForm
from .handlers import FIELD, CountingStream, SpooledUpload, SpoolingUploadHandler
from .http import check_grant, content_length, grant_for, object_response
from .models import Access, AvRequirement
from .services import RecordData


@staff_view
def case_records(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)
    case = get_case_for(user, case_id)
    context = {
        "case": case,
        "records": queries.redact_for(user, queries.records_of_case(case)),
        "form": UploadForm(),
        "may_upload": is_on_team(user, case) or user.role == Role.HEAD,
        "may_export": dossier.is_closed(case),
    }
    return render(request, "records/case_records.html", context)


@staff_view
def case_file(request: HttpRequest, case_id: int) -> HttpResponse:
    """The 案卷: cover, 卷内目录 with page numbers and 备考表 (records.dossier)."""
    context = dossier.case_file(actor=acting_user(request), case_id=case_id)
    context["may_export"] = dossier.is_closed(context["case"])
    return render(request, "records/case_file.html", context)


@staff_view
def capture(request: HttpRequest, case_id: int) -> HttpResponse:
    """移动执法: the phone-first page for the case team on site (capture.js sends the file in
    resumable chunks to ``tus.py``)."""
    user = acting_user(request)
    case = services.check_uploader(actor=user, case_id=case_id)
    context = {
        "case": case,
        "form": CaptureForm(),
        "chunk_bytes": resumable.chunk_bytes(),
        "chunk_ceiling": resumable.page_chunk_ceiling(),
        "max_bytes": blobs.max_bytes(),
        "recent": queries.redact_for(
            user, queries.records_of_case(case).filter(uploaded_by=user).order_by("-pk")[:5]
        ),
    }
    return render(request, "records/capture.html", context)


def _metadata(request: HttpRequest, query: Any, case_id: int, name: str) -> RecordData:
    form = UploadForm(query)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else "表单"
        raise ValidationFailed(f"{label}：{errors[0]}", field=field)
    return form.record_data(case_id, name[:255], request.headers.get("X-Content-SHA256", ""))


@staff_view
def _upload_raw(request: HttpRequest, case_id: int) -> HttpResponse:
    """records.js: the raw body is the file, streamed to disk while hashing."""
    data = _metadata(request, request.GET, case_id, unquote(request.GET.get("name", "")))
    record = services.add_record(
        actor=acting_user(request), data=data, stream=request, length=content_length(request)
    )
    url = reverse("records:detail", args=[record.pk])
    return JsonResponse({"id": record.pk, "sha256": record.sha256, "url": url}, status=201)


@staff_view
def _upload_form(request: HttpRequest, case_id: int) -> HttpResponse:
    """The plain form without JavaScript: multipart, spooled by SpoolingUploadHandler."""
    actor = acting_user(request)
    services.check_uploader(actor=actor, case_id=case_id)  # before the body is read
    declared = content_length(request)
    # Count what the multipart parser reads: a short body is a truncated upload.
    counter = CountingStream(request._stream)
    request._stream = counter  # type: ignore[assignment]
    handler = cast(SpoolingUploadHandler, request.upload_handlers[0])
    upload = request.FILES.get(FIELD)
    if counter.count < declared:
        raise ValidationFailed("上传不完整，连接中断。请重新上传。", field="file")
    if not isinstance(upload, SpooledUpload):
        raise ValidationFailed("请选择要上传的文件。", field="file")
    data = _metadata(request, request.POST, case_id, upload.name or "")
    record = services.add_record(actor=actor, data=data, received=upload.received)
    messages.success(request, f"已上传，SHA-256：{record.sha256}")
    handler.spool = None  # stored: nothing left to discard
    return redirect("records:detail", pk=record.pk)


@csrf_exempt  # the CSRF check runs below, after the upload handler is in place
@require_http_methods(["PUT", "POST"])
def upload(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "PUT":
        return csrf_protect(_upload_raw)(request, case_id)
    handler = SpoolingUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return csrf_protect(_upload_form)(request, case_id)
    finally:
        handler.discard()


def _access_from_form(request: HttpRequest, record_id: int, form: ReasonForm) -> Access | None:
    if not form.is_valid():
        return None
    try:
        return services.access_record(
            actor=acting_user(request),
            record_id=record_id,
            purpose=Access.Purpose.VIEW,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as err:
        form.add_error("reason", err.message)
        return None


@require_http_methods(["GET", "POST"])
@staff_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Viewing is retrieval: logged here, once per page, before the player gets its grant."""
    user = acting_user(request)
    record = queries.get_record_for(user, pk)
    direct = queries.may_retrieve_directly(user, record)
    # A supervisor opens by role, never silently: each opening states its purpose.
    supervising = queries.by_supervision(user, record) and not is_on_team(user, record.case)
    queries.redact_for(user, [record])
    form = ReasonForm(request.POST or None)
    access = None
    if request.method == "POST":
        access = _access_from_form(request, pk, form)
    elif direct and not record.is_sensitive and not supervising:
        access = services.access_record(actor=user, record_id=pk, purpose=Access.Purpose.VIEW)
    if access is not None and supervising:  # opened with its purpose stated: shown in full
        record.shown_title, record.shown_description = record.title, record.description  # type: ignore[attr-defined]
    context = {
        "record": record,
        "access": access,
        "grant": grant_for(access, session_key=request.session.session_key) if access else "",
        "form": form,
        "direct": direct,
        "supervising": supervising,
        "granted": queries.by_grant(user, record),
        "requests": queries.requests_of(record).filter(requester=user)[:5],
    }
    return render(request, "records/detail.html", context)


@staff_view
def stream(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    record = queries.get_record_for(user, pk)
    check_grant(
        request.GET.get("grant", ""),
        record_id=record.pk,
        user_id=user.pk,
        session_key=request.session.session_key,
    )
    # Streaming responses are not HttpResponse subclasses; staff_view passes them through.
    return cast(HttpResponse, object_response(record, request.headers.get("Range", "")))


@require_POST
@staff_view
def download(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    services.access_record(
        actor=user,
        record_id=pk,
        purpose=Access.Purpose.DOWNLOAD,
        reason=request.POST.get("reason", ""),
    )
    record = queries.get_record_for(user, pk)
    return cast(
        HttpResponse, object_response(record, request.headers.get("Range", ""), attachment=True)
    )


@require_POST
@staff_view
def request_access(request: HttpRequest, pk: int) -> HttpResponse:
    services.request_access(
        actor=acting_user(request), record_id=pk, reason=request.POST.get("reason", "")
    )
    messages.success(request, "调阅申请已提交，待负责人审批。")
    return redirect("records:detail", pk=pk)


@staff_view
def access_requests(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_role(user, Role.HEAD)
    context = {"pending": queries.pending_requests_for(user), "form": DecisionForm()}
    return render(request, "records/requests.html", context)


@require_POST
@staff_view
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    services.decide_access(
        actor=acting_user(request),
        request_id=request_id,
        approve=approve,
        note=request.POST.get("note", ""),
    )
    messages.success(request, "已批准调阅。" if approve else "已不予批准。")
    return redirect("records:requests")


def _openable(user: Any, pk: int) -> Any:
    """The record, unless it is 商业秘密/个人隐私 and ``user`` may not open it: then even its
    access history (who looked, and why) stays hidden."""
    record = queries.get_record_for(user, pk)
    if getattr(queries.redact_for(user, [record])[0], "redacted", False):
        raise DomainError(
            "forbidden", "该记录涉及商业秘密或个人隐私，调阅获批后才能查看其调阅记录。"
        )
    return record


@staff_view
def history(request: HttpRequest, pk: int) -> HttpResponse:
    record = _openable(acting_user(request), pk)
    context = {
        "record": record,
        "accesses": queries.accesses_of(record),
        "requests": queries.requests_of(record),
    }
    return render(request, "records/history.html", context)


@staff_view
def history_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = _openable(acting_user(request), pk)
    response = HttpResponse(pdf.access_history(record), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename=record-{record.pk}-access.pdf"
    return response


@staff_view
def export_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """电子案卷: one zip of a closed case (cover, catalogue, records, hashes, ledger proofs)."""
    path = dossier.export_case(actor=acting_user(request), case_id=case_id)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes the file
    # The name goes at once: the open handle keeps the bytes until the response is sent, and
    # nothing of the case file lingers in the temporary directory after (or if) it is served.
    path.unlink()
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"case-{case_id}-dossier.zip",
        content_type="application/zip",
    )
    return cast(HttpResponse, response)


@require_http_methods(["GET", "POST"])
@staff_view
def av_list(request: HttpRequest) -> HttpResponse:
    """音像记录事项清单: everyone reads it; the agency's administrator adds and retires lines."""
    user = acting_user(request)
    agency = home_agency(user)
    form = AvRequirementForm(request.POST or None, agency_id=agency.pk)
    if request.method == "POST":
        require_role(user, Role.ADMIN)
        if form.is_valid():
            try:
                services.add_av_requirement(
                    actor=user, agency_id=agency.pk, data=form.data_object()
                )
            except DomainError as err:
                form.add_error(err.field if err.field in form.fields else None, err.message)
            else:
                messages.success(request, "已添加清单条目。")
                return redirect("records:av_list")
    lines = queries.av_list(agency)
    retired = AvRequirement.objects.filter(agency=agency, valid_to__isnull=False)
    context = {"lines": lines, "retired": retired, "form": form, "agency": agency}
    context["is_admin"] = user.role == Role.ADMIN
    return render(request, "records/av_list.html", context)


@staff_view
def av_export(request: HttpRequest) -> HttpResponse:
    body = av_sheet.export_av_list(home_agency(acting_user(request)).pk)
    return respond.xlsx_file(body, "av-list.xlsx")


@require_POST
@staff_view
def av_import(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_role(user, Role.ADMIN)
    return respond.import_sheet(
        request,
        back=reverse("records:av_list"),
        filename="av-list",
        run=lambda data: av_sheet.import_av_list(
            actor=user, agency_id=home_agency(user).pk, data=data
        ),
    )


@require_POST
@staff_view
def av_retire(request: HttpRequest, line_id: int) -> HttpResponse:
    services.retire_av_requirement(
        actor=acting_user(request), line_id=line_id, valid_to=timezone.localdate()
    )
    messages.success(request, "该条目已失效（历史保留）。")
    return redirect("records:av_list")
