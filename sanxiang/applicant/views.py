"""Staff pages: make a party link (shown once) and revoke one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.lib.errors import ValidationFailed

from . import services


def _int(raw: str | None, field: str, message: str) -> int:
    text = (raw or "").strip()
    if not text.isdigit() or len(text) > 9:
        raise ValidationFailed(message, field=field)
    return int(text)


@staff_view
@require_POST
def link_create(request: HttpRequest, case_id: int) -> HttpResponse:
    party_id = _int(request.POST.get("party"), "party", "请选择本案的当事人。")
    raw_days = request.POST.get("days", "").strip()
    days = _int(raw_days, "days", "有效期应为整数日。") if raw_days else None
    made = services.create_link(
        actor=acting_user(request), case_id=case_id, party_id=party_id, days=days
    )
    url = request.build_absolute_uri(reverse("applicant_portal:link", args=[made.token]))
    response = render(
        request, "applicant/link_created.html", {"link": made.link, "url": url}, status=201
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_view
@require_POST
def link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = services.revoke_link(actor=acting_user(request), link_id=pk)
    return redirect(reverse("cases:detail", args=[link.case_id]) + "#party-links")
