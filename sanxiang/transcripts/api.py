"""/api/v1/transcripts: a case's 笔录, drafting, signatures (PNG in base64), 拒签, sealing.

The same services as the pages; refusals are ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from sanxiang.accounts.api_auth import StaffSession
from sanxiang.accounts.decorators import acting_user
from sanxiang.documents import queries as document_queries
from sanxiang.lib.errors import ValidationFailed

from . import queries, services
from .models import Transcript
from .signatures import MAX_BYTES

router = Router(tags=["笔录"], auth=StaffSession())
ID = Field(..., ge=1, le=2**53)


class PersonIn(Schema):
    role: str = Field(..., max_length=16)
    name: str = Field("", max_length=120)
    id_number: str = Field("", max_length=40)
    party_id: int | None = Field(None, ge=1, le=2**53)


class QuestionIn(Schema):
    q: str = Field(..., max_length=5000)
    a: str = Field("", max_length=5000)


class TranscriptIn(Schema):
    kind: str = Field(..., max_length=32)
    started_at: datetime
    ended_at: datetime
    place: str = Field(..., max_length=200)
    officer_ids: list[int] = Field(..., max_length=20)
    recorder_id: int = ID
    persons: list[PersonIn] = Field(..., max_length=50)
    rights: list[str] = Field(default_factory=list, max_length=20)
    questions: list[QuestionIn] = Field(default_factory=list, max_length=500)
    findings: str = Field("", max_length=50000)


class PersonOut(Schema):
    id: int
    position: int
    role: str
    name: str
    id_number: str
    signature_sha256: str
    refused: bool
    refusal_witness_id: int | None


class TranscriptOut(Schema):
    id: int
    case_id: int
    kind: str
    status: str
    version: int
    started_at: datetime
    ended_at: datetime
    place: str
    rights: list[str]
    questions: list[dict[str, str]]
    findings: str
    recorder_id: int
    people: list[PersonOut]
    sealed_sha256: str
    document_id: int | None


BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class SignatureIn(Schema):
    png_base64: str = Field(..., max_length=MAX_BYTES * 4 // 3 + 8, pattern=BASE64)


class RefusalIn(Schema):
    witness_id: int | None = Field(None, ge=1, le=2**53)


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _data(payload: TranscriptIn) -> services.TranscriptData:
    return services.TranscriptData(
        kind=payload.kind,
        started_at=_aware(payload.started_at),
        ended_at=_aware(payload.ended_at),
        place=payload.place,
        officer_ids=payload.officer_ids,
        recorder_id=payload.recorder_id,
        persons=[services.Person(**p.dict()) for p in payload.persons],
        rights=payload.rights,
        questions=[(q.q, q.a) for q in payload.questions],
        findings=payload.findings,
    )


def _out(t: Transcript) -> TranscriptOut:
    return TranscriptOut(
        id=t.pk,
        case_id=t.case_id,
        kind=t.kind,
        status=t.status,
        version=t.version,
        started_at=t.started_at,
        ended_at=t.ended_at,
        place=t.place,
        rights=list(t.rights),
        questions=list(t.questions),
        findings=t.findings,
        recorder_id=t.recorder_id,
        people=[
            PersonOut(
                id=p.pk,
                position=p.position,
                role=p.role,
                name=p.name,
                id_number=p.id_number,
                signature_sha256=p.signature_sha256,
                refused=p.refused,
                refusal_witness_id=p.refusal_witness_id,
            )
            for p in queries.people_of(t)
        ],
        sealed_sha256=t.sealed_sha256,
        document_id=t.document_id,
    )


@router.get("/case/{case_id}", response=list[TranscriptOut], summary="案件的笔录")
def of_case(request: HttpRequest, case_id: int) -> list[TranscriptOut]:
    case = document_queries.case_for(acting_user(request), case_id)
    return [_out(t) for t in queries.transcripts_of(case)]


@router.post("/case/{case_id}", response={201: TranscriptOut}, summary="新建笔录（草稿）")
def create(request: HttpRequest, case_id: int, payload: TranscriptIn) -> Status:
    t = services.create_transcript(actor=acting_user(request), case_id=case_id, data=_data(payload))
    return Status(201, _out(t))


@router.get("/{transcript_id}", response=TranscriptOut, summary="笔录")
def detail(request: HttpRequest, transcript_id: int) -> TranscriptOut:
    return _out(queries.transcript_for(acting_user(request), transcript_id))


@router.put("/{transcript_id}", response=TranscriptOut, summary="修改笔录草稿（已有签名作废）")
def update(request: HttpRequest, transcript_id: int, payload: TranscriptIn) -> TranscriptOut:
    t = services.update_transcript(
        actor=acting_user(request), transcript_id=transcript_id, data=_data(payload)
    )
    return _out(t)


@router.post(
    "/{transcript_id}/people/{person_id}/signature",
    response=TranscriptOut,
    summary="签名（PNG，base64）",
)
def sign(
    request: HttpRequest, transcript_id: int, person_id: int, payload: SignatureIn
) -> TranscriptOut:
    actor = acting_user(request)
    queries.transcript_for(actor, transcript_id, write=True)  # who may, before what is sent
    try:
        png = base64.b64decode(payload.png_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("签名须为 base64 编码的 PNG 图片。", field="png_base64") from None
    services.sign(actor=actor, transcript_id=transcript_id, participant_id=person_id, png=png)
    return _out(queries.transcript_for(actor, transcript_id))


@router.post(
    "/{transcript_id}/people/{person_id}/refusal", response=TranscriptOut, summary="记录拒签"
)
def refuse(
    request: HttpRequest, transcript_id: int, person_id: int, payload: RefusalIn
) -> TranscriptOut:
    actor = acting_user(request)
    services.refuse(
        actor=actor,
        transcript_id=transcript_id,
        participant_id=person_id,
        witness_id=payload.witness_id,
    )
    return _out(queries.transcript_for(actor, transcript_id))


@router.post("/{transcript_id}/seal", response=TranscriptOut, summary="签署封存并制发")
def seal(request: HttpRequest, transcript_id: int) -> TranscriptOut:
    return _out(services.seal(actor=acting_user(request), transcript_id=transcript_id))
