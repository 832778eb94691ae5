"""A real-name channel (统一身份认证) in front of the party's links, when one is configured.

Sanxiang needs no citizen accounts: a party link is a long random token bound to one person and
case (services.py). Where the province runs a 统一身份认证 platform (e.g. the 政务服务网's 实名认证,
usually CAS or OAuth 2.0/OIDC), a deployment can also require that whoever opens a link has
proved, on that platform, to be the party it was made for. ``SANXIANG_REAL_NAME_CHANNEL`` names a
class (dotted path) with the two methods of ``Channel``; docs/identity.md says how to write one.

The check compares the number the channel verified (居民身份证号码 of a person, 统一社会信用代码 of
an organisation's 法人 account) with the party's; only its HMAC is kept in the session. With no
channel configured, nothing here changes a link's behaviour.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sanxiang.lib.errors import DomainError

from . import services

SESSION_KEY = "sx_real_name"


@dataclass(frozen=True)
class Identity:
    """What the channel verified: a name and the number of the person or organisation."""

    name: str
    number: str


class Channel(Protocol):
    label: str  # shown on the page, e.g. "辽宁政务服务网统一身份认证"

    def start_url(self, request: HttpRequest, callback_url: str) -> str:
        """Where to send the visitor to prove who they are; the channel comes back to
        ``callback_url`` (absolute) when done."""
        ...

    def identity(self, request: HttpRequest) -> Identity | None:
        """On the callback: the identity the channel vouches for (ticket or code checked with
        the channel itself, server to server), or None when it does not."""
        ...


def channel() -> Channel | None:
    path = str(getattr(settings, "SANXIANG_REAL_NAME_CHANNEL", "") or "")
    return import_string(path)() if path else None


def _number_key(number: str) -> str:
    return services._hmac("real-name:" + number.strip().upper())


def _party_number(party: Any) -> str:
    return str(party.id_number or party.credit_code or "")


def _session_matches(request: HttpRequest, party: Any) -> bool:
    held = request.session.get(SESSION_KEY)
    number = _party_number(party)
    return bool(held and number and held.get("number") == _number_key(number))


def requires_real_name(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Before a link view: with a channel configured, the visitor must have proved, through it,
    to be the party the link was made for (401 with the way to do so, 403 for another person)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        chosen = channel()
        link = services._link_for(token) if chosen is not None else None
        if chosen is None or link is None or _session_matches(request, link.party):
            return view(request, token, *args, **kwargs)  # unknown links: the view refuses
        held = request.session.get(SESSION_KEY)
        if held:
            err = DomainError(
                "forbidden",
                f"您通过{chosen.label}认证的身份与本链接的当事人不符，不能打开。"
                "如链接是发给您单位或家人的，请由当事人本人认证后打开。",
            )
        else:
            err = DomainError(
                "real_name_required",
                f"打开本链接前，请先通过{chosen.label}进行实名认证。",
            )
        start = reverse("applicant_portal:real_name") + "?next=" + request.path
        context = {"error": err, "real_name_url": start, "channel_label": chosen.label}
        return render(request, "applicant/link_error.html", context, status=err.status)

    return wrapped


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponseBase:
    """Send the visitor to the channel, to come back to ``callback``."""
    chosen = channel()
    target = request.GET.get("next", "")
    if chosen is None or not _safe(request, target):
        return redirect(reverse("applicant_portal:progress"))
    request.session["sx_real_name_next"] = target
    callback = request.build_absolute_uri(reverse("applicant_portal:real_name_callback"))
    return redirect(chosen.start_url(request, callback))


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse | HttpResponseBase:
    """Back from the channel: keep (the HMAC of) the verified number, go where the visitor was."""
    chosen = channel()
    if chosen is None:
        return redirect(reverse("applicant_portal:progress"))
    verified = chosen.identity(request)
    if verified is None:
        err = DomainError("real_name_required", f"{chosen.label}未能确认您的身份，请重新认证。")
        return render(request, "applicant/link_error.html", {"error": err}, status=err.status)
    request.session.cycle_key()  # a new session for a newly proved identity
    request.session[SESSION_KEY] = {"name": verified.name, "number": _number_key(verified.number)}
    target = str(request.session.pop("sx_real_name_next", ""))
    return redirect(target if _safe(request, target) else reverse("applicant_portal:progress"))


def _safe(request: HttpRequest, target: str) -> bool:
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
