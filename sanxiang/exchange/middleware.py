"""Completes the request log: the auth class logs an accepted signed request as it is let in;
this writes the status the API finally answered (a 422 after a valid signature, say)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import ClientUse


class ClientUseStatus:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        use_id = getattr(request, "exchange_use_id", None)
        if use_id is not None and response.status_code != 200:
            outcome = "accepted" if response.status_code < 400 else "refused_after_auth"
            ClientUse.objects.filter(pk=use_id).update(status=response.status_code, outcome=outcome)
        return response
