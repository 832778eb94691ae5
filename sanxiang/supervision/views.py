"""Staff pages of 执法监督. Thin: parse, call a query or a service, render."""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_role
from sanxiang.directory.models import Agency, MatterCategory, Officer
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import batches, exports, handbook, notices, queries, reviews, rollout, scoring
from .forms import AnswerForm, CloseForm, NoticeForm
from .models import (
    AvDevice,
    DeviceKind,
    DeviceStatus,
    Notice,
    NoticeAttachment,
    NoticeStatus,
    Training,
)

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
    if request.GET.get("format") == "pdf":
        response = HttpResponse(exports.cockpit_pdf(board), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename=cockpit-{today:%Y%m%d}.pdf"
        return response
    context = {
        "board": board,
        "chart": board.chart(),
        "minimum": queries.REVIEWER_RATIO_MINIMUM,
        # Reversed once: the table links every figure of every agency (hundreds of links).
        "drill": reverse("supervision:cases"),
        "officers": reverse("supervision:officers"),
    }
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
    context = {
        "page": page,
        "title": title,
        "figure": figure,
        "extra_query": query.urlencode(),
        "today": today,
    }
    return render(request, "supervision/cases.html", context)


@staff_view
def figure_officers(request: HttpRequest) -> HttpResponse:
    """The officers behind a certificate or reviewer-ratio figure (the drill-down)."""
    figure = request.GET.get("figure", "")
    officers = queries.officers_for_figure(
        acting_user(request),
        figure=figure,
        today=timezone.localdate(),
        agency_id=_agency_param(request),
    )
    page = Paginator(officers, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "title": queries.OFFICER_FIGURES[figure],
        "extra_query": query.urlencode(),
    }
    return render(request, "supervision/officers.html", context)


# --- 督办 -------------------------------------------------------------------------------------


def _agency_choices(user: User) -> list[tuple[int, str]]:
    return [(b.pk, b.name) for b in queries.cockpit_bodies(user)]


@staff_view
def notice_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = notices.notices_for(user).order_by("-issued_at", "-pk")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    may_issue = user.role == Role.SUPERVISOR
    context = {"page": page, "may_issue": may_issue, "today": timezone.localdate()}
    return render(request, "supervision/notices.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def notice_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_role(user, Role.SUPERVISOR)
    initial = {k: request.GET[k] for k in ("agency", "case") if request.GET.get(k, "").isdigit()}
    form = NoticeForm(request.POST or None, initial=initial, agencies=_agency_choices(user))
    if request.method == "POST" and form.is_valid():
        try:
            notice = notices.issue_notice(actor=user, data=form.data_object())
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, f"督办通知已下发：{notice.number}")
            return redirect("supervision:notice", pk=notice.pk)
    return render(request, "supervision/notice_new.html", {"form": form})


def _visible_notice(user: User, pk: int) -> Notice:
    notice = notices.notices_for(user).filter(pk=pk).first()
    if notice is None:
        raise DomainError("not_found", "未找到该督办通知，或无权查看。")
    return notice


@require_http_methods(["GET", "POST"])
@staff_view
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    notice = _visible_notice(user, pk)
    answer_form = AnswerForm()
    if request.method == "POST" and request.POST.get("action") == "answer":
        answer_form = AnswerForm(request.POST, request.FILES)
        if answer_form.is_valid():
            files = [
                notices.Upload(name=f.name or "附件", data=f.read())
                for f in request.FILES.getlist("attachments")
            ]
            notices.answer_notice(
                actor=user, notice_id=pk, text=answer_form.cleaned_data["text"], files=files
            )
            messages.success(request, "整改情况已报送。")
            return redirect("supervision:notice", pk=pk)
    elif request.method == "POST" and request.POST.get("action") == "close":
        notices.close_notice(actor=user, notice_id=pk, note=request.POST.get("note", ""))
        messages.success(request, "督办已办结。")
        return redirect("supervision:notice", pk=pk)
    context = {
        "notice": notice,
        "answers": notice.answers.select_related("answered_by").prefetch_related("attachments"),
        "answer_form": answer_form,
        "close_form": CloseForm(),
        "may_answer": notice.awaiting and user.role != Role.SUPERVISOR,
        "may_close": notice.status == NoticeStatus.ANSWERED and user.role == Role.SUPERVISOR,
    }
    return render(request, "supervision/notice.html", context)


@staff_view
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _visible_notice(acting_user(request), pk)
    with default_storage.open(notice.pdf_name, "rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=notice-{notice.pk}.pdf"
    return response


@staff_view
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    notice = _visible_notice(acting_user(request), pk)
    item = NoticeAttachment.objects.filter(pk=attachment_id, answer__notice=notice).first()
    if item is None:
        raise DomainError("not_found", "未找到该附件。")
    with default_storage.open(item.storage_name, "rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename=attachment-{item.pk}"
    return response


# --- 案卷评查 -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def review_list(request: HttpRequest) -> HttpResponse:
    """评查: the files scored so far, the scores per agency and officer, and a new batch."""
    user = acting_user(request)
    if request.method == "POST" and request.POST.get("action") == "draw":
        # A frozen batch whose draw did not finish (or whose scoring was interrupted).
        raw = request.POST.get("batch_id", "")
        if not raw.isdigit():
            raise ValidationFailed("请选择评查批次。", field="batch")
        drawn = batches.draw_batch(actor=user, batch_id=int(raw))
        messages.success(request, f"已抽取并自动评查 {len(drawn.drawn)} 份案卷。")
        return redirect("supervision:reviews")
    if request.method == "POST":
        raw = request.POST.get("count", "").strip()
        name = request.POST.get("batch", "")
        if raw:
            if not raw.isdigit():
                raise ValidationFailed("抽取份数须为正整数。", field="count")
            # A random sample, drawn verifiably (batches.py): freeze, then the checkpoint seed.
            frozen = batches.freeze_batch(actor=user, name=name, count=int(raw))
            drawn = batches.draw_batch(actor=user, batch_id=frozen.pk)
            messages.success(request, f"已随机抽取并自动评查 {len(drawn.drawn)} 份案卷。")
            return redirect("supervision:reviews")
        ids = [int(x) for x in request.POST.getlist("case") if x.isdigit()] or list(
            reviews.closed_unreviewed(user).order_by("pk").values_list("pk", flat=True)
        )
        made = reviews.review_files(actor=user, case_ids=ids, batch=name)
        messages.success(request, f"已自动评查 {len(made)} 份案卷。")
        return redirect("supervision:reviews")
    rows = reviews.reviews_for(user).order_by("-created_at", "-pk")
    context = {
        "batches": batches.batches_for(user)[:20],
        "page": Paginator(rows, 30).get_page(request.GET.get("page")),
        "by_agency": reviews.by_agency(user),
        "by_officer": reviews.by_officer(user),
        "waiting": reviews.closed_unreviewed(user).count(),
    }
    return render(request, "supervision/reviews.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    review = reviews.reviews_for(user).filter(pk=pk).first()
    if review is None:
        raise DomainError("not_found", "未找到该评查记录，或无权查看。")
    error = None
    if request.method == "POST":
        scores = [
            reviews.ManualScore(
                code=code,
                score=request.POST.get(f"score_{code}", ""),
                reason=request.POST.get(f"reason_{code}", ""),
            )
            for code, *_ in scoring.MANUAL
        ]
        try:
            reviews.complete_review(actor=user, review_id=pk, scores=scores)
        except DomainError as err:
            error = err.message
        else:
            messages.success(request, "人工评查已完成。")
            return redirect("supervision:review", pk=pk)
    context = {"review": review, "error": error, "form_items": scoring.FORM}
    return render(request, "supervision/review.html", context)


@staff_view
def batch_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's draw certificate (JSON): anyone can redo the draw from it."""
    found = batches.batches_for(acting_user(request)).filter(pk=pk).first()
    if found is None:
        raise DomainError("not_found", "未找到该评查批次，或无权查看。")
    body = json.dumps(batches.certificate(found), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=review-batch-{found.pk}.json"
    return response


# --- 执法工作手册 -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def handbook_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if request.method == "POST" and request.POST.get("action") == "compile":
        made = handbook.compile_handbook(actor=user)
        messages.success(request, f"已编制执法工作手册第{made.version}版。")
        return redirect("supervision:handbooks")
    if request.method == "POST" and request.POST.get("action") == "file":
        raw = request.POST.get("handbook", "")
        if not raw.isdigit():
            raise ValidationFailed("请选择要报备的手册版本。", field="handbook")
        filed = handbook.file_handbook(actor=user, handbook_id=int(raw))
        messages.success(request, f"第{filed.version}版已报司法局备案。")
        return redirect("supervision:handbooks")
    rows = handbook.handbooks_for(user).order_by("agency_id", "-version")
    context = {"rows": rows, "may_compile": user.role in (Role.HEAD, Role.ADMIN)}
    return render(request, "supervision/handbooks.html", context)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@staff_view
def handbook_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One version of the 手册 as PDF (shown inline) or DOCX (downloaded)."""
    found = handbook.handbooks_for(acting_user(request)).filter(pk=pk).first()
    name = (found.pdf_name if kind == "pdf" else found.docx_name) if found else ""
    if found is None or not name:
        raise DomainError("not_found", "未找到该手册，或无权查看。")
    with default_storage.open(name, "rb") as stream:
        data = stream.read()
    response = HttpResponse(data, content_type="application/pdf" if kind == "pdf" else DOCX)
    how = "inline" if kind == "pdf" else "attachment"
    response["Content-Disposition"] = (
        f"{how}; filename=handbook-{found.agency_id}-v{found.version}.{kind}"
    )
    return response


# --- 落实台账 and 自查 ---------------------------------------------------------------------------


def _rollout_post(request: HttpRequest, user: User) -> str:
    """The three writes of the page: a device, a device's status, a training."""
    action = request.POST.get("action", "device")
    if action == "device_status":
        raw = request.POST.get("device", "")
        if not raw.isdigit():
            raise ValidationFailed("请选择设备。", field="device")
        rollout.set_device_status(
            actor=user, device_id=int(raw), status=request.POST.get("status", "")
        )
        return "设备状态已变更。"
    if action == "training":
        try:
            held_on = date.fromisoformat(request.POST.get("held_on", ""))
        except ValueError:
            raise ValidationFailed("培训日期格式应为 YYYY-MM-DD。", field="held_on") from None
        rollout.record_training(
            actor=user,
            title=request.POST.get("title", ""),
            held_on=held_on,
            hours=request.POST.get("hours", ""),
            attendee_ids=[int(x) for x in request.POST.getlist("attendees") if x.isdigit()],
        )
        return "培训记录已登记。"
    holder = request.POST.get("holder", "")
    rollout.register_device(
        actor=user,
        kind=request.POST.get("kind", ""),
        serial=request.POST.get("serial", ""),
        holder_id=int(holder) if holder.isdigit() else None,
    )
    return "设备已登记。"


@require_http_methods(["GET", "POST"])
@staff_view
def rollout_page(request: HttpRequest) -> HttpResponse:
    """落实台账, 自查 figures, the 音像记录设备 register and the drafted 总结报告 of one agency."""
    user = acting_user(request)
    bodies = queries.cockpit_bodies(user)
    wanted = _agency_param(request)
    agency = queries.cockpit_bodies(user, wanted)[0] if wanted else bodies[0]
    if request.method == "POST":
        messages.success(request, _rollout_post(request, user))
        return redirect("supervision:rollout")
    today = timezone.localdate()
    figures = rollout.self_check(agency, today=today)
    context = {
        "agency": agency,
        "bodies": bodies,
        "lines": rollout.rollout_ledger(agency),
        "figures": figures,
        "devices": AvDevice.objects.filter(agency=agency).select_related("holder"),
        "kinds": DeviceKind.choices,
        "statuses": DeviceStatus.choices,
        "trainings": Training.objects.filter(agency=agency).prefetch_related("attendees")[:50],
        "officers": Officer.objects.filter(agency_id__in=Agency.subtree_ids({agency.pk})).order_by(
            "name"
        ),
        "report": rollout.draft_report(agency, today=today),
        "category_labels": [
            (MatterCategory(c).label, n) for c, n in sorted(figures["categories"].items())
        ],
        "device_labels": [
            (DeviceStatus(st).label, n) for st, n in sorted(figures["devices"].items())
        ],
        "may_register": user.role in (Role.HEAD, Role.ADMIN) and agency.pk == bodies[0].pk,
    }
    return render(request, "supervision/rollout.html", context)
