"""Staff pages of a case's parties, 委托代理人 and witnesses. Thin: parse, call a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import queries, services
from .forms import AgentForm, PartyForm, WithdrawAgentForm, WitnessForm
from .models import Party, PartyAgent
from .services.parties import letter_choices, naming_documents


def _form_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _party_for(request: HttpRequest, pk: int, *, write: bool = False) -> Party:
    party = Party.objects.filter(pk=pk).first()
    if party is None:
        raise DomainError("not_found", "未找到该当事人。")
    queries.get_case_for(request.user, party.case_id, write=write)  # the agency's scope
    return party


@staff_view
def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for(request.user, pk, write=True)
    form = PartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            party = services.add_party(actor=acting_user(request), case_id=pk, data=form.data_of())
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已增加当事人：{party.name}")
            return redirect("cases:detail", pk=pk)
    return render(request, "cases/party_form.html", {"case": case, "form": form, "party": None})


@staff_view
def party_edit(request: HttpRequest, pk: int) -> HttpResponse:
    party = _party_for(request, pk, write=True)
    initial = {f: getattr(party, f) for f in services.parties.STATE_FIELDS if f != "is_minor"}
    form = PartyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_party(
                actor=acting_user(request),
                party_id=pk,
                data=form.data_of(),
                correction_reason=form.cleaned_data["correction_reason"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已保存当事人：{form.cleaned_data['name']}")
            return redirect("cases:detail", pk=party.case_id)
    context = {"case": party.case, "form": form, "party": party, "named": naming_documents(party)}
    return render(request, "cases/party_form.html", context)


@staff_view
@require_POST
def party_remove(request: HttpRequest, pk: int) -> HttpResponse:
    party = _party_for(request, pk, write=True)
    services.remove_party(actor=acting_user(request), party_id=pk)
    messages.success(request, f"已删除当事人：{party.name}")
    return redirect("cases:detail", pk=party.case_id)


@staff_view
def agent_add(request: HttpRequest, pk: int) -> HttpResponse:
    party = _party_for(request, pk, write=True)
    form = AgentForm(request.POST or None, records=letter_choices(party.case_id))
    if request.method == "POST" and form.is_valid():
        try:
            agent = services.appoint_agent(
                actor=acting_user(request), party_id=pk, data=form.data_of()
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已登记委托代理人：{agent.name}")
            return redirect("cases:detail", pk=party.case_id)
    return render(
        request, "cases/agent_form.html", {"case": party.case, "party": party, "form": form}
    )


@staff_view
@require_POST
def agent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    agent = PartyAgent.objects.filter(pk=pk).first()
    if agent is None:
        raise DomainError("not_found", "未找到该委托代理人。")
    queries.get_case_for(request.user, agent.case_id, write=True)
    form = WithdrawAgentForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("请填写解除日期和理由。")
    services.withdraw_agent(
        actor=acting_user(request),
        agent_id=pk,
        on=form.cleaned_data["on"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, f"已解除委托：{agent.name}")
    return redirect("cases:detail", pk=agent.case_id)


@staff_view
def witness_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for(request.user, pk, write=True)
    form = WitnessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            witness = services.add_witness(
                actor=acting_user(request), case_id=pk, data=form.data_of()
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已登记{witness.get_role_display()}：{witness.name}")
            return redirect("cases:detail", pk=pk)
    return render(request, "cases/witness_form.html", {"case": case, "form": form})
