"""The case page's 听证安排 and 移送司法机关 forms (行政处罚法 第64条, 第27条). Thin: parse the
form, call the service, say what happened on the case page (a refusal is shown there too)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.directory.models import Agency, Officer
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import STAFF, StageRole
from sanxiang.workbench.forms import StyledForm

from . import hearings, transfers
from .models import Case
from .panels import CasePanel
from .queries import get_case_for
from .services.common import may_take


class HearingForm(StyledForm):
    held_on = forms.DateField(
        label="听证日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    held_time = forms.TimeField(
        label="开始时间", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(label="听证地点", max_length=200)
    presiding = forms.TypedChoiceField(label="听证主持人（非本案调查人员）", coerce=int)
    notified_on = forms.DateField(
        label="听证通知书送达之日",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不填为今天；听证日期须在其后至少七个工作日（第64条、第85条）。",
        required=False,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = case.members.filter(recused=False).values_list("officer_id", flat=True)
        officers = Officer.objects.filter(
            agency_id__in=Agency.subtree_ids({case.agency_id})
        ).exclude(pk__in=list(team))
        presiding = self.fields["presiding"]
        assert isinstance(presiding, forms.TypedChoiceField)  # noqa: S101 - declared above
        presiding.choices = [(o.pk, o.name) for o in officers.order_by("name")]


class TransferForm(StyledForm):
    organ = forms.CharField(label="接收移送的司法机关", max_length=200)
    grounds = forms.CharField(
        label="移送理由（涉嫌犯罪的事实和依据）", widget=forms.Textarea(attrs={"rows": 3})
    )


def hearing_panel(request: HttpRequest, case: Case) -> CasePanel | None:
    """At 听证: the schedule and, for the team or the head, the form to (re)schedule it. At 审查:
    the form to prepare a 移送 (the 案件移送书 then prints it)."""
    definition = case.definition
    at_hearing = definition.has_role(case.stage, StageRole.HEARING)
    at_review = definition.has_role(case.stage, StageRole.REVIEW) and any(
        s.documents and "案件移送书" in s.documents for s in definition.next_steps(case.stage)
    )
    if not (at_hearing or at_review):
        return None
    writable = may_take(request.user, case, STAFF, head_approval=False)
    hearing = hearings.current(case) if at_hearing else None
    form = None
    if at_hearing and writable:
        initial: dict[str, Any] = {"notified_on": timezone.localdate(), "held_time": time(9, 30)}
        if hearing is not None:
            at = timezone.localtime(hearing.held_at)
            initial |= {"held_on": at.date(), "held_time": at.time(), "place": hearing.place}
            # A notice already issued: a new time or place is notified again from today (第64条).
            renotice = hearings.notified_schedule(case.pk) is not None
            notified_on = timezone.localdate() if renotice else hearing.notified_on
            initial |= {"presiding": hearing.presiding_id, "notified_on": notified_on}
        form = HearingForm(initial=initial, case=case, auto_id="hearing-%s")
    transfer = TransferForm(auto_id="transfer-%s") if at_review and writable else None
    return CasePanel(
        order=6,
        template="cases/_hearing.html",
        context={
            "case": case,
            "hearing": hearing,
            "form": form,
            "transfer_form": transfer,
            "basis": hearings.BASIS,
        },
    )


def _back(pk: int, anchor: str) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[pk]) + anchor)


def _refused(request: HttpRequest, what: str, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, f"{what}未保存：{error}")


@staff_view
@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    form = HearingForm(request.POST, case=case)
    if not form.is_valid():
        _refused(request, "听证安排", form)
        return _back(pk, "#case-hearing")
    d = form.cleaned_data
    held_at = timezone.make_aware(datetime.combine(d["held_on"], d["held_time"]))
    try:
        hearings.schedule_hearing(
            actor=acting_user(request),
            case_id=pk,
            held_at=held_at,
            place=d["place"],
            presiding_id=d["presiding"],
            notified_on=d["notified_on"],
        )
    except DomainError as error:
        messages.error(request, f"听证安排未保存：{error.message}")
    else:
        messages.success(request, "听证已安排；请制发《听证通知书》并送达当事人。")
    return _back(pk, "#case-hearing")


@staff_view
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    get_case_for(request.user, pk)
    form = TransferForm(request.POST)
    if not form.is_valid():
        _refused(request, "移送意见", form)
        return _back(pk, "#case-hearing")
    try:
        transfers.prepare_transfer(actor=acting_user(request), case_id=pk, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, f"移送意见未保存：{error.message}")
    else:
        messages.success(request, "移送意见已记录；请制发《案件移送书》，报负责人批准移送。")
    return _back(pk, "#case-hearing")
