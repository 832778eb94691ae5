"""/api/v1/records: upload (raw PUT body, streamed), list, metadata, download with ranges.

Every download through the API is a retrieval (调阅) logged in the ledger, like in the web UI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Query, Router, Schema, Status

from sanxiang.accounts.api_auth import StaffSession
from sanxiang.cases.queries import get_case_for

from . import queries, services
from .http import content_length, object_response
from .models import Access, EvidenceType, Label, MediaKind

router = Router(auth=StaffSession(), tags=["证据与音像记录"])


class RecordOut(Schema):
    id: int
    case_id: int
    stage: str
    evidence_type: EvidenceType
    media_kind: MediaKind
    title: str
    description: str
    label: str
    original_name: str
    uploaded_by: str
    uploaded_at: datetime
    size: int
    content_type: str
    sha256: str
    sm3: str

    @staticmethod
    def resolve_uploaded_by(obj: Any) -> str:
        return str(obj.uploaded_by.get_username())

    # 商业秘密/个人隐私: the words of a record its reader may not open stay hidden (redact_for).
    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(getattr(obj, "shown_title", obj.title))

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return str(getattr(obj, "shown_description", obj.description))


class UploadParams(Schema):
    case_id: int
    evidence_type: EvidenceType
    media_kind: MediaKind
    title: str
    label: str = Label.INTERNAL
    description: str = ""
    name: str = ""


class AccessParams(Schema):
    purpose: str = Access.Purpose.DOWNLOAD
    reason: str = ""


@router.put("/upload", response={201: RecordOut}, summary="上传（请求体即文件，流式接收）")
def upload(request: HttpRequest, params: Query[UploadParams]) -> Any:
    data = services.RecordData(
        case_id=params.case_id,
        evidence_type=params.evidence_type,
        media_kind=params.media_kind,
        title=params.title,
        label=params.label,
        description=params.description,
        original_name=params.name,
        claimed_sha256=request.headers.get("X-Content-SHA256", ""),
    )
    record = services.add_record(
        actor=request.auth,  # type: ignore[attr-defined]
        data=data,
        stream=request,
        length=content_length(request),
    )
    return Status(201, record)


@router.get("", response=list[RecordOut], summary="案件的记录")
def list_records(request: HttpRequest, case_id: int) -> Any:
    case = get_case_for(request.auth, case_id)  # type: ignore[attr-defined]
    return queries.redact_for(request.auth, queries.records_of_case(case))  # type: ignore[attr-defined]


@router.get("/{record_id}", response=RecordOut, summary="记录元数据")
def metadata(request: HttpRequest, record_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return queries.redact_for(user, [queries.get_record_for(user, record_id)])[0]


@router.get("/{record_id}/content", summary="下载或播放（支持 Range，每次调阅记入账本）")
def content(request: HttpRequest, record_id: int, params: Query[AccessParams]) -> HttpResponseBase:
    actor = request.auth  # type: ignore[attr-defined]
    services.access_record(
        actor=actor,
        record_id=record_id,
        purpose=params.purpose,
        reason=params.reason,
        via="api",
    )
    record = queries.get_record_for(actor, record_id)
    return object_response(record, request.headers.get("Range", ""))


class AccessRequestIn(Schema):
    reason: str


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class AccessRequestOut(Schema):
    id: int
    record_id: int
    status: str
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    valid_until: datetime | None


@router.post(
    "/{record_id}/access-requests",
    response={201: AccessRequestOut},
    summary="申请调阅（本案办案人员以外的人员，须负责人批准）",
)
def request_access(request: HttpRequest, record_id: int, body: AccessRequestIn) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    made = services.request_access(actor=actor, record_id=record_id, reason=body.reason)
    return Status(201, made)


@router.post(
    "/access-requests/{request_id}/decision",
    response=AccessRequestOut,
    summary="负责人审批调阅申请",
)
def decide(request: HttpRequest, request_id: int, body: DecisionIn) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    return services.decide_access(
        actor=actor, request_id=request_id, approve=body.approve, note=body.note
    )
