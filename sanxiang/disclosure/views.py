"""Staff pages of 公示管理: the queue, preview, publish/exclude/withdraw, posts, rules, 年报."""

from __future__ import annotations

import contextlib
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.queries import home_agency, visible_agency_ids
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.workbench.forms import StyledForm

from . import corrections, drafting, masking, queries, report_facts, services
from .forms import (
    AddMaskForm,
    AnswerForm,
    ExcludeForm,
    FactForm,
    LiftMaskForm,
    NarrativeForm,
    PostForm,
    RevocationForm,
    RuleForm,
    WithdrawForm,
)
from .models import (
    AnnualReport,
    CorrectionReport,
    Post,
    Publication,
    PublicationStatus,
    ReportFact,
    RuleCategory,
)
from .report import tables_for


def _item_for(request: HttpRequest, pk: int) -> Publication:
    item = Publication.objects.select_related("case", "ledger_entry").filter(pk=pk).first()
    if item is None or item.agency_id not in visible_agency_ids(request.user):
        raise DomainError("not_found", "未找到该公示事项，或无权访问。")
    return item


def _invalid(form: StyledForm) -> ValidationFailed:
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    return ValidationFailed(f"{label}：{errors[0]}", field=field)


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    scope = visible_agency_ids(request.user)
    rows = queries.queue_for(scope, timezone.localdate())
    recent = (
        Publication.objects.filter(agency_id__in=scope)
        .exclude(status="queued")
        .defer("source_text", "search_text", "masked_text")
        .order_by("-pk")[:20]
    )
    others = queries.other_clocks(scope, timezone.localdate())
    context = {"rows": rows, "recent": recent, "others": others}
    return render(request, "disclosure/queue.html", context)


