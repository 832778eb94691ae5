"""Staff login: password, then a TOTP code (django-otp); first login enrols an authenticator."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import EnrolForm, LoginForm
from .models import User

_PENDING = "sanxiang_enrol_user"
_PENDING_SECONDS = 300


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    idle = request.session.pop("sanxiang_idle_logout", False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = authenticate(request, username=data["username"], password=data["password"])
        if getattr(request, "axes_locked_out", False):
            return render(request, "accounts/locked.html", {"minutes": 30}, status=429)
        if user is None:
            form.add_error(None, "用户名或密码错误。")
        elif not settings.SANXIANG_REQUIRE_OTP:
            login(request, user)
            return redirect(_next_url(request))
        else:
            devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
            if not devices:
                request.session[_PENDING] = [user.pk, time.time()]
                return redirect("accounts:enrol")
            device = next((d for d in devices if d.verify_token(data["otp_token"])), None)
            if device is None:
                # A wrong second factor counts as a failed login for the lockout.
                user_login_failed.send(
                    sender=__name__, credentials={"username": data["username"]}, request=request
                )
                form.add_error("otp_token", "动态口令错误或已过期。")
            else:
                login(request, user)
                otp_login(request, device)
                return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "idle": idle})


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(_PENDING)
    if not pending or time.time() - float(pending[1]) > _PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending[0], is_active=True).first()


@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """First login: bind an authenticator app by scanning a QR code and typing one code."""
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "身份验证器"}
    )
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session.pop(_PENDING, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("otp_token", "动态口令不正确，请核对手机时间后重试。")
    qr = segno.make(device.config_url, micro=False).svg_data_uri(scale=4)
    return render(request, "accounts/enrol.html", {"form": form, "qr": qr, "user": user})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")
