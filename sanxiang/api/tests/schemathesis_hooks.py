"""Schemathesis hooks of the OpenAPI test (loaded in the schemathesis process through
``SCHEMATHESIS_HOOKS``; no Django there, only ``sanxiang.lib.signing``).

1. Every request to ``/api/v1/exchange/`` is signed as a provincial platform signs it
   (docs/exchange.md): a ``requests`` auth object that sees the prepared request — its final
   body bytes and query — and adds the key, timestamp, nonce and signature headers. So the
   exchange operations are fuzzed behind a valid signature, not stopped at 401.
2. Where validity depends on the server's state rather than on the request, the OpenAPI cannot
   say it, and a positive (schema-valid) request is given a state-valid value here, only in
   these places and only for positive cases:
   - ``Idempotency-Key`` on the exchange writes: a key already used with another body is
     refused (``idempotency_mismatch``, 422, as the IETF Idempotency-Key draft asks); each
     positive request gets a key of its own, keeping the generated text as its suffix.
   - ``POST /api/v1/review/catalogue``: a revision of the current version must take effect
     after it and say why (review.services.publish_catalogue); each request with a date gets
     the next later date and each positive one, when its ``note`` is blank, a note.
   - ``GET /api/v1/disclosure/published``: a range whose start is after its end is refused; the
     two generated dates are put in order (JSON Schema cannot compare two parameters).
"""

from __future__ import annotations

import itertools
import os
import secrets
import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import schemathesis

from sanxiang.lib import signing

EXCHANGE = "/api/v1/exchange/"
KEY_ID = os.environ.get("SANXIANG_SCHEMATHESIS_KEY", "")
SECRET = os.environ.get("SANXIANG_SCHEMATHESIS_SECRET", "")
HASH_NAME = os.environ.get("SANXIANG_SCHEMATHESIS_HASH", "sha256")
_serial = itertools.count(1)
FIRST_VERSION = date(2100, 1, 1)  # later than any version the test's world starts with


class SignedRequest(requests.auth.AuthBase):
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(request.url or "")
        raw = request.body or b""
        if isinstance(raw, str):
            raw = raw.encode()
        if not isinstance(raw, bytes):  # a streamed body cannot be signed ahead of sending
            raise TypeError("the exchange API takes JSON bodies only")
        body: bytes = raw
        stamp = int(time.time())
        nonce = secrets.token_hex(12)
        request.headers["X-Sanxiang-Key"] = KEY_ID
        request.headers["X-Sanxiang-Timestamp"] = str(stamp)
        request.headers["X-Sanxiang-Nonce"] = nonce
        request.headers["X-Sanxiang-Signature"] = signing.sign(
            SECRET.encode(),
            method=request.method or "GET",
            path=unquote(url.path),  # the server signs the decoded path (request.path)
            query=url.query,
            body=body,
            timestamp=stamp,
            nonce=nonce,
            hash_name=HASH_NAME,
        )
        return request


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _positive(case: Any) -> bool:
    meta = case.meta
    return meta is None or meta.generation.mode.is_positive


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    path, method = case.operation.path, case.method.upper()
    if path.startswith(EXCHANGE):
        if not KEY_ID:
            raise RuntimeError("SANXIANG_SCHEMATHESIS_KEY is not set")
        kwargs["auth"] = SignedRequest()
        headers = case.headers or {}
        if method == "POST" and _positive(case) and "Idempotency-Key" in headers:
            headers["Idempotency-Key"] = f"{next(_serial)}-{headers['Idempotency-Key']}"[:80]
        return
    if method == "POST" and path == "/api/v1/review/catalogue" and isinstance(case.body, dict):
        # Every well-formed date is replaced, negative cases' too: a negative case the server
        # accepts (its flaw was one the server ignores) must not set a current version later
        # than the dates handed out here.
        if _is_date(case.body.get("valid_from")):
            case.body["valid_from"] = (FIRST_VERSION + timedelta(days=next(_serial))).isoformat()
        if _positive(case) and not str(case.body.get("note", "")).strip():
            case.body["note"] = "修订说明"
        return
    if not _positive(case):
        return
    if method == "GET" and path == "/api/v1/disclosure/published" and case.query:
        start, end = case.query.get("date_from"), case.query.get("date_to")
        if start and end and start > end:
            case.query["date_from"], case.query["date_to"] = end, start
