"""网上申请 pages: the matters, the form generated from the 服务指南, uploads, the receipt.

Every refusal is a Chinese page with its 4xx status and nothing stored; pages about a person
are never cached. Uploads go through ``records.handlers.SpoolingUploadHandler`` (streamed into
the evidence store's spool, hashed while received), one file per 申请材料 item.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.records.handlers import FIELD, SpooledUpload, SpoolingUploadHandler

from . import intake
from .portal_views import _address

COOKIE = "sxsq_"
COOKIE_PATH = "/gongshi/shenqing/"


def _browser(request: HttpRequest, token: str) -> str:
    return str(request.COOKIES.get(COOKIE + token[:8], ""))[:100]


def _refused(request: HttpRequest, err: DomainError, **context: Any) -> HttpResponse:
    return render(
        request, "applicant/intake_error.html", {"error": err, **context}, status=err.status
    )


@require_GET
def matters(request: HttpRequest) -> HttpResponse:
    return render(request, "applicant/intake_matters.html", {"guides": intake.open_matters()})


def _form_context(
    guide: Any, uploaded: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    notes, samples, have = intake.material_notes(guide), intake.samples_of(guide), uploaded or {}
    rows = [
        {"n": n, "item": i, "note": notes.get(i, i), "sample": samples.get(i), "file": have.get(i)}
        for n, i in enumerate(intake.material_items(guide))
    ]
    given = extra.get("data") or {}
    asked = [
        {"n": n, "label": f.label, "required": f.required, "value": given.get(f"field_{n}", "")}
        for n, f in enumerate(intake.form_fields(guide))
    ]
    return {
        "guide": guide,
        "rows": rows,
        "asked": asked,
        "max_answer": intake.MAX_ANSWER,
        "complete": all(r["file"] for r in rows),
        "article": intake.ARTICLE_32,
        "allowed": intake.ALLOWED_NAMES,
        "max_mb": intake.max_material_bytes() // (1024 * 1024),
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, matter_id: int) -> HttpResponse:
    """The applicant's part of the form (GET), a new draft bound to this browser (POST)."""
    try:
        guide = intake.offered_guide(matter_id)
    except DomainError as err:
        return _refused(request, err)
    if request.method != "POST":
        return render(request, "applicant/intake_start.html", _form_context(guide, data={}))
    post = request.POST
    data = intake.ApplicantData(
        kind=post.get("kind", ""),
        name=post.get("name", "")[:200],
        id_number=post.get("id_number", "")[:30],
        credit_code=post.get("credit_code", "")[:30],
        legal_representative=post.get("legal_representative", "")[:80],
        phone=post.get("phone", "")[:40],
        address=post.get("address", "")[:250],
        request=post.get("request", "")[:4000],
        electronic_delivery=post.get("electronic_delivery") == "1",
        email=post.get("email", "")[:254],
        answers=tuple(
            post.get(f"field_{n}", "")[:400] for n in range(len(intake.form_fields(guide)))
        ),
    )
    try:
        made = intake.start_application(matter_id=matter_id, data=data, address=_address(request))
    except DomainError as err:
        context = _form_context(guide, data=post, error=err)
        return render(request, "applicant/intake_start.html", context, status=err.status)
    response = redirect("applicant_intake:draft", token=made.token)
    response.set_cookie(
        COOKIE + made.token[:8],
        made.browser,
        max_age=intake.DRAFT_DAYS * 86400,
        path=COOKIE_PATH,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def _draft_context(application: Any, token: str, **extra: Any) -> dict[str, Any]:
    return _form_context(
        application.guide,
        uploaded=intake.draft_materials(application),
        application=application,
        token=token,
        **extra,
    )


@never_cache
@require_GET
def draft(request: HttpRequest, token: str) -> HttpResponse:
    try:
        application = intake.draft_for(token, _browser(request, token))
    except DomainError as err:
        return _refused(request, err)
    context = _draft_context(application, token, uploaded_item=request.GET.get("ok", ""))
    return render(request, "applicant/intake_draft.html", context)


def _upload(request: HttpRequest, token: str) -> HttpResponse:
    handler = cast(SpoolingUploadHandler, request.upload_handlers[0])
    browser = _browser(request, token)
    try:
        upload = request.FILES.get(FIELD)
        if not isinstance(upload, SpooledUpload):
            raise ValidationFailed("请选择要上传的文件（文件为空或未选择）。", field="file")
        item = request.POST.get("item", "")[:120]
        intake.upload_material(
            token=token,
            browser=browser,
            item=item,
            received=upload.received,
            original_name=upload.name or "",
        )
        handler.spool = None  # stored, or removed by the refusal
    except DomainError as err:
        try:
            application = intake.draft_for(token, browser)
        except DomainError:
            return _refused(request, err)
        context = _draft_context(application, token, error=err)
        return render(request, "applicant/intake_draft.html", context, status=err.status)
    return redirect(reverse("applicant_intake:draft", args=[token]) + f"?ok={item}#materials")


@csrf_exempt  # checked below, once the spooling upload handler is in place
@never_cache
@require_POST
def upload(request: HttpRequest, token: str) -> HttpResponse:
    handler = intake.MaterialUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return csrf_protect(_upload)(request, token)
    except DomainError as err:  # refused while the body was read (too large)
        return _refused(request, err)
    finally:
        handler.discard()


@never_cache
@require_POST
def submit(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm: the receipt is this response (the query code and the link are shown once)."""
    browser = _browser(request, token)
    try:
        done = intake.submit_application(token=token, browser=browser)
    except DomainError as err:
        try:
            application = intake.draft_for(token, browser)
        except DomainError:
            return _refused(request, err)
        context = _draft_context(application, token, error=err)
        return render(request, "applicant/intake_draft.html", context, status=err.status)
    try:
        application = intake.render_receipt(application_id=done.application.pk)
    except Exception:
        application = done.application
    link = reverse("applicant_portal:link", args=[done.link_token])
    response = render(
        request,
        "applicant/intake_receipt.html",
        {
            "application": application,
            "case": done.case,
            "query_code": done.query_code,
            "link": request.build_absolute_uri(link),
            "link_path": link,
            "pdf_path": reverse("applicant_portal:receipt", args=[done.link_token]),
            "due": intake.supplement_due(done.case),
            "article": intake.ARTICLE_32,
        },
        status=201,
    )
    response["Cache-Control"] = "no-store"
    return response
