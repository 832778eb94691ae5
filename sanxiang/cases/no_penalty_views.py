"""The case page's 不予处罚 form (行政处罚法 第57条第1款第（二）（三）项; h10a). Thin: parse the
form, call ``no_penalty.prepare_no_penalty``, say what happened on the case page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import STAFF
from sanxiang.workbench.forms import StyledForm

from . import no_penalty
from .models import Case
from .panels import CasePanel
from .queries import get_case_for
from .services.common import may_take


class NoPenaltyForm(StyledForm):
    ground = forms.ChoiceField(label="不予处罚情形", choices=no_penalty.Ground.choices)
    reasons = forms.CharField(
        label="认定理由（事实和证据；“可以”不予处罚的，写明为何不予处罚）",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    violation_on = forms.DateField(
        label="违法行为发生（终了）日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        help_text="不满十四周岁（第30条）、超过追责期限（第36条）须填写。",
    )


def no_penalty_panel(request: HttpRequest, case: Case) -> CasePanel | None:
    """At 审查 of a case whose procedure has the 不予处罚 step: the ground recorded, and for the
    team or the head the form to record it (the 不予行政处罚决定书 then prints it)."""
    definition = case.definition
    offered = any("不予行政处罚决定书" in s.documents for s in definition.next_steps(case.stage))
    if not offered:
        return None
    writable = may_take(request.user, case, STAFF, head_approval=False)
    payload = no_penalty.prepared(case)
    ground = no_penalty.Ground(str(payload["ground"])).label if payload else ""
    return CasePanel(
        order=7,
        template="cases/_no_penalty.html",
        context={
            "case": case,
            "prepared": payload,
            "ground": ground,
            "form": NoPenaltyForm(auto_id="no-penalty-%s") if writable else None,
            "basis": no_penalty.BASIS,
        },
    )


@staff_view
@require_POST
def prepare(request: HttpRequest, pk: int) -> HttpResponse:
    get_case_for(request.user, pk)
    back = redirect(reverse("cases:detail", args=[pk]) + "#case-no-penalty")
    form = NoPenaltyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"不予处罚意见未保存：{error}")
        return back
    try:
        no_penalty.prepare_no_penalty(actor=acting_user(request), case_id=pk, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, f"不予处罚意见未保存：{error.message}")
    else:
        messages.success(
            request,
            "不予处罚意见已记录；请制发《不予行政处罚决定书》并送达，报负责人批准结案。",
        )
    return back
