"""The resumable upload endpoints: tus 1.0.0 (https://tus.io/protocols/resumable-upload) core
with the creation, checksum, expiration and termination extensions, for the signed-in staff
of the case (session and CSRF token, as the other pages). docs/records.md gives the exchange.

    OPTIONS /records/case/<case>/uploads/           what this server offers
    POST    /records/case/<case>/uploads/           Upload-Length, Upload-Metadata → 201 Location
    HEAD    /records/case/<case>/uploads/<token>/   → Upload-Offset (where to resume)
    PATCH   /records/case/<case>/uploads/<token>/   Upload-Offset, Upload-Checksum: sha256 <b64>
    DELETE  /records/case/<case>/uploads/<token>/   give the upload up

Differences from plain tus, each for evidence: every PATCH must carry ``Upload-Checksum``
(SHA-256); the metadata must declare the whole file's ``sha256`` (hex), checked before the
record is written; a chunk cut short is discarded whole rather than kept in part. The answer to
the PATCH that completes the file (and to a HEAD after it) names the record in
``X-Record-Id`` and ``X-Record-Url``. Refusals answer ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from sanxiang.accounts.decorators import acting_user
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import blobs, resumable
from .forms import UploadForm
from .models import ResumableUpload
from .services import RecordData

VERSION = "1.0.0"
EXTENSIONS = "creation,checksum,expiration,termination"
OFFSET_TYPE = "application/offset+octet-stream"
REASONS = {460: "Checksum Mismatch"}


def _headers(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = VERSION
    response["Cache-Control"] = "no-store"
    return response


def _refusal(error: DomainError) -> HttpResponse:
    response = JsonResponse(error.as_dict(), status=error.status)
    if error.status in REASONS:
        response.reason_phrase = REASONS[error.status]
    if error.code == "upload_version_unsupported":
        response["Tus-Version"] = VERSION
    return _headers(response)


View = Callable[..., HttpResponse]


def tus_endpoint(view: View) -> View:
    """Signed in with both factors (no redirect to a login page: a client gets 403), the
    ``Tus-Resumable`` version checked, and every refusal answered in JSON."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        verified = user.is_authenticated and (
            not settings.SANXIANG_REQUIRE_OTP or user.is_verified()
        )
        try:
            if not verified:
                raise DomainError("forbidden", "请先登录（含双因素验证）后再上传。")
            version = request.headers.get("Tus-Resumable")
            if request.method != "OPTIONS" and version != VERSION:
                raise DomainError(
                    "upload_version_unsupported",
                    f"续传协议版本不符：本服务器使用 tus {VERSION}（请求头 Tus-Resumable）。",
                )
            return _headers(view(request, *args, **kwargs))
        except DomainError as error:
            return _refusal(error)

    return wrapper


def _int_header(request: HttpRequest, name: str) -> int:
    raw = request.headers.get(name, "")
    if not raw.isdigit():
        raise DomainError("upload_request_invalid", f"请求头 {name} 缺失或不是非负整数。")
    return int(raw)


def parse_metadata(header: str) -> dict[str, str]:
    """tus Upload-Metadata: ``key base64(value)`` pairs separated by commas."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = item.partition(" ")
        try:
            pairs[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise DomainError(
                "upload_request_invalid", f"Upload-Metadata 中“{key}”的值不是有效的 Base64。"
            ) from None
    return pairs


def _position(meta: dict[str, str]) -> dict[str, float] | None:
    names = ("latitude", "longitude", "accuracy")
    given = [name for name in names if meta.get(name)]
    if not given:
        return None
    try:
        values = {name: float(meta[name]) for name in names}
    except (KeyError, ValueError):
        raise ValidationFailed("拍摄位置应包含有效的纬度、经度和精度。", field="position") from None
    return values


def record_data(case_id: int, meta: dict[str, str]) -> RecordData:
    form = UploadForm(meta)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else "表单"
        raise ValidationFailed(f"{label}：{errors[0]}", field=field)
    captured = None
    if meta.get("captured_at"):
        captured = parse_datetime(meta["captured_at"])
        if captured is None:
            raise ValidationFailed("拍摄时间格式无效（应为 ISO 8601）。", field="captured_at")
    data = form.record_data(case_id, meta.get("filename", "")[:255], "")
    return replace(data, captured_at=captured, position=_position(meta))


def _state(response: HttpResponse, upload: ResumableUpload) -> HttpResponse:
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.length)
    response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    if upload.record_id is not None:
        response["X-Record-Id"] = str(upload.record_id)
        response["X-Record-Url"] = reverse("records:detail", args=[upload.record_id])
    return response


def _offered() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Tus-Version"] = VERSION
    response["Tus-Extension"] = EXTENSIONS
    response["Tus-Max-Size"] = str(blobs.max_bytes())
    response["Tus-Checksum-Algorithm"] = "sha256"
    return response


@tus_endpoint
def uploads(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "OPTIONS":
        return _offered()
    if request.method != "POST":
        raise DomainError("upload_request_invalid", "此地址只接受 POST（开始上传）。")
    length = _int_header(request, "Upload-Length")
    meta = parse_metadata(request.headers.get("Upload-Metadata", ""))
    upload = resumable.create_upload(
        actor=acting_user(request),
        data=record_data(case_id, meta),
        length=length,
        sha256=meta.get("sha256", ""),
    )
    response = HttpResponse(status=201)
    response["Location"] = reverse("records:resumable", args=[case_id, upload.token])
    return _state(response, upload)


def _checksum(request: HttpRequest) -> bytes:
    raw = request.headers.get("Upload-Checksum", "")
    algorithm, _, encoded = raw.partition(" ")
    if not raw:
        raise DomainError(
            "upload_checksum_invalid", "每段数据须附 Upload-Checksum 请求头（sha256 摘要）。"
        )
    if algorithm != "sha256":
        raise DomainError(
            "upload_checksum_invalid", f"不支持的摘要算法“{algorithm}”：只接受 sha256。"
        )
    try:
        digest = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != 32:
        raise DomainError("upload_checksum_invalid", "Upload-Checksum 中的 SHA-256 摘要无效。")
    return digest


def _patch(request: HttpRequest, case_id: int, token: str) -> HttpResponse:
    if request.content_type != OFFSET_TYPE:
        raise DomainError("upload_request_invalid", f"数据段的 Content-Type 应为 {OFFSET_TYPE}。")
    upload = resumable.receive_chunk(
        actor=acting_user(request),
        case_id=case_id,
        token=token,
        offset=_int_header(request, "Upload-Offset"),
        length=_int_header(request, "Content-Length"),
        checksum=_checksum(request),
        stream=request,
    )
    return _state(HttpResponse(status=204), upload)


@tus_endpoint
def upload(request: HttpRequest, case_id: int, token: str) -> HttpResponse:
    actor = acting_user(request)
    if request.method == "OPTIONS":
        return _offered()
    if request.method == "HEAD":
        found = resumable.get_upload_for(actor, case_id=case_id, token=token)
        return _state(HttpResponse(status=200), found)
    if request.method == "PATCH":
        return _patch(request, case_id, token)
    if request.method == "DELETE":
        resumable.cancel_upload(actor=actor, case_id=case_id, token=token)
        return HttpResponse(status=204)
    raise DomainError("upload_request_invalid", "此地址只接受 HEAD、PATCH、DELETE。")
