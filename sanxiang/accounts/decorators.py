from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from sanxiang.workbench.http import refusals_shown

from .models import User

F = TypeVar("F", bound=Callable[..., HttpResponse])


def staff_view(view: F) -> F:
    """A staff page: signed in with both factors; domain refusals shown as error pages."""
    shown = refusals_shown(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        verified = user.is_authenticated and (
            not settings.SANXIANG_REQUIRE_OTP or user.is_verified()
        )
        if not verified:
            return redirect_to_login(request.get_full_path())
        return shown(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def acting_user(request: HttpRequest) -> User:
    """The signed-in staff member of a request that passed ``staff_view``."""
    return cast(User, request.user)
