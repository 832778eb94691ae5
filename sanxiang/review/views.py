"""Staff pages of 法制审核 (thin: parse, call a service or a query, render)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import home_agency, require_role
from sanxiang.cases.models import Case
from sanxiang.cases.queries import get_case_for, is_on_team
from sanxiang.catalog.views import parse_as_of
from sanxiang.directory.models import Agency, AgencyLevel
from sanxiang.directory.queries import reviewer_ratio
from sanxiang.imports import respond
from sanxiang.lib.errors import DomainError

from . import catalogue_sheet, queries, services
from .forms import (
    AssignForm,
    CatalogueForm,
    DiscussionForm,
    FlagForm,
    MaterialsForm,
    ReasonForm,
    ReviewForm,
)
from .models import ReviewRound
from .queue_filters import LEVELS, STATUSES, QueueFilter


def _round(request: HttpRequest, pk: int) -> tuple[ReviewRound, Case]:
    round_ = ReviewRound.objects.select_related("review", "reviewer").filter(pk=pk).first()
    if round_ is None:
        raise DomainError("not_found", "未找到该审核轮次。")
    return round_, get_case_for(request.user, round_.review.case_id)


def _refused(request: HttpRequest, form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    context: dict[str, Any] = {"queue": queries.queue_for(user)}
    context["team_rounds"] = queries.submitted_by_team(user)
    agency = queries.agency_for_head(user)
    if agency is not None:
        context["ratio"] = reviewer_ratio(agency, on=timezone.localdate())
        context["loads"] = queries.reviewer_loads(agency)
    f = QueueFilter.parse(request.GET)
    context["filter"] = f
    if user.agency is not None:
        today = timezone.localdate()
        cat = queries.effective_catalogue(home_agency(user), today)
        shown = f.apply(context["queue"]["all"], today=today, warn_days=cat.warn_days)
        context["rows"] = [(r, queries.deadline_of(r, warn_days=cat.warn_days)) for r in shown]
        context["reviewers"] = queries.reviewers_of(home_agency(user))
    context["statuses"] = list(STATUSES.items())
    context["levels"] = list(LEVELS.items())
    return render(request, "review/queue.html", context, status=400 if f.errors else 200)


def _round_context(request: HttpRequest, round_: ReviewRound, case: Case) -> dict[str, Any]:
    user = acting_user(request)
    me = queries.officer_of(user)
    latest = queries.latest_round(case)
    return {
        "round": round_,
        "case": case,
        "status": queries.status_for(case),
        "can_review": round_.status == "assigned" and me is not None and me == round_.reviewer,
        # A reviewer may take a waiting round; only the head assigns others or reassigns.
        "can_assign": (round_.is_open and user.role == Role.HEAD)
        or (round_.status == "submitted" and user.role == Role.REVIEWER),
        "can_extend": round_.is_open and user.role == Role.HEAD and not round_.extended,
        "can_dispute": round_.status == "failed" and latest == round_ and is_on_team(user, case),
        "assign_form": AssignForm(reviewers=queries.reviewers_of(case.agency)),
        "case_file": queries.case_file_for(user, case),
        "reason_form": ReasonForm(),
        "me": me,
    }


@require_GET
@staff_view
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_, case = _round(request, pk)
    context = _round_context(request, round_, case) | {"form": ReviewForm()}
    return render(request, "review/round.html", context)


@require_POST
@staff_view
def round_review(request: HttpRequest, pk: int) -> HttpResponse:
    round_, case = _round(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review(
                actor=acting_user(request),
                round_id=round_.pk,
                marks=form.marks(),
                agree=form.cleaned_data["agree"] == "yes",
                opinion_text=form.cleaned_data["opinion"],
                required_changes=form.cleaned_data["required_changes"],
            )
        except DomainError as err:
            if err.code != "validation_error":
                raise
            _refused(request, form, err)
        else:
            messages.success(request, f"已出具第{round_.number}轮审核意见。")
            return redirect("review:round", pk=round_.pk)
    context = _round_context(request, round_, case) | {"form": form}
    return render(request, "review/round.html", context, status=422)


@require_POST
@staff_view
def round_assign(request: HttpRequest, pk: int) -> HttpResponse:
    round_, case = _round(request, pk)
    form = AssignForm(request.POST, reviewers=queries.reviewers_of(case.agency))
    if not form.is_valid():
        raise DomainError("validation_error", "请选择本机关法制股的审核人员。")
    services.assign(
        actor=acting_user(request),
        round_id=round_.pk,
        reviewer_id=form.cleaned_data["reviewer"].pk,
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, f"已分配给{form.cleaned_data['reviewer'].name}。")
    return redirect("review:round", pk=round_.pk)


def _with_reason(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    """A round action that takes only a written reason (extend, dispute)."""
    round_, _ = _round(request, pk)
    action(actor=acting_user(request), round_id=round_.pk, reason=request.POST.get("reason", ""))
    messages.success(request, done)
    return redirect("review:round", pk=round_.pk)


@require_POST
@staff_view
def round_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(request, pk, services.extend_deadline, "已批准延长审核期限。")


@require_POST
@staff_view
def round_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(request, pk, services.dispute, "已提出异议，提交负责人集体讨论。")


@require_GET
@staff_view
def round_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    round_, case = _round(request, pk)
    if not round_.opinion_pdf:
        raise DomainError("not_found", "本轮尚未出具意见书。")
    name = f"fazhi-shenhe-{case.pk}-{round_.number}.pdf"
    with round_.opinion_pdf.open("rb") as pdf:
        response = HttpResponse(pdf.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_GET
@staff_view
def history(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk)
    user = acting_user(request)
    context = {
        "case": case,
        "status": queries.status_for(case),
        "rounds": queries.rounds_for(case),
        "flags": case.major_flags.select_related("flagged_by"),
        "discussions": queries.discussions_for(case),
        "gates": queries.gates_for(case),
        "can_submit": is_on_team(user, case),
        "can_flag": is_on_team(user, case) or user.role == Role.HEAD,
        "is_head": user.role == Role.HEAD,
        "flag_form": FlagForm(),
        "discussion_form": DiscussionForm(),
    }
    return render(request, "review/history.html", context)


@staff_view
def submit(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk)
    again = queries.latest_round(case) is not None
    form = MaterialsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        materials = {k: v for k, v in data.items() if k != "response"}
        try:
            if again:
                services.resubmit(
                    actor=acting_user(request),
                    case_id=case.pk,
                    materials=materials,
                    response=data["response"],
                )
            else:
                services.submit(actor=acting_user(request), case_id=case.pk, materials=materials)
        except DomainError as err:
            if err.code != "validation_error":
                raise
            _refused(request, form, err)
        else:
            messages.success(request, "已报送法制审核。")
            return redirect("review:history", case_pk=case.pk)
    context = {"case": case, "form": form, "again": again, "status": queries.status_for(case)}
    return render(request, "review/submit.html", context, status=422 if form.errors else 200)


@require_POST
@staff_view
def flag(request: HttpRequest, case_pk: int) -> HttpResponse:
    form = FlagForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    services.flag_major(
        actor=acting_user(request),
        case_id=case_pk,
        reason=data.get("reason", ""),
        note=data.get("note", ""),
    )
    messages.success(request, "已认定为重大执法决定。")
    return redirect("review:history", case_pk=case_pk)


@require_POST
@staff_view
def discussion(request: HttpRequest, case_pk: int) -> HttpResponse:
    form = DiscussionForm(request.POST)
    if not form.is_valid():
        raise DomainError("validation_error", "请完整填写讨论日期、参加人员、结论和记录。")
    services.record_discussion(
        actor=acting_user(request),
        case_id=case_pk,
        held_on=form.cleaned_data["held_on"],
        attendees=form.attendee_list(),
        outcome=form.cleaned_data["outcome"],
        minutes=form.cleaned_data["minutes"],
    )
    messages.success(request, "已记录集体讨论。")
    return redirect("review:history", case_pk=case_pk)


@staff_view
def catalogue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    agency = home_agency(user)
    as_of = parse_as_of(request.GET.get("as_of"))
    current = queries.catalogue_as_of(agency, as_of)
    may_edit = user.role in {Role.ADMIN, Role.HEAD}
    initial = (
        vars(services.catalogue_data_of(current)) if current else vars(services.CatalogueData())
    )
    form = CatalogueForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require_role(user, Role.ADMIN, Role.HEAD)
        if form.is_valid():
            try:
                version = services.publish_catalogue(
                    actor=user,
                    agency_id=agency.pk,
                    data=form.data_object(),
                    valid_from=form.cleaned_data["valid_from"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as err:
                _refused(request, form, err)
            else:
                messages.success(request, f"已发布目录清单第{version.number}版。")
                return redirect("review:catalogue")
    context = {
        "agency": agency,
        "catalogue": current,
        "as_of": as_of,
        "versions": queries.catalogue_history(agency),
        "form": form if may_edit else None,
    }
    return render(request, "review/catalogue.html", context, status=422 if form.errors else 200)


@staff_view
def catalogue_export(request: HttpRequest) -> HttpResponse:
    body = catalogue_sheet.export_catalogue(home_agency(acting_user(request)).pk)
    return respond.xlsx_file(body, "review-catalogue.xlsx")


@require_POST
@staff_view
def catalogue_import(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_role(user, Role.ADMIN, Role.HEAD)
    return respond.import_sheet(
        request,
        back=reverse("review:catalogue"),
        filename="review-catalogue",
        run=lambda data: catalogue_sheet.import_catalogue(
            actor=user, agency_id=home_agency(user).pk, data=data
        ),
    )


@require_GET
def public_catalogue(request: HttpRequest, agency_pk: int) -> HttpResponse:
    """The published 目录清单 on the portal (no login)."""
    agency = Agency.objects.filter(pk=agency_pk, level=AgencyLevel.DEPARTMENT).first()
    if agency is None:
        raise Http404("未找到该执法主体")
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except DomainError as err:
        return render(request, "portal/error.html", {"error": err}, status=400)
    context = {
        "agency": agency,
        "review_catalogue": queries.catalogue_as_of(agency, as_of),
        "as_of": as_of,
    }
    return render(request, "review/public_catalogue.html", context)
