"""Thin: parse the form, call the service, say what happened on the case page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.cases.services import extend_deadline
from sanxiang.lib.errors import DomainError

from . import queries, services
from .forms import ExtendForm, TermsForm


@staff_view
@require_POST
def set_terms(request: HttpRequest, pk: int) -> HttpResponse:
    form = TermsForm(request.POST)
    back = reverse("cases:detail", args=[pk]) + "#case-licence"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"许可证件信息未保存：{error}")
        return redirect(back)
    try:
        services.set_terms(
            actor=acting_user(request), case_id=pk, data=services.TermsData(**form.cleaned_data)
        )
    except DomainError as err:
        messages.error(request, f"许可证件信息未保存：{err.message}")
    else:
        messages.success(request, "许可证件信息已登记；请重新保存决定草稿，使其纳入审核和决定。")
    return redirect(back)


@staff_view
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    """行政许可法 第42条: the head extends the decision period by ten working days."""
    form = ExtendForm(request.POST)
    back = reverse("cases:detail", args=[pk]) + "#case-licence"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"延长许可期限未保存：{error}")
        return redirect(back)
    try:
        extend_deadline(
            actor=acting_user(request),
            case_id=pk,
            rule=queries.EXTENSION_RULE,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as err:
        messages.error(request, f"延长许可期限未保存：{err.message}")
    else:
        messages.success(
            request, "已批准延长十个工作日；请制发《延长行政许可期限通知书》告知申请人。"
        )
    return redirect(back)
