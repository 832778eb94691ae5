"""Thin: parse the form, call the service, say what happened on the case page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.lib.errors import DomainError

from . import services
from .forms import TermsForm


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
