"""Ends a staff session after a period without requests (等保: idle timeout)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_KEY = "sanxiang_last_seen"
_WRITE_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(_KEY)
            if last is not None and now - float(last) > settings.SANXIANG_IDLE_TIMEOUT_SECONDS:
                logout(request)
                request.session["sanxiang_idle_logout"] = True
            elif last is None or now - float(last) > _WRITE_EVERY_SECONDS:
                # Refresh the mark at most once a minute: a session write per request would
                # cost every page a database UPDATE.
                request.session[_KEY] = now
        return self.get_response(request)
