"""Staff pages: make a party link (shown once) and revoke one."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.cases import queries as case_queries
from sanxiang.cases.services import transition
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.records import blobs

from . import defence, delivery, intake, services, supplements


def _int(raw: str | None, field: str, message: str) -> int:
    text = (raw or "").strip()
    if not text.isdigit() or len(text) > 9:
        raise ValidationFailed(message, field=field)
    return int(text)


@staff_view
@require_POST
def link_create(request: HttpRequest, case_id: int) -> HttpResponse:
    party_id = _int(request.POST.get("party"), "party", "请选择本案的当事人。")
    raw_days = request.POST.get("days", "").strip()
    days = _int(raw_days, "days", "有效期应为整数日。") if raw_days else None
    made = services.create_link(
        actor=acting_user(request), case_id=case_id, party_id=party_id, days=days
    )
    url = request.build_absolute_uri(reverse("applicant_portal:link", args=[made.token]))
    response = render(
        request, "applicant/link_created.html", {"link": made.link, "url": url}, status=201
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_view
@require_POST
def link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = services.revoke_link(actor=acting_user(request), link_id=pk)
    return redirect(reverse("cases:detail", args=[link.case_id]) + "#party-links")


# ------------------------------------------------------------------ 网上受理 (staff side)


@staff_view
@require_POST
def supplement_request(request: HttpRequest, case_id: int) -> HttpResponse:
    """一次告知补正: the list (every ticked item with what is wrong), the 补正告知书, the step."""
    actor = acting_user(request)
    items = [
        supplements.Item(item=item, reason=request.POST.get(f"reason-{n}", "")[:400])
        for n, item in enumerate(request.POST.getlist("item")[:40])
        if item
    ]
    wanted = set(request.POST.getlist("missing"))
    chosen = [i for n, i in enumerate(items) if str(n) in wanted]
    supplements.prepare_supplement(actor=actor, case_id=case_id, items=chosen)
    if not IssuedDocument.objects.filter(case_id=case_id, kind="supplement_notice").exists():
        issue_document(actor=actor, case_id=case_id, kind="supplement_notice")
    transition(actor=actor, case_id=case_id, target="supplement", expected_stage="application")
    messages.success(request, "已一次告知需要补正的全部内容，申请人可通过专用链接查看并在线补正。")
    return redirect(reverse("cases:detail", args=[case_id]) + "#online-application")


@staff_view
@require_POST
def accept(request: HttpRequest, case_id: int) -> HttpResponse:
    """受理, dated as 行政许可法 第32条 says: the day of receipt, or of the complete 补正."""
    actor = acting_user(request)
    case = case_queries.get_case_for(actor, case_id, write=True)
    day = supplements.accepted_on(case)
    if day is None:
        raise DomainError("conflict", "补正材料尚未提交，不能受理。")
    transition(actor=actor, case_id=case_id, target="acceptance", on=day, expected_stage=case.stage)
    messages.success(request, f"已受理，受理日期为{day:%Y年%m月%d日}（行政许可法 第32条）。")
    return redirect(reverse("cases:detail", args=[case_id]) + "#online-application")


@staff_view
@require_GET
def material(request: HttpRequest, pk: int) -> HttpResponse:
    """An uploaded 申请材料, opened by staff of the case's agency (each opening logged)."""
    found = intake.open_material(actor=acting_user(request), material_id=pk)
    response = FileResponse(
        blobs.storage().open(found.storage_name, "rb"), content_type=found.content_type
    )
    response["Content-Disposition"] = (
        content_disposition_header(False, found.original_name or found.item) or ""
    )
    # staff_view types its views as returning HttpResponse; a streamed file is served as is.
    return cast(HttpResponse, response)


@staff_view
@require_GET
def defence_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A file attached to an online 陈述申辩, opened by staff of the case's agency (logged)."""
    found = defence.open_attachment(actor=acting_user(request), attachment_id=pk)
    response = FileResponse(
        blobs.storage().open(found.storage_name, "rb"), content_type=found.content_type
    )
    response["Content-Disposition"] = (
        content_disposition_header(False, found.original_name or "附件") or ""
    )
    return cast(HttpResponse, response)


# ------------------------------------------------------------------------------ 电子送达


@staff_view
@require_POST
def delivery_consent(request: HttpRequest, case_id: int) -> HttpResponse:
    party_id = _int(request.POST.get("party"), "party", "请选择本案的当事人。")
    delivery.record_consent(
        actor=acting_user(request),
        case_id=case_id,
        party_id=party_id,
        email=request.POST.get("email", "")[:254],
    )
    messages.success(request, "已登记当事人选择电子送达。")
    return redirect(reverse("cases:detail", args=[case_id]) + "#party-links")


@staff_view
@require_POST
def delivery_send(request: HttpRequest, case_id: int) -> HttpResponse:
    party_id = _int(request.POST.get("party"), "party", "请选择本案的当事人。")
    document_id = _int(request.POST.get("document"), "document", "请选择文书。")
    sent = delivery.send_document(
        actor=acting_user(request), case_id=case_id, document_id=document_id, party_id=party_id
    )
    messages.success(request, f"已电子送达《{sent.document.title}》。")
    return redirect(reverse("cases:detail", args=[case_id]) + "#party-links")
