"""The case page's 集体讨论 panel (行政处罚法 第57条第2款; h10a item 5): why the case is for the
heads, the discussions recorded, and for the agency's head the form to record one. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import home_agency
from sanxiang.cases.models import Case
from sanxiang.cases.panels import CasePanel
from sanxiang.cases.queries import get_case_for
from sanxiang.lib.errors import DomainError

from . import collective
from .forms import CaseDiscussionForm
from .models import Discussion


def collective_panel(request: HttpRequest, case: Case) -> CasePanel | None:
    """Shown before the decision of a case 第57条第2款 puts to the heads."""
    if not case.definition.has_role(case.stage, *collective.BEFORE_DECISION):
        return None
    why = collective.reasons(case)
    if not why:
        return None
    user = acting_user(request)
    is_head = user.role == Role.HEAD and home_agency(user).pk == case.agency_id
    discussions = Discussion.objects.filter(review__case=case).order_by("pk")
    return CasePanel(
        order=8,
        template="review/_collective.html",
        context={
            "case": case,
            "reasons": why,
            "discussions": list(discussions),
            "form": CaseDiscussionForm(auto_id="collective-%s") if is_head else None,
            "basis": collective.BASIS,
        },
    )


@staff_view
@require_POST
def convene(request: HttpRequest, pk: int) -> HttpResponse:
    get_case_for(request.user, pk)
    back = redirect(reverse("cases:detail", args=[pk]) + "#case-collective")
    form = CaseDiscussionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"集体讨论未保存：{error}")
        return back
    try:
        collective.convene_discussion(
            actor=acting_user(request),
            case_id=pk,
            held_on=form.cleaned_data["held_on"],
            attendees=form.attendee_list(),
            outcome=form.cleaned_data["outcome"],
            minutes=form.cleaned_data["minutes"],
        )
    except DomainError as error:
        messages.error(request, f"集体讨论未保存：{error.message}")
    else:
        messages.success(request, "集体讨论已记录；请制发《集体讨论记录》附卷后再作出决定。")
    return back
