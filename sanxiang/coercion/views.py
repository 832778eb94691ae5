"""Thin: parse the form, call the service, say what happened on the case page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.cases.services import extend_deadline
from sanxiang.lib.errors import DomainError

from . import services
from .forms import ConfiscationForm, ExtendForm, ItemsForm, ReleaseForm, ReportForm


def _act(
    request: HttpRequest,
    pk: int,
    form: forms.Form,
    what: str,
    done: str,
    call: Callable[[dict[str, Any]], object],
) -> HttpResponse:
    back = reverse("cases:detail", args=[pk]) + "#case-coercion"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{what}未保存：{error}")
        return redirect(back)
    try:
        call(form.cleaned_data)
    except DomainError as err:
        messages.error(request, f"{what}未保存：{err.message}")
    else:
        messages.success(request, done)
    return redirect(back)


@staff_view
@require_POST
def items(request: HttpRequest, pk: int) -> HttpResponse:
    form = ItemsForm(request.POST)
    actor = acting_user(request)
    return _act(
        request,
        pk,
        form,
        "查封、扣押清单",
        "清单已登记；请制发《查封扣押决定书》和《查封扣押清单》。",
        lambda d: services.set_items(actor=actor, case_id=pk, items=form.items()),
    )


@staff_view
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)

    def call(d: dict[str, Any]) -> object:
        return services.report_on_spot(
            actor=actor,
            case_id=pk,
            carried_out_at=d["carried_out_at"],
            reported_at=d["reported_at"] or timezone.now(),
            circumstances=d["circumstances"],
        )

    return _act(
        request,
        pk,
        ReportForm(request.POST),
        "当场实施报告",
        "报告已登记；请制发《当场实施行政强制措施报告》，报负责人补办批准手续。",
        call,
    )


@staff_view
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    return _act(
        request,
        pk,
        ExtendForm(request.POST),
        "延长查封扣押期限",
        "已批准延长；请制发《延长查封扣押期限决定书》告知当事人。",
        lambda d: extend_deadline(
            actor=actor, case_id=pk, rule="seizure", reason=d["reason"], days=d["days"]
        ),
    )


@staff_view
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    return _act(
        request,
        pk,
        ReleaseForm(request.POST),
        "解除查封扣押",
        "已决定解除；请制发《解除查封扣押决定书》并立即退还财物（第28条）。",
        lambda d: services.release(
            actor=actor, case_id=pk, ground=d["ground"], explanation=d["explanation"], on=d["on"]
        ),
    )


@staff_view
@require_POST
def confiscate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    return _act(
        request,
        pk,
        ConfiscationForm(request.POST),
        "没收登记",
        "已登记依法没收。",
        lambda d: services.record_confiscation(
            actor=actor, case_id=pk, decision_number=d["decision_number"], note=d["note"]
        ),
    )
