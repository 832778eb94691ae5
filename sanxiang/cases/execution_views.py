"""The execution panel's writes (payments, 延期/分期, the court, 终结). Thin: parse the form,
call the service, say what happened on the case page (a refusal is shown there too)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.models import Role
from sanxiang.lib.errors import DomainError

from . import execution as ex
from . import queries, services
from .execution_models import ExecutionKind
from .forms import ArrangementForm, EnforcementForm, PaymentForm, TerminationForm
from .models import Case


def execution_context(request: HttpRequest, case: Case, *, writable: bool) -> dict[str, Any]:
    """The panel's data: the schedule today, and the forms the user may use."""
    s = ex.schedule(case)
    user: Any = request.user
    head = user.is_superuser or user.role == Role.HEAD
    open_ = writable and not case.closed_on and s.owed and not s.executed
    return {
        "s": s,
        "bases": {
            "pay": ex.PAY_BASIS,
            "arrangement": ex.ARRANGEMENT_BASIS,
            "surcharge": ex.SURCHARGE_BASIS,
            "review": ex.REVIEW_BASIS,
            "suit": ex.SUIT_BASIS,
            "court": ex.COURT_BASIS,
            "reminder": ex.REMINDER_BASIS,
            "termination": ex.TERMINATION_BASIS,
        },
        "reasons": ex.TERMINATION_REASONS,
        "payment_form": PaymentForm(auto_id="pay-%s") if open_ else None,
        "arrangement_form": ArrangementForm(auto_id="arr-%s") if open_ and head else None,
        "enforcement_form": EnforcementForm(auto_id="enf-%s") if open_ else None,
        "termination_form": TerminationForm(auto_id="end-%s") if open_ and head else None,
    }


def _record(request: HttpRequest, pk: int, action: str) -> str:
    actor = acting_user(request)
    if action == "payment":
        form: Any = PaymentForm(request.POST)
        if form.is_valid():
            services.record_payment(actor=actor, case_id=pk, **form.cleaned_data)
            return "缴款已登记。"
    elif action == "arrangement":
        form = ArrangementForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            services.approve_arrangement(
                actor=actor,
                case_id=pk,
                kind=d["kind"],
                on=d["on"],
                due_on=d["due_on"],
                instalments=form.plan(),
                note=d["note"],
            )
            return "延期（分期）缴纳的批准已登记。"
    elif action == "enforcement":
        form = EnforcementForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            write = (
                services.apply_for_enforcement
                if d["step"] == ExecutionKind.ENFORCEMENT_APPLIED
                else services.conclude_enforcement
            )
            write(actor=actor, case_id=pk, on=d["on"], note=d["note"])
            return "强制执行情况已登记。"
    elif action == "termination":
        form = TerminationForm(request.POST)
        if form.is_valid():
            services.terminate_execution(actor=actor, case_id=pk, **form.cleaned_data)
            return "终结执行已登记。"
    else:
        raise DomainError("validation_error", "未知的执行事项。")
    errors = "；".join(str(e) for errors in form.errors.values() for e in errors)
    raise DomainError("validation_error", f"请检查填写的内容：{errors}")


@staff_view
@require_POST
def case_execution(request: HttpRequest, pk: int) -> HttpResponse:
    queries.get_case_for(request.user, pk, write=True)
    try:
        done = _record(request, pk, request.POST.get("action", ""))
    except DomainError as error:
        if error.code in {"not_found", "forbidden"}:
            raise
        messages.error(request, f"{error.message}（{error.code}）")
    else:
        messages.success(request, done)
    return redirect(reverse("cases:detail", args=[pk]) + "#case-execution")
