"""Authentication of the exchange API: a signed request from a scoped key (docs/exchange.md).

One instance per scope, so each operation declares what it needs and the OpenAPI shows the
``X-Sanxiang-Key`` scheme. All checks are in ``services.check_request``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyHeader

from . import services

HEADERS = {
    "key": "X-Sanxiang-Key",
    "timestamp": "X-Sanxiang-Timestamp",
    "nonce": "X-Sanxiang-Nonce",
    "signature": "X-Sanxiang-Signature",
}


def _header(request: HttpRequest, name: str) -> str:
    return str(request.headers.get(name, ""))


def signed_request(request: HttpRequest) -> services.SignedRequest:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit: int = settings.SANXIANG_EXCHANGE_MAX_BODY_BYTES
    # The body is read only when it is within the limit (a huge body is refused unread).
    body = request.body if length <= limit else b""
    return services.SignedRequest(
        method=request.method or "GET",
        path=request.path,
        query=str(request.META.get("QUERY_STRING", "")),
        body=body,
        key_id=_header(request, HEADERS["key"]),
        timestamp=_header(request, HEADERS["timestamp"]),
        nonce=_header(request, HEADERS["nonce"]),
        signature=_header(request, HEADERS["signature"]),
        content_length=length,
        remote_addr=str(request.META.get("REMOTE_ADDR", "")),
    )


class SignedClient(APIKeyHeader):
    """The key in ``X-Sanxiang-Key``; the timestamp, nonce and signature headers beside it."""

    param_name = HEADERS["key"]

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        client, use = services.check_request(signed_request(request), scope=self.scope)
        request.exchange_use_id = use.pk  # type: ignore[attr-defined]  # read by the middleware
        return client
