"""Staff pages of cases. Thin: parse, call a query or a service, render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import home_agency, require_role, visible_agency_ids
from sanxiang.imports import respond
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import DEFINITIONS
from sanxiang.procedures.flowchart import render_svg

from . import benchmark_sheet, exports, queries, services
from .deadlines import figures
from .execution_views import execution_context
from .filters import SORTS, CaseFilter, filter_choices
from .forms import (
    BenchmarkForm,
    ClosingRequestForm,
    DeadlineSettingForm,
    DefenceForm,
    DraftForm,
    OpenCaseForm,
    PauseForm,
    RecusalDecisionForm,
    RecusalForm,
    ResumeForm,
    TransitionForm,
)
from .models import Case, ClosingRequestStatus, DecisionDraft
from .order import periods
from .panels import case_panels_for


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _form_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


PAGE_SIZE = 30
# Beyond this page a list is not read by people; asking for it is an error, not a 500.
MAX_PAGE = 100_000


def _page_number(raw: str, errors: list[str]) -> int:
    raw = raw.strip()
    if not raw:
        return 1
    if not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_PAGE:
        errors.append(f"页码“{raw[:12]}”无效，请填写 1 至 {MAX_PAGE} 之间的整数。")
        return 1
    return int(raw)


def _filtered(request: HttpRequest) -> tuple[CaseFilter, Any]:
    today = timezone.localdate()
    f = CaseFilter.parse(request.GET)
    rows = queries.with_warnings(queries.my_cases(request.user), today)
    return f, f.apply(rows, today)


@dataclass(frozen=True)
class ListPage:
    """One page of the list, without counting the whole filtered set (a million cases take a
    second to count; the page itself is read from an index)."""

    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def __iter__(self) -> Any:
        return iter(self.rows)

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


@staff_view
def case_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    f, rows = _filtered(request)
    number = _page_number(request.GET.get("page", ""), f.errors)
    page = None
    if not f.errors:
        start = (number - 1) * PAGE_SIZE
        found = list(rows[start : start + PAGE_SIZE + 1])
        page = ListPage(found[:PAGE_SIZE], number, len(found) > PAGE_SIZE)
        if not found and number > 1:
            messages.info(request, f"第 {number} 页没有案件，请返回第一页。")
    user: Any = request.user
    wide = user.is_superuser or user.role in {Role.HEAD, Role.SUPERVISOR}
    # The head's and the supervisor's board counts by agency (deadline_scan_idx).
    scope = visible_agency_ids(user) if wide else queries.open_cases(queries.my_cases(user))
    context = {
        "page": page,
        "filter": f,
        "extra_query": f.query_string(),
        "board": queries.deadline_board(scope, today),
        "today": today,
        "choices": filter_choices(request.user),
        "sort_links": {key: f.sort_link(key) for key in SORTS},
        "sort_key": f.sort.lstrip("-"),
        "sort_desc": f.sort.startswith("-"),
    }
    return render(request, "cases/list.html", context, status=400 if f.errors else 200)


@staff_view
@require_GET
def case_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list as CSV or XLSX, streamed (the same filters as the page)."""
    f, rows = _filtered(request)
    if f.errors:
        raise ValidationFailed("；".join(f.errors))
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
        return cast(HttpResponse, response)  # staff_view's type; a streamed answer is fine
    if fmt != "xlsx":
        raise Http404("没有这种导出格式。")
    if rows.count() > exports.XLSX_MAX_ROWS:
        raise ValidationFailed(
            f"筛选结果超过 XLSX 工作表的上限（{exports.XLSX_MAX_ROWS:,} 行），"
            "请缩小筛选范围，或导出 CSV。"
        )
    sheet = FileResponse(
        exports.xlsx_file(rows),
        as_attachment=True,
        filename=f"cases-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return cast(HttpResponse, sheet)


@staff_view
def case_new(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.OFFICER, Role.HEAD)
    form = OpenCaseForm(request.POST or None, agency=home_agency(acting_user(request)))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.open_case(
                actor=acting_user(request),
                matter_id=int(d["matter"]),
                procedure=d["procedure"],
                title=d["title"],
                source=d["source"],
                facts=d["facts"],
                parties=form.parties(),
                team=[int(pk) for pk in d["team"]],
                opened_on=d["opened_on"],
                limitation=form.limitation(),
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已登记：{case.number}")
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/new.html", {"form": form})


def stage_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What the stage panel, timeline and deadlines need (full page and htmx partial)."""
    user: Any = request.user
    today = timezone.localdate()
    definition = case.definition
    steps = []
    for step in definition.next_steps(case.stage):
        allowed = services.may_take(user, case, step.roles, head_approval=step.head_approval)
        back = definition.stage_index(step.target) < definition.stage_index(step.source)
        label = definition.label_of(step.target)
        steps.append({"step": step, "allowed": allowed, "target_label": label, "back": back})
    writable = user.is_superuser or user.role != Role.SUPERVISOR
    return {
        "case": case,
        "steps": steps if writable else [],
        "flowchart": mark_safe(  # noqa: S308 - render_svg escapes every text it draws
            render_svg(
                definition,
                case.stage,
                figures=figures(case.agency_id, case.matter_id, definition),
            )
        ),
        "timeline": queries.timeline(case),
        "deadlines": queries.deadlines_of(case, today),
        # 陈述申辩 and 听证-request periods (行政处罚法 第45、64条): the decision waits for them.
        "periods": [(p, p.holds_back(today)) for p in periods(case)],
        "defence_form": DefenceForm(auto_id="defence-%s") if writable else None,
        "today": today,
        "writable": writable,
        **closing_context(user, case, writable=writable),
    }


def closing_context(user: Any, case: Case, *, writable: bool) -> dict[str, Any]:
    """报请结案 on the stage panel: the request waiting, the last one returned, who may act."""
    step = case.definition.closing_step(case.stage) if writable else None
    if step is None:
        return {"closing_step": None}
    latest = case.closing_requests.select_related("requested_by", "decided_by").last()
    pending = latest if latest and latest.status == ClosingRequestStatus.PENDING else None
    returned = latest if latest and latest.status == ClosingRequestStatus.RETURNED else None
    return {
        "closing_step": step,
        # Twin steps into 结案 (审查: 移送司法机关 or 不予行政处罚) share the request: name both.
        "closing_label": "或".join(s.label for s in case.definition.closing_steps(case.stage)),
        "closing_pending": pending,
        "closing_returned": returned if returned and returned.stage == case.stage else None,
        "may_ask_closing": pending is None
        and services.may_take(user, case, frozenset({Role.OFFICER}), head_approval=False)
        and user.role == Role.OFFICER,
        "may_sign_closing": services.may_take(user, case, step.roles, head_approval=True),
    }


@staff_view
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for(request.user, pk)
    context = stage_context(request, case)
    draft = DecisionDraft.objects.filter(case=case).first()
    members = list(queries.team(case))
    context.update(
        {
            "parties": queries.parties_of(case),
            "witnesses": queries.witnesses_of(case),
            "members": members,
            "draft": draft,
            "matter_name": queries.matter_name(case),
            "benchmarks": queries.benchmarks_for(case),
            "recusals": case.recusals.select_related("member__officer", "decided_by"),
            "recusal_form": RecusalForm(members=[m for m in members if not m.recused]),
            "extra_panels": case_panels_for(request, case),
            "execution": execution_context(request, case, writable=context["writable"]),
        }
    )
    return render(request, "cases/detail.html", context)


@staff_view
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("请求数据有误。")
    d = form.cleaned_data
    case = services.transition(
        actor=acting_user(request),
        case_id=pk,
        target=d["target"],
        note=d["note"],
        expected_stage=d["expected_stage"],
        on=d["on"],
    )
    if _is_htmx(request):
        return render(request, "cases/_stage.html", stage_context(request, case))
    messages.success(request, f"已转入“{case.stage_label}”。")
    return redirect("cases:detail", pk=pk)


@staff_view
@require_POST
def closing_request(request: HttpRequest, pk: int) -> HttpResponse:
    """报请结案 (the officer) — the head then signs 结案 on the same panel."""
    form = ClosingRequestForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("请求数据有误。")
    d = form.cleaned_data
    services.request_closing(
        actor=acting_user(request),
        case_id=pk,
        note=d["note"],
        expected_stage=d["expected_stage"],
    )
    return _stage_reply(request, pk, "已报请结案，等待负责人审批。")


@staff_view
@require_POST
def closing_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = ClosingRequestForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("请求数据有误。")
    services.return_closing(actor=acting_user(request), case_id=pk, note=form.cleaned_data["note"])
    return _stage_reply(request, pk, "结案申请已退回。")


def _stage_reply(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    case = queries.get_case_for(request.user, pk)
    if _is_htmx(request):
        return render(request, "cases/_stage.html", stage_context(request, case))
    messages.success(request, message)
    return redirect("cases:detail", pk=pk)


@staff_view
@require_POST
def case_defence(request: HttpRequest, pk: int) -> HttpResponse:
    form = DefenceForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("请选择记录事项，日期格式为年-月-日。")
    d = form.cleaned_data
    services.record_defence(
        actor=acting_user(request), case_id=pk, kind=d["kind"], on=d["on"], note=d["note"]
    )
    messages.success(request, "已记录。")
    return redirect("cases:detail", pk=pk)


@staff_view
def case_draft(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for(request.user, pk, write=True)
    draft = DecisionDraft.objects.filter(case=case).first()
    initial = {f: getattr(draft, f) or "" for f in DraftForm.base_fields} if draft else {}
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_draft(actor=acting_user(request), case_id=pk, data=form.to_data())
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, "决定草稿已保存。")
            return redirect("cases:detail", pk=pk)
    context = {"case": case, "form": form, "benchmarks": queries.benchmarks_for(case)}
    return render(request, "cases/draft.html", context)


@staff_view
@require_POST
def deadline_pause(request: HttpRequest, pk: int) -> HttpResponse:
    form = PauseForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("请填写暂停理由和日期。")
    deadline = services.pause_deadline(
        actor=acting_user(request), deadline_id=pk, **form.cleaned_data
    )
    messages.success(request, "时限已暂停计算。")
    return redirect("cases:detail", pk=deadline.case_id)


@staff_view
@require_POST
def deadline_resume(request: HttpRequest, pk: int) -> HttpResponse:
    form = ResumeForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("请填写恢复日期。")
    deadline = services.resume_deadline(
        actor=acting_user(request), deadline_id=pk, on=form.cleaned_data["on"]
    )
    messages.success(request, "时限已恢复计算。")
    return redirect("cases:detail", pk=deadline.case_id)


@staff_view
@require_POST
def recusal_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for(request.user, pk, write=True)
    form = RecusalForm(request.POST, members=list(case.members.select_related("officer")))
    if not form.is_valid():
        raise ValidationFailed("请选择办案人员并填写申请人和理由。")
    d = form.cleaned_data
    services.request_recusal(
        actor=acting_user(request),
        case_id=pk,
        member_id=d["member"],
        requested_by=d["requested_by"],
        reason=d["reason"],
    )
    messages.success(request, "回避申请已登记，待负责人决定。")
    return redirect("cases:detail", pk=pk)


@staff_view
@require_POST
def recusal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = RecusalDecisionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("请选择决定。")
    d = form.cleaned_data
    recusal = services.decide_recusal(
        actor=acting_user(request), recusal_id=pk, grant=d["grant"], note=d["note"]
    )
    messages.success(request, "回避决定已记录。")
    return redirect("cases:detail", pk=recusal.case_id)


@staff_view
def configuration(request: HttpRequest) -> HttpResponse:
    """时限设置 and 裁量基准 of the user's agency (admin or head)."""
    require_role(request.user, Role.ADMIN, Role.HEAD)
    actor = acting_user(request)
    agency = home_agency(actor)
    deadline_form = DeadlineSettingForm(
        request.POST if "key" in request.POST else None, agency=agency
    )
    bench_form = BenchmarkForm(
        request.POST if "circumstance" in request.POST else None, agency=agency
    )
    form = deadline_form if "key" in request.POST else bench_form
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if form is deadline_form:
                procedure, rule = d["key"].split(".", 1)
                services.set_deadline_setting(
                    actor=actor,
                    procedure=procedure,
                    rule=rule,
                    days=d["days"],
                    unit=d["unit"],
                    warn_days=d["warn_days"],
                    matter_id=int(d["matter"]) if d["matter"] else None,
                    note=d["note"],
                )
            else:
                data = services.BenchmarkData(**{k: v for k, v in d.items() if k != "matter"})
                services.save_benchmark(actor=actor, matter_id=int(d["matter"]), data=data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, "已保存，新的设置只用于此后起算的时限和起草的决定。")
            return redirect("cases:configuration")
    context = {
        "deadline_form": deadline_form,
        "bench_form": bench_form,
        "settings": queries.deadline_settings(agency.pk),
        "benchmarks": queries.agency_benchmarks(agency.pk),
    }
    return render(request, "cases/configuration.html", context)


@staff_view
def benchmarks_export(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN, Role.HEAD)
    body = benchmark_sheet.export_benchmarks(home_agency(acting_user(request)).pk)
    return respond.xlsx_file(body, "benchmarks.xlsx")


@require_POST
@staff_view
def benchmarks_import(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN, Role.HEAD)
    actor = acting_user(request)
    return respond.import_sheet(
        request,
        back=reverse("cases:configuration"),
        filename="benchmarks",
        run=lambda data: benchmark_sheet.import_benchmarks(
            actor=actor, agency_id=home_agency(actor).pk, data=data
        ),
    )


@require_GET
@cache_control(public=True, max_age=300)
def matter_flowchart(request: HttpRequest, matter_id: int, code: str) -> HttpResponse:
    """A matter's published 执法流程图 (public, no login) with the agency's own deadlines."""
    definition = DEFINITIONS.get(code)
    version = queries.current_version(matter_id)
    if definition is None or version is None or version.category != definition.category:
        raise Http404("没有该事项的执法流程。")
    svg = render_svg(
        definition,
        title=f"{version.name}（{definition.label}）流程图",
        figures=figures(version.matter.agency_id, matter_id, definition),
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
