"""Authentication of the JSON API for staff: the signed-in session, once the second factor was
given (the same rule as ``staff_view``). Every app's router uses it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import SessionAuth


class StaffSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user: Any = request.user
        if not user.is_authenticated:
            return None
        if settings.SANXIANG_REQUIRE_OTP and not user.is_verified():
            return None
        return user
