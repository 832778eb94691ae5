"""How views turn a domain refusal into an answer people and machines understand."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from sanxiang.lib.errors import DomainError

F = TypeVar("F", bound=Callable[..., HttpResponse])


def error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(error.as_dict(), status=error.status)
    template = (
        "workbench/_error.html" if request.headers.get("HX-Request") else "workbench/error.html"
    )
    return render(request, template, {"error": error}, status=error.status)


def refusals_shown(view: F) -> F:
    """Render a DomainError raised by a service as a Chinese error page with its code."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return error_page(request, error)

    return wrapper  # type: ignore[return-value]
