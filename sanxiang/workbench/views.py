from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.lib import workdays

from . import notifications
from .inbox import count_for, inbox_for
from .panels import panels_for


@staff_view
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    ahead = (today.year, today.year + 1)
    provisional = workdays.provisional_years()
    known = workdays.known_years()
    context: dict[str, Any] = {
        "panels": panels_for(request),
        "calendar_provisional": [y for y in ahead if y in provisional],
        "calendar_missing": [y for y in ahead if y not in known and y not in provisional],
    }
    return render(request, "workbench/home.html", context)


# Items shown per section on the inbox page; the section links to its full list beyond that.
INBOX_PAGE_ITEMS = 20


@staff_view
def inbox(request: HttpRequest) -> HttpResponse:
    """待办: everything waiting for the signed-in person, each item linking to where to act."""
    box = inbox_for(request.user, limit=INBOX_PAGE_ITEMS)
    return render(request, "workbench/inbox.html", {"inbox": box})


@staff_view
def inbox_count(request: HttpRequest) -> HttpResponse:
    """The badge in the navigation (loaded by htmx, so other pages do not pay for it)."""
    return render(
        request, "workbench/_inbox_count.html", {"count": count_for(request.user), "what": "项待办"}
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for load balancers; also the trivial baseline view of the benchmarks."""
    return HttpResponse("ok", content_type="text/plain")


@staff_view
def notifications_page(request: HttpRequest) -> HttpResponse:
    """通知: the latest notifications, and the person's e-mail choice."""
    user = acting_user(request)
    context = {
        "rows": list(notifications.recent_for(user)),
        "unread": notifications.unread_count(user),
        "email_on": notifications.email_enabled(user),
        "mail_configured": notifications.mail_configured(),
        "has_address": bool(user.email),
    }
    return render(request, "workbench/notifications.html", context)


@staff_view
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    ids = [int(pk) for pk in request.POST.getlist("id") if pk.isdigit()]
    notifications.mark_read(actor=acting_user(request), notification_ids=ids or None)
    return redirect("workbench:notifications")


@staff_view
@require_POST
def notifications_email(request: HttpRequest) -> HttpResponse:
    enabled = request.POST.get("email") == "on"
    notifications.set_email(actor=acting_user(request), enabled=enabled)
    messages.success(
        request, "已开启邮件通知。" if enabled else "已关闭邮件通知，站内通知不受影响。"
    )
    return redirect("workbench:notifications")


@staff_view
def notifications_count(request: HttpRequest) -> HttpResponse:
    count = notifications.unread_count(request.user)
    return render(request, "workbench/_inbox_count.html", {"count": count, "what": "条未读通知"})
