"""Staff pages of 双随机、一公开: thin, each POST calls one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.queries import home_agency, visible_agency_ids
from sanxiang.lib.errors import DomainError

from . import queries, services
from .forms import ConflictForm, FollowUpForm, ImportForm, PlanForm, RedrawForm, ResultForm
from .models import Conflict, DrawStatus


def _act(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Run one service call; show its refusal (message and code) or ``done``."""
    try:
        action()
    except DomainError as err:
        messages.error(request, f"{err.message}（{err.code}）")
        return False
    messages.success(request, done)
    return True


@staff_view
def plans(request: HttpRequest) -> HttpResponse:
    rows = queries.plans_of(visible_agency_ids(request.user))
    return render(request, "inspections/plans.html", {"plans": rows})


@staff_view
def plan_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PlanForm(request.POST or None, agency=home_agency(user))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.save_plan(actor=user, data=form.to_data())
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, "抽查计划已保存（草拟）。")
            return redirect("inspections:plan", plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form})


@staff_view
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    scope = visible_agency_ids(request.user)
    found = queries.plan_for(scope, pk)
    draws = list(found.draws.order_by("round"))
    context = {
        "plan": found,
        "draws": draws,
        "summaries": [queries.summary(d) for d in draws if d.status != DrawStatus.PENDING],
        "pending": next((d for d in draws if d.status == DrawStatus.PENDING), None),
        "assignments": queries.assignments_of(found, scope),
        "joint": list(found.joint_agencies.order_by("pk")),
        "leads": found.agency_id in scope,
        "redraw_form": RedrawForm(),
    }
    return render(request, "inspections/plan.html", context)


@staff_view
@require_POST
def plan_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    _act(
        request,
        lambda: services.freeze_plan(actor=acting_user(request), plan_id=pk),
        "计划和名录已冻结，摘要已记入账本；待下一个签名检查点生成随机种子后抽取。",
    )
    return redirect("inspections:plan", pk)


@staff_view
@require_POST
def plan_draw(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.plan_for(visible_agency_ids(request.user), pk)
    pending = found.draws.filter(status=DrawStatus.PENDING).first()
    if pending is None:
        messages.error(request, "没有等待抽取的轮次。")
    else:
        _act(
            request,
            lambda: services.perform_draw(
                draw_id=pending.pk, actor=acting_user(request), sign=True
            ),
            "已抽取：检查对象和检查组见下表，抽取证书已公开。",
        )
    return redirect("inspections:plan", pk)


@staff_view
@require_POST
def plan_redraw(request: HttpRequest, pk: int) -> HttpResponse:
    _act(
        request,
        lambda: services.request_redraw(
            actor=acting_user(request), plan_id=pk, reason=request.POST.get("reason", "")
        ),
        "重新抽取申请及理由已记入账本，将在下一个签名检查点后抽取。",
    )
    return redirect("inspections:plan", pk)


@staff_view
def certificate(request: HttpRequest, pk: int, round_no: int) -> HttpResponse:
    found = queries.plan_for(visible_agency_ids(request.user), pk)
    return _certificate_response(found.number, round_no, queries.certificate(found, round_no))


def _certificate_response(number: str, round_no: int, text: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    name = f"draw-certificate-{number}-round{round_no}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_view
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.assignment_for(visible_agency_ids(request.user), pk)
    user = acting_user(request)
    if request.method == "POST":
        if request.POST.get("action") == "start":
            _act(
                request,
                lambda: services.start_inspection(actor=user, assignment_id=pk),
                "已建立行政检查案件。",
            )
        elif request.POST.get("action") == "follow_up":
            form = FollowUpForm(request.POST)
            if form.is_valid():
                _act(
                    request,
                    lambda: services.record_follow_up(
                        actor=user, assignment_id=pk, **form.cleaned_data
                    ),
                    "复查情况已录入并公示。",
                )
        else:
            return _result(request, found.pk, ResultForm(request.POST, agency=home_agency(user)))
        return redirect("inspections:assignment", pk)
    context = {
        "a": found,
        "executes": found.target.agency_id == home_agency(user).pk,
        "form": ResultForm(agency=home_agency(user)),
        "follow_up_form": FollowUpForm(initial={"on": timezone.localdate()}),
    }
    return render(request, "inspections/assignment.html", context)


def _result(request: HttpRequest, pk: int, form: ResultForm) -> HttpResponse:
    if form.is_valid():
        d = form.cleaned_data
        if _act(
            request,
            lambda: services.record_result(
                actor=acting_user(request),
                assignment_id=pk,
                outcome=d["outcome"],
                findings=d["findings"],
                inspected_on=d["inspected_on"],
                rectify_by=d["rectify_by"],
                referred_to=d["referred_to"],
                penalty_matter_id=int(d["penalty_matter"]) if d["penalty_matter"] else None,
            ),
            "检查结果已录入，并已在公示平台公开。",
        ):
            return redirect("inspections:assignment", pk)
    found = queries.assignment_for(visible_agency_ids(request.user), pk)
    context = {"a": found, "form": form, "follow_up_form": FollowUpForm(), "executes": True}
    return render(request, "inspections/assignment.html", context, status=422)


@staff_view
def targets(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.import_targets(actor=user, stream=form.cleaned_data["file"])
        except DomainError as err:
            problems = getattr(err, "problems", [err.message])
            return render(
                request,
                "inspections/targets.html",
                {"page": None, "problems": problems, "form": form},
                status=422,
            )
        messages.success(request, f"已导入 {n} 个检查对象。")
        return redirect("inspections:targets")
    rows = queries.targets_of(visible_agency_ids(user))
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(name__contains=q)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "inspections/targets.html", {"page": page, "q": q, "form": form})


@staff_view
def target(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.targets_of(visible_agency_ids(request.user)).filter(pk=pk).first()
    if found is None:
        raise DomainError("not_found", "未找到该检查对象，或无权访问。")
    context = {
        "t": found,
        "history": queries.history(found),
        "versions": found.versions.order_by("-version"),
    }
    return render(request, "inspections/target.html", context)


@staff_view
def conflicts(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ConflictForm(request.POST or None)
    officer = getattr(user, "officer", None)
    if request.method == "POST" and form.is_valid() and officer is not None:
        d = form.cleaned_data
        if _act(
            request,
            lambda: services.declare_conflict(
                actor=user,
                officer_id=officer.pk,
                kind=d["kind"],
                target_id=d["target"],
                area=d["area"],
                note=d["note"],
            ),
            "回避情形已申报，今后的抽取将据此回避。",
        ):
            return redirect("inspections:conflicts")
    rows = Conflict.objects.filter(officer__agency_id__in=visible_agency_ids(user)).select_related(
        "officer", "target"
    )
    return render(
        request, "inspections/conflicts.html", {"form": form, "rows": rows, "officer": officer}
    )