@staff_view
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The masked text with what was masked highlighted, and the actions on the item."""
    item = _item_for(request, pk)
    if item.status == PublicationStatus.QUEUED:
        # The 保密审查 works on the issued 决定书's text: show that, so the positions the page
        # offers to lift are those the actions check (staff who may not act just read).
        with contextlib.suppress(DomainError):
            item = services.take_issued_text(actor=acting_user(request), publication_id=item.pk)
    shown = masking.preview_of(item)
    context = {
        "item": item,
        "source": shown,
        "segments": drafting.preview_segments(shown.text, shown.spans),
        "add_mask_form": AddMaskForm(prefix="m"),
        "exclude_form": ExcludeForm(prefix="x"),
        "withdraw_form": WithdrawForm(prefix="w"),
        "revocation_form": RevocationForm(prefix="r"),
    }
    return render(request, "disclosure/preview.html", context)


@staff_view
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    item = services.publish(actor=acting_user(request), publication_id=_item_for(request, pk).pk)
    messages.success(request, f"已公示：{item.doc_number}")
    return redirect("disclosure:preview", pk=item.pk)


# The preview page holds three forms whose fields share names; each posts with its prefix.
ACTION_FORMS: dict[str, tuple[type[StyledForm], str]] = {
    "exclude": (ExcludeForm, "x"),
    "withdraw": (WithdrawForm, "w"),
    "revocation": (RevocationForm, "r"),
    "add_mask": (AddMaskForm, "m"),
    "lift_mask": (LiftMaskForm, "l"),
}


def _posted(request: HttpRequest, pk: int, action: str) -> tuple[int, dict[str, Any]]:
    """The item's id (after the access check) and the action form's cleaned data."""
    form_class, prefix = ACTION_FORMS[action]
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        raise _invalid(form)
    return _item_for(request, pk).pk, form.cleaned_data


@staff_view
@require_POST
def exclude(request: HttpRequest, pk: int) -> HttpResponse:
    item_id, data = _posted(request, pk, "exclude")
    item = services.exclude(actor=acting_user(request), publication_id=item_id, **data)
    messages.success(request, f"已作不予公示处理：{item.doc_number}")
    return redirect("disclosure:preview", pk=item.pk)


@staff_view
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item_id, data = _posted(request, pk, "withdraw")
    item = services.withdraw(actor=acting_user(request), publication_id=item_id, **data)
    messages.success(request, f"已撤回：{item.doc_number}")
    return redirect("disclosure:preview", pk=item.pk)


@staff_view
@require_POST
def revocation(request: HttpRequest, pk: int) -> HttpResponse:
    item_id, data = _posted(request, pk, "revocation")
    item = services.record_revocation(actor=acting_user(request), publication_id=item_id, **data)
    messages.warning(request, f"请于{item.withdraw_due_on:%Y-%m-%d}前撤回该决定的公示。")
    return redirect("disclosure:preview", pk=item.pk)


@staff_view
@require_POST
def add_mask(request: HttpRequest, pk: int) -> HttpResponse:
    item_id, data = _posted(request, pk, "add_mask")
    made = services.add_mask(actor=acting_user(request), publication_id=item_id, **data)
    messages.success(request, f"已增加遮盖：共{len(made)}处。")
    return redirect("disclosure:preview", pk=item_id)


@staff_view
@require_POST
def lift_mask(request: HttpRequest, pk: int) -> HttpResponse:
    item_id, data = _posted(request, pk, "lift_mask")
    services.lift_mask(actor=acting_user(request), publication_id=item_id, **data)
    messages.success(request, "已解除该处遮盖，理由已记录。")
    return redirect("disclosure:preview", pk=item_id)


@staff_view
def posts(request: HttpRequest) -> HttpResponse:
    rows = Post.objects.filter(agency_id__in=visible_agency_ids(request.user)).select_related(
        "agency"
    )
    return render(request, "disclosure/posts.html", {"posts": rows})


@staff_view
def post_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = acting_user(request)
    post = None
    if pk is not None:
        post = Post.objects.filter(pk=pk, agency_id__in=visible_agency_ids(actor)).first()
        if post is None:
            raise DomainError("not_found", "未找到该岗位，或无权访问。")
    initial = {f: getattr(post, f) for f in PostForm.base_fields} if post else {}
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        agency_id = post.agency_id if post else home_agency(actor).pk
        saved = services.save_post(
            actor=actor,
            agency_id=agency_id,
            data=services.PostData(**form.cleaned_data),
            post_id=post.pk if post else None,
        )
        messages.success(request, f"已保存岗位信息：{saved.window}")
        return redirect("disclosure:posts")
    return render(request, "disclosure/post_form.html", {"form": form, "post": post})


@staff_view
def rules(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    agency = home_agency(actor)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        category = data.pop("category")
        services.save_rule(
            actor=actor, agency_id=agency.pk, category=category, data=services.RuleData(**data)
        )
        messages.success(request, "已保存公示规则。")
        return redirect("disclosure:rules")
    current = [(c, asdict(services.rule_for(agency.pk, c.value))) for c in RuleCategory]
    return render(
        request, "disclosure/rules.html", {"form": form, "rules": current, "agency": agency}
    )


@staff_view
def report_edit(request: HttpRequest, year: int) -> HttpResponse:
    actor = acting_user(request)
    agency = home_agency(actor)
    report = AnnualReport.objects.filter(agency=agency, year=year).first()
    form = NarrativeForm(
        request.POST or None, initial={"narrative": getattr(report, "narrative", "")}
    )
    if request.method == "POST" and form.is_valid():
        services.save_report_narrative(
            actor=actor, agency_id=agency.pk, year=year, narrative=form.cleaned_data["narrative"]
        )
        messages.success(request, "已保存年报说明。")
        return redirect("disclosure:report", year=year)
    facts = (
        ReportFact.objects.filter(agency=agency, occurred_on__year=year)
        .select_related("case")
        .order_by("-occurred_on", "-pk")
    )
    context = {
        "form": form,
        "fact_form": FactForm(prefix="f"),
        "facts": facts,
        "report": report,
        "year": year,
        "agency": agency,
        "tables": tables_for(agency_id=agency.pk, year=year),
    }
    return render(request, "disclosure/report_edit.html", context)


@staff_view
@require_POST
def report_fact(request: HttpRequest, year: int) -> HttpResponse:
    """登记 a 复议, 诉讼, 强制执行, 申请法院强制执行, 移送司法 or 整改 for the 年报."""
    actor = acting_user(request)
    form = FactForm(request.POST, prefix="f")
    if not form.is_valid():
        raise _invalid(form)
    fact = report_facts.record_fact(
        actor=actor, agency_id=home_agency(actor).pk, **form.cleaned_data
    )
    messages.success(request, f"已登记：{fact.get_kind_display()}（{fact.case.number}）。")
    return redirect("disclosure:report", year=year)


@staff_view
@require_POST
def report_publish(request: HttpRequest, year: int) -> HttpResponse:
    actor = acting_user(request)
    services.publish_report(actor=actor, agency_id=home_agency(actor).pk, year=year)
    messages.success(request, f"{year}年度年报已发布。")
    return redirect("disclosure:report", year=year)


@staff_view
def correction_list(request: HttpRequest) -> HttpResponse:
    """纠错 reports of the agencies the user may see, those waiting for an answer first."""
    status = request.GET.get("status", "")
    rows = corrections.for_staff(visible_agency_ids(request.user), status)[:200]
    today = timezone.localdate()
    return render(
        request,
        "disclosure/corrections.html",
        {"rows": rows, "status": status, "today": today},
    )


@staff_view
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = (
        CorrectionReport.objects.filter(pk=pk, agency_id__in=visible_agency_ids(request.user))
        .select_related("agency", "publication", "report_entry", "answer_entry", "resolution_entry")
        .first()
    )
    if report is None:
        raise DomainError("not_found", "未找到该纠错，或无权访问。")
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            raise _invalid(form)
        corrections.answer_report(
            actor=acting_user(request), report_id=report.pk, **form.cleaned_data
        )
        messages.success(request, f"已答复纠错 {report.reference}。")
        return redirect("disclosure:correction", pk=report.pk)
    return render(request, "disclosure/correction.html", {"report": report, "form": form})
