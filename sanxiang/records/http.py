"""Serving stored objects over HTTP with byte ranges (RFC 9110 §14), and playback grants.

A player asks for many ranges of one video. The retrieval is logged once, when the page shows
the player; the ranges then ride on a short-lived signed grant naming the user, the record,
the session and the ledger entry of that retrieval: a grant copied to another browser, another
user or another record is refused, and it expires within minutes, so each playback is one
logged retrieval.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from django.core import signing
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from sanxiang.lib.errors import DomainError, ValidationFailed

from . import blobs
from .models import Access, Record

GRANT_SALT = "sanxiang.records.playback"
GRANT_MAX_AGE = 10 * 60  # seconds: long enough to start a recording, not to share a link
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def content_length(request: HttpRequest) -> int:
    """The declared body length of an upload; required so a truncated body can be told."""
    raw = request.META.get("CONTENT_LENGTH") or ""
    if not raw.isdigit():
        raise ValidationFailed("上传请求缺少文件长度（Content-Length）。", field="file")
    return int(raw)


def _session_tag(session_key: str | None) -> str:
    # A digest, not the key itself: the grant travels in URLs and logs.
    return hashlib.sha256(f"grant:{session_key or ''}".encode()).hexdigest()[:16]


def grant_for(access: Access, *, session_key: str | None) -> str:
    return signing.dumps(
        {
            "r": access.record_id,
            "u": access.actor_id,
            "e": access.ledger_entry_id,
            "s": _session_tag(session_key),
        },
        salt=GRANT_SALT,
    )


def check_grant(token: str, *, record_id: int, user_id: int, session_key: str | None) -> None:
    try:
        data = signing.loads(token, salt=GRANT_SALT, max_age=GRANT_MAX_AGE)
    except signing.BadSignature:
        raise DomainError("forbidden", "播放授权无效或已过期，请重新打开记录页面。") from None
    if data.get("r") != record_id or data.get("u") != user_id:
        raise DomainError("forbidden", "播放授权与当前用户或记录不符。")
    if not session_key or data.get("s") != _session_tag(session_key):
        raise DomainError("forbidden", "播放授权属于另一次登录，请重新打开记录页面。")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive, or None for "the whole object"; ValueError when unsatisfiable."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # several ranges or another unit: answer with the whole object (allowed)
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise ValueError("range outside the object")
    return start, end


def object_response(
    record: Record, range_header: str, *, attachment: bool = False
) -> HttpResponseBase:
    size = record.size
    try:
        wanted = parse_range(range_header, size)
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    start, end = wanted if wanted is not None else (0, size - 1)
    streaming = StreamingHttpResponse(
        blobs.read_range(record.storage_name, start, end),
        status=206 if wanted is not None else 200,
        content_type=record.content_type,
    )
    streaming["Content-Length"] = str(end - start + 1)
    streaming["Accept-Ranges"] = "bytes"
    streaming["ETag"] = f'"{record.sha256}"'
    streaming["Cache-Control"] = "private, no-store"
    if wanted is not None:
        streaming["Content-Range"] = f"bytes {start}-{end}/{size}"
    if attachment:
        filename = quote(record.original_name or f"record-{record.pk}")
        streaming["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return streaming
