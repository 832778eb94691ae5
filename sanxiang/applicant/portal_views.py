"""办理进度查询 on the portal: by case number and a second factor, or by the party link.

Every refusal is a Chinese page with a 4xx status; none tells whether a case exists beyond
what the second factor proves. Pages about a person are never cached."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import read_file
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import StageRole
from sanxiang.records import blobs
from sanxiang.records.handlers import FIELD, SpooledUpload, SpoolingUploadHandler

from . import defence, delivery, hearing, identity, intake, queries, services, supplements


def _address(request: HttpRequest) -> str:
    # The deployment's proxy sets REMOTE_ADDR; a forwarded header from the client is not trusted.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


LINK_COOKIE = "sxlink"


def _browser(request: HttpRequest) -> str:
    """This browser's key for the link of the page (its cookie, scoped to the link's path),
    or a fresh one: a link's first use binds to it (services.use_link)."""
    return str(request.COOKIES.get(LINK_COOKIE, ""))[:100] or services.new_browser_key()


def _keep(request: HttpRequest, response: HttpResponseBase, token: str, browser: str) -> Any:
    """After an accepted use: the browser keeps its key for this link (HttpOnly, Lax so the
    link opens from an e-mail or SMS, Secure over HTTPS, sent only under the link's path)."""
    response.set_cookie(
        LINK_COOKIE,
        browser,
        max_age=services.MAX_LINK_DAYS * 86400,
        path=reverse("applicant_portal:link", args=[token]),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def _link_error(request: HttpRequest, token: str, err: DomainError, browser: str) -> HttpResponse:
    """A refused link page; from another browser it offers the second factor (rebind).

    The browser keeps its key on a refusal too: a use may have bound the link before a later
    check refused (a 陈述申辩 after its period), and a key the link is not bound to opens
    nothing."""
    context: dict[str, Any] = {"error": err}
    if err.code == "link_other_browser":
        context["rebind_url"] = reverse("applicant_portal:rebind", args=[token])
    response = render(request, "applicant/link_error.html", context, status=err.status)
    return cast(HttpResponse, _keep(request, response, token, browser))


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
        proven = services.progress_by_number(
            number=number, factor=request.POST.get("factor", "")[:20], address=_address(request)
        )
    except DomainError as err:
        context["error"] = err
        return render(request, "applicant/progress_query.html", context, status=err.status)
    context["progress"] = queries.progress_of(proven.case, proven.party, parties=proven.parties)
    return render(request, "applicant/progress.html", context)


@never_cache
@require_GET
@identity.requires_real_name
def link_progress(request: HttpRequest, token: str) -> HttpResponse:
    browser = _browser(request)
    try:
        link = services.use_link(
            token=token, address=_address(request), browser=browser, what="progress"
        )
    except DomainError as err:
        return _link_error(request, token, err, browser)
    response = render(request, "applicant/progress.html", _link_context(link, token))
    return _keep(request, response, token, browser)


@never_cache
@require_POST
@identity.requires_real_name
def link_rebind(request: HttpRequest, token: str) -> HttpResponse:
    """Another browser continues with the link once the party gives the second factor."""
    browser = _browser(request)
    try:
        services.rebind_link(
            token=token,
            address=_address(request),
            factor=request.POST.get("factor", "")[:20],
            browser=browser,
        )
    except DomainError as err:
        return _link_error(request, token, err, browser)
    response = redirect(reverse("applicant_portal:link", args=[token]))
    return cast(HttpResponse, _keep(request, response, token, browser))


def _link_context(link: Any, token: str, **extra: Any) -> dict[str, Any]:
    case = link.case
    application = intake.application_of(case)
    period = hearing.hearing_period(case)
    request = supplements.open_request(case) if application else None
    return {
        "progress": queries.progress_of(case, link.party),
        "token": token,
        "defence_open": defence.may_submit(case),
        "defence_until": defence.defence_period(case),
        "statements": [s for s in defence.statements_of(case.pk) if s.party_id == link.party_id],
        "hearing_open": hearing.may_request(case),
        "hearing_until": period.ends_on if period else None,
        "hearing_requests": [
            h for h in hearing.requests_of(case.pk) if h.party_id == link.party_id
        ],
        "application": application,
        "supplement": request,
        "supplement_uploaded": {m.item: m for m in request.materials.all()} if request else {},
        "answered": [r for r in application.supplements.all() if r.status == "answered"]
        if application
        else [],
        "allowed": intake.ALLOWED_NAMES,
        "article": intake.ARTICLE_32,
        # 电子送达 of this party: sent and not yet opened, or delivered.
        "pending_docs": [
            d.document_id
            for d in delivery.deliveries_of(case.pk)
            if d.consent.party_id == link.party_id and d.delivered_at is None
        ],
        # At 补正 with everything supplied, nothing more is awaited from the applicant.
        "awaited": "已收到您的全部补正材料，请等待办案机关受理。"
        if application
        and request is None
        and case.definition.has_role(case.stage, StageRole.SUPPLEMENT)
        else "",
        **extra,
    }


def _defence(request: HttpRequest, token: str) -> HttpResponse:
    upload = request.FILES.get(FIELD)
    received = upload.received if isinstance(upload, SpooledUpload) else None
    browser = _browser(request)
    try:
        defence.submit_defence(
            token=token,
            address=_address(request),
            browser=browser,
            text=request.POST.get("text", "")[:6000],
            received=received,
            original_name=(upload.name or "") if upload else "",
        )
    except DomainError as err:
        return _link_error(request, token, err, browser)
    cast(SpoolingUploadHandler, request.upload_handlers[0]).spool = None  # stored
    response = redirect(reverse("applicant_portal:link", args=[token]) + "?submitted=1")
    return cast(HttpResponse, _keep(request, response, token, browser))


@csrf_exempt  # checked below, once the spooling upload handler is in place
@never_cache
@require_POST
@identity.requires_real_name
def link_defence(request: HttpRequest, token: str) -> HttpResponse:
    """A written 陈述申辩 submitted through the link (行政处罚法 第45条), with an optional
    attachment streamed into the evidence store's spool."""
    handler = intake.MaterialUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return csrf_protect(_defence)(request, token)
    except DomainError as err:  # refused while the body was read (too large)
        return render(request, "applicant/link_error.html", {"error": err}, status=err.status)
    finally:
        handler.discard()


@never_cache
@require_GET
@identity.requires_real_name
def link_document(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """A document addressed to the party, opened through their link (each opening logged)."""
    doc = IssuedDocument.objects.filter(pk=document_id).first()
    browser = _browser(request)
    try:
        link = services.use_link(
            token=token,
            address=_address(request),
            browser=browser,
            what="document",
            case_id=doc.case_id if doc else None,
            document_id=document_id,
        )
        if doc is None or queries.document_of_link(link, doc.pk) is None:
            raise DomainError("not_found", "未找到该文书。")
    except DomainError as err:
        return _link_error(request, token, err, browser)
    delivery.opened(link=link, document_id=doc.pk)  # 电子送达: the first opening is the 送达
    response = HttpResponse(read_file(doc, "pdf"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{doc.title}.pdf") or ""
    return cast(HttpResponse, _keep(request, response, token, browser))


@never_cache
@require_POST
@identity.requires_real_name
def link_hearing(request: HttpRequest, token: str) -> HttpResponse:
    """A hearing asked for through the link (行政处罚法 第63条、第64条第（一）项)."""
    browser = _browser(request)
    try:
        hearing.request_hearing(
            token=token,
            address=_address(request),
            browser=browser,
            reason=request.POST.get("reason", "")[:3000],
        )
    except DomainError as err:
        return _link_error(request, token, err, browser)
    response = redirect(reverse("applicant_portal:link", args=[token]) + "?hearing=1#h-hearing")
    return cast(HttpResponse, _keep(request, response, token, browser))


@never_cache
@require_GET
@identity.requires_real_name
def link_receipt(request: HttpRequest, token: str) -> HttpResponseBase:
    """The 网上申请材料接收凭证 PDF of the link's case (rendered now if it was not yet)."""
    browser = _browser(request)
    try:
        link = services.use_link(
            token=token, address=_address(request), browser=browser, what="receipt"
        )
        application = intake.application_of(link.case)
        if application is None:
            raise DomainError("not_found", "本案不是网上申请的案件，没有网上申请回执。")
        application = intake.render_receipt(application_id=application.pk)
    except DomainError as err:
        return _link_error(request, token, err, browser)
    response = FileResponse(
        blobs.storage().open(application.receipt_name, "rb"), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        content_disposition_header(False, f"网上申请回执-{link.case.number}.pdf") or ""
    )
    response["X-Content-SHA256"] = application.receipt_sha256
    return _keep(request, response, token, browser)


def _supplement_upload(request: HttpRequest, token: str) -> HttpResponse:
    handler = cast(SpoolingUploadHandler, request.upload_handlers[0])
    address = _address(request)
    browser = _browser(request)
    try:
        upload = request.FILES.get(FIELD)
        if not isinstance(upload, SpooledUpload):
            raise ValidationFailed("请选择要上传的文件（文件为空或未选择）。", field="file")
        item = request.POST.get("item", "")[:120]
        supplements.upload_supplement(
            token=token,
            address=address,
            browser=browser,
            item=item,
            received=upload.received,
            original_name=upload.name or "",
        )
        handler.spool = None
    except DomainError as err:
        return _link_refusal(request, token, err, browser)
    response = redirect(reverse("applicant_portal:link", args=[token]) + "#h-supplement")
    return cast(HttpResponse, _keep(request, response, token, browser))


def _link_refusal(request: HttpRequest, token: str, err: DomainError, browser: str) -> HttpResponse:
    """A refused upload shown on the party's page when the link itself is fine."""
    link = services._link_for(token)
    page_refusals = {"party_link_invalid", "not_found", "rate_limited", "link_other_browser"}
    if link is None or err.code in page_refusals:  # nothing of the case shown
        return _link_error(request, token, err, browser)
    context = _link_context(link, token, error=err)
    response = render(request, "applicant/progress.html", context, status=err.status)
    return cast(HttpResponse, _keep(request, response, token, browser))


@csrf_exempt  # checked below, once the spooling upload handler is in place
@never_cache
@require_POST
@identity.requires_real_name
def link_supplement_upload(request: HttpRequest, token: str) -> HttpResponse:
    handler = intake.MaterialUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return csrf_protect(_supplement_upload)(request, token)
    except DomainError as err:
        return render(request, "applicant/link_error.html", {"error": err}, status=err.status)
    finally:
        handler.discard()


@never_cache
@require_POST
@identity.requires_real_name
def link_supplement_submit(request: HttpRequest, token: str) -> HttpResponse:
    browser = _browser(request)
    try:
        supplements.finish_supplement(token=token, address=_address(request), browser=browser)
    except DomainError as err:
        return _link_refusal(request, token, err, browser)
    response = redirect(reverse("applicant_portal:link", args=[token]) + "?supplied=1#h-supplement")
    return cast(HttpResponse, _keep(request, response, token, browser))
