"""Writes of the evidence store: adding a record, retrieving one (调阅), approving retrievals.

There is no function that changes or deletes a record: originals are never altered
(DOMAIN.md, 全过程记录). A correction is a new record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_agency_access, require_role
from sanxiang.cases.queries import get_case_for, is_on_team
from sanxiang.catalog.models import Matter
from sanxiang.directory.models import MatterCategory
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import StageRole

from . import blobs
from .models import (
    Access,
    AccessRequest,
    AvLevel,
    AvRequirement,
    EvidenceType,
    Label,
    MediaKind,
    Record,
)
from .queries import by_grant, by_supervision, get_record_for, may_retrieve_directly
from .sniff import EXECUTABLE, accepted, sniff

# An approved retrieval request is good for this long (local practice; DOMAIN.md 调阅).
APPROVAL_VALID_DAYS = 7

CLASSIFIED_WORDS = frozenset(
    {"state_secret", "secret", "confidential", "top_secret", "国家秘密", "秘密", "机密", "绝密"}
)
CLASSIFIED_REFUSAL = (
    "本系统不得存储国家秘密。涉及国家秘密的材料应当在符合保密要求的涉密信息系统中"
    "存储、处理和传输（《中华人民共和国保守国家秘密法》），请勿上传。"
)


@dataclass(frozen=True)
class RecordData:
    case_id: int
    evidence_type: str
    media_kind: str
    title: str
    label: str = Label.INTERNAL
    description: str = ""
    original_name: str = ""
    # Optional: the SHA-256 the sender computed; a mismatch means the bytes changed in transit.
    claimed_sha256: str = ""
    # Field capture (移动执法): the device's time of the photo or recording, and its position
    # ({"latitude", "longitude", "accuracy"} in WGS-84 degrees and metres) when allowed.
    captured_at: datetime | None = None
    position: dict[str, float] | None = None


# A device clock may run a little fast; a capture further in the future than this is refused.
CAPTURE_CLOCK_SKEW = timedelta(minutes=10)


def validate_capture(data: RecordData) -> None:
    if data.captured_at is not None:
        if timezone.is_naive(data.captured_at):
            raise ValidationFailed("拍摄时间缺少时区。", field="captured_at")
        if data.captured_at > timezone.now() + CAPTURE_CLOCK_SKEW:
            raise ValidationFailed("拍摄时间晚于当前时间，请检查设备时钟。", field="captured_at")
    if data.position is None:
        return
    if set(data.position) != {"latitude", "longitude", "accuracy"}:
        raise ValidationFailed("拍摄位置应包含纬度、经度和精度。", field="position")
    lat, lon, accuracy = (data.position[k] for k in ("latitude", "longitude", "accuracy"))
    valid = all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon, accuracy)
    )
    if not valid or not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= accuracy < 1e7):
        raise ValidationFailed("拍摄位置无效（纬度 −90～90，经度 −180～180）。", field="position")


def validate_label(label: str) -> None:
    if label in CLASSIFIED_WORDS:
        raise ValidationFailed(CLASSIFIED_REFUSAL, field="label")
    if label not in Label.values:
        names = "、".join(str(x.label) for x in Label)
        raise ValidationFailed(f"密级标识无效，应为：{names}。", field="label")


def validate_metadata(data: RecordData) -> None:
    validate_label(data.label)
    if data.evidence_type not in EvidenceType.values:
        raise ValidationFailed("证据种类无效（行政处罚法 第四十六条）。", field="evidence_type")
    if data.media_kind not in MediaKind.values:
        raise ValidationFailed("载体类型无效。", field="media_kind")
    if not data.title.strip():
        raise ValidationFailed("标题不能为空。", field="title")
    if len(data.title) > 200:
        raise ValidationFailed("标题不能超过200字。", field="title")
    validate_capture(data)


def prepare_upload(*, actor: User, data: RecordData) -> Any:
    """Everything that can be refused before a byte is read: metadata, the case, the person.

    Returns the case. Reads only; called again by ``add_record``.
    """
    validate_metadata(data)
    case = check_uploader(actor=actor, case_id=data.case_id)
    if case.definition.has_role(case.stage, StageRole.ARCHIVED):
        raise DomainError("conflict", "案件已归档，不能再添加记录。")
    return case


def check_uploader(*, actor: User, case_id: int) -> Any:
    """The part of ``prepare_upload`` that needs no metadata: run before a multipart body
    (which carries the metadata) is read."""
    case = get_case_for(actor, case_id, write=True)
    if not (is_on_team(actor, case) or actor.role == Role.HEAD or actor.is_superuser):
        raise DomainError("forbidden", "只有办案人员或负责人可以为本案上传证据和音像记录。")
    return case


def check_content(data: RecordData, received: blobs.Received) -> str:
    """The sniffed content type, or a refusal when the bytes are not what the upload claims."""
    if received.size == 0:
        raise ValidationFailed("文件为空，未保存。", field="file")
    detected = sniff(received.head)
    if detected == EXECUTABLE:
        raise ValidationFailed("文件内容是可执行程序，不是所声明的类型，已拒收。", field="file")
    if not accepted(data.media_kind, detected):
        kind = MediaKind(data.media_kind).label
        shown = detected or "无法识别"
        raise ValidationFailed(
            f"文件内容（{shown}）与所声明的载体“{kind}”不符，已拒收。", field="file"
        )
    claimed = data.claimed_sha256.strip().lower()
    if claimed and claimed != received.sha256:
        raise ValidationFailed(
            "文件摘要与上传方声明的 SHA-256 不一致，传输中可能出错，请重新上传。", field="file"
        )
    assert detected is not None  # noqa: S101 - accepted() is False for None
    return detected


def add_record(
    *,
    actor: User,
    data: RecordData,
    stream: Any = None,
    length: int | None = None,
    received: blobs.Received | None = None,
    is_demo: bool = False,
) -> Record:
    """Receive an upload (a body ``stream``, or bytes already ``received`` by the multipart
    handler) and add it to the case.

    Order matters for crash safety: spool and hash (no row), check, store at the content
    address (no row), and only then write the row and its ledger entry in one transaction.
    The database transaction does not span the upload, so a slow upload holds no lock.
    """
    try:
        prepare_upload(actor=actor, data=data)
    except BaseException:
        if received is not None:
            received.path.unlink(missing_ok=True)
        raise
    if received is None:
        received = blobs.spool_stream(stream, length=length)
    try:
        content_type = check_content(data, received)
    except BaseException:
        received.path.unlink(missing_ok=True)
        raise
    name = blobs.store(received)
    return register_record(
        actor=actor,
        data=data,
        received=received,
        content_type=content_type,
        storage_name=name,
        is_demo=is_demo,
    )


@transaction.atomic(durable=True)
def register_record(
    *,
    actor: User,
    data: RecordData,
    received: blobs.Received,
    content_type: str,
    storage_name: str,
    is_demo: bool = False,
) -> Record:
    """The row of a record whose bytes are already stored (called by ``add_record`` only)."""
    return write_record(
        actor=actor,
        data=data,
        received=received,
        content_type=content_type,
        storage_name=storage_name,
        is_demo=is_demo,
    )


def write_record(
    *,
    actor: User,
    data: RecordData,
    received: blobs.Received,
    content_type: str,
    storage_name: str,
    is_demo: bool = False,
) -> Record:
    """``register_record`` inside the caller's transaction (a finished resumable upload writes
    its record and marks the upload complete in one transaction)."""
    case = prepare_upload(actor=actor, data=data)
    record = Record.objects.create(
        case=case,
        agency_id=case.agency_id,
        stage=case.stage,
        evidence_type=data.evidence_type,
        media_kind=data.media_kind,
        title=data.title.strip(),
        description=data.description.strip(),
        label=data.label,
        original_name=data.original_name[:255],
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        size=received.size,
        content_type=content_type,
        sha256=received.sha256,
        sm3=received.sm3,
        storage_name=storage_name,
        is_demo=is_demo,
        captured_at=data.captured_at,
        position=data.position,
    )
    capture: dict[str, Any] = {}
    if data.captured_at is not None:
        capture["captured_at"] = data.captured_at.isoformat()
    if data.position is not None:
        capture["position"] = data.position
    ledger.append(
        event_type="record.added",
        payload={
            "record": record.pk,
            "title": record.title,
            "stage": record.stage,
            "evidence_type": record.evidence_type,
            "media_kind": record.media_kind,
            "label": record.label,
            "size": record.size,
            "content_type": record.content_type,
            "sha256": record.sha256,
            "sm3": record.sm3,
            **capture,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return record


@transaction.atomic(durable=True)
def access_record(
    *, actor: User, record_id: int, purpose: str, reason: str = "", via: str = "web"
) -> Access:
    """Log one view or download (调阅) of a record; refuse it when the rules say no.

    Labels above 内部 need a stated reason; people outside the case team need an approved
    request (the head of the agency may retrieve directly, being the one who approves).
    """
    return log_access(actor=actor, record_id=record_id, purpose=purpose, reason=reason, via=via)


def log_access(*, actor: User, record_id: int, purpose: str, reason: str, via: str) -> Access:
    """``access_record`` inside the caller's transaction (the case-file export logs many)."""
    record = get_record_for(actor, record_id)
    if purpose not in Access.Purpose.values:
        raise ValidationFailed("调阅方式无效。", field="purpose")
    reason = reason.strip()
    if record.is_sensitive and not reason:
        raise ValidationFailed(
            f"该记录标识为“{record.get_label_display()}”，调阅须填写事由。", field="reason"
        )
    if not may_retrieve_directly(actor, record):
        raise DomainError("forbidden", "您不是本案办案人员，调阅须先提出申请并经负责人批准。")
    supervising = by_supervision(actor, record) and not is_on_team(actor, record.case)
    if supervising and not reason:
        raise ValidationFailed("执法监督调阅须填写监督目的（记入调阅记录和账本）。", field="reason")
    grant = None if supervising else by_grant(actor, record)
    entry = ledger.append(
        event_type="record.accessed",
        payload={
            "record": record.pk,
            "sha256": record.sha256,
            "title": record.title,
            "label": record.label,
            "purpose": purpose,
            "reason": reason,
            "via": via,
            **({"supervision": True} if supervising else {}),
            **(grant.payload() if grant is not None else {}),
        },
        actor=actor,
        agency_id=record.agency_id,
        case_id=record.case_id,
    )
    return Access.objects.create(
        record=record,
        actor=actor,
        at=entry.created_at,
        purpose=purpose,
        reason=reason,
        via=via,
        ledger_entry_id=entry.pk,
    )


@transaction.atomic(durable=True)
def log_export(*, actor: User, record_ids: list[int], reason: str) -> list[Access]:
    """Each record put into an exported 电子案卷 is a retrieval, logged like any other."""
    return [
        log_access(
            actor=actor, record_id=pk, purpose=Access.Purpose.EXPORT, reason=reason, via="export"
        )
        for pk in record_ids
    ]


@transaction.atomic(durable=True)
def request_access(*, actor: User, record_id: int, reason: str) -> AccessRequest:
    record = get_record_for(actor, record_id)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("请填写调阅事由。", field="reason")
    if may_retrieve_directly(actor, record):
        raise DomainError("conflict", "您可以直接调阅该记录，无需申请。")
    if AccessRequest.objects.filter(
        record=record, requester=actor, status=AccessRequest.Status.PENDING
    ).exists():
        raise DomainError("conflict", "您已有一份待审批的调阅申请。")
    request = AccessRequest.objects.create(
        record=record, requester=actor, reason=reason, requested_at=timezone.now()
    )
    ledger.append(
        event_type="record.access_requested",
        payload={"request": request.pk, "record": record.pk, "reason": reason},
        actor=actor,
        agency_id=record.agency_id,
        case_id=record.case_id,
    )
    return request


@transaction.atomic(durable=True)
def decide_access(*, actor: User, request_id: int, approve: bool, note: str = "") -> AccessRequest:
    """The head approves or denies a retrieval request; two clicks make one decision."""
    request = AccessRequest.objects.select_related("record").filter(pk=request_id).first()
    if request is None:
        raise DomainError("not_found", "未找到该调阅申请。")
    require_agency_access(actor, request.record.agency_id, write=True)
    require_role(actor, Role.HEAD)
    if request.requester_id == actor.pk:
        raise DomainError("forbidden", "不能审批本人的调阅申请。")
    now = timezone.now()
    status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.DENIED
    changed = AccessRequest.objects.filter(
        pk=request.pk, status=AccessRequest.Status.PENDING
    ).update(
        status=status,
        decided_by=actor,
        decided_at=now,
        decision_note=note.strip(),
        valid_until=now + timedelta(days=APPROVAL_VALID_DAYS) if approve else None,
    )
    if changed != 1:
        raise DomainError("conflict", "该申请已经审批过。")
    ledger.append(
        event_type="record.access_decided",
        payload={
            "request": request.pk,
            "record": request.record_id,
            "requester": request.requester_id,
            "approved": approve,
            "note": note.strip(),
        },
        actor=actor,
        agency_id=request.record.agency_id,
        case_id=request.record.case_id,
    )
    request.refresh_from_db()
    return request


@dataclass(frozen=True)
class AvRequirementData:
    category: str
    stage: str
    level: str
    scene: str
    valid_from: date
    matter_id: int | None = None


def validate_av_requirement(agency_id: int, data: AvRequirementData) -> None:
    if data.category not in MatterCategory.values:
        raise ValidationFailed("执法类别无效。", field="category")
    if data.level not in AvLevel.values:
        raise ValidationFailed("要求应为“应当”或“可以”。", field="level")
    if not data.stage.strip():
        raise ValidationFailed("请填写环节。", field="stage")
    if not data.scene.strip():
        raise ValidationFailed("请填写记录情形。", field="scene")
    if (
        data.matter_id is not None
        and not Matter.objects.filter(pk=data.matter_id, agency_id=agency_id).exists()
    ):
        raise ValidationFailed("执法事项不属于本执法主体。", field="matter")


@transaction.atomic(durable=True)
def add_av_requirement(
    *, actor: User | None, agency_id: int, data: AvRequirementData, is_demo: bool = False
) -> AvRequirement:
    """Add a line to the 音像记录事项清单 (local configuration; each agency edits its own)."""
    return add_av_requirement_row(actor=actor, agency_id=agency_id, data=data, is_demo=is_demo)


def add_av_requirement_row(
    *, actor: User | None, agency_id: int, data: AvRequirementData, is_demo: bool = False
) -> AvRequirement:
    """``add_av_requirement`` inside the caller's transaction (the sheet import adds many)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
        require_agency_access(actor, agency_id, write=True)
    validate_av_requirement(agency_id, data)
    line = AvRequirement.objects.create(
        agency_id=agency_id,
        matter_id=data.matter_id,
        category=data.category,
        stage=data.stage.strip(),
        level=data.level,
        scene=data.scene.strip(),
        valid_from=data.valid_from,
        created_by=actor,
        created_at=timezone.now(),
        is_demo=is_demo,
    )
    ledger.append(
        event_type="records.av_requirement_added",
        payload={
            "line": line.pk,
            "matter": line.matter_id,
            "category": line.category,
            "stage": line.stage,
            "level": line.level,
            "scene": line.scene,
            "valid_from": line.valid_from.isoformat(),
        },
        actor=actor,
        agency_id=agency_id,
    )
    return line


@transaction.atomic(durable=True)
def retire_av_requirement(*, actor: User, line_id: int, valid_to: date) -> AvRequirement:
    """End a line's validity (the list keeps its history; nothing is deleted)."""
    return retire_av_requirement_row(actor=actor, line_id=line_id, valid_to=valid_to)


def retire_av_requirement_row(*, actor: User, line_id: int, valid_to: date) -> AvRequirement:
    """``retire_av_requirement`` inside the caller's transaction (a sheet's changed line)."""
    line = AvRequirement.objects.filter(pk=line_id).first()
    if line is None:
        raise DomainError("not_found", "未找到该清单条目。")
    require_role(actor, Role.ADMIN)
    require_agency_access(actor, line.agency_id, write=True)
    if valid_to < line.valid_from:
        raise ValidationFailed("失效日期不能早于生效日期。", field="valid_to")
    changed = AvRequirement.objects.filter(pk=line.pk, valid_to__isnull=True).update(
        valid_to=valid_to
    )
    if changed != 1:
        raise DomainError("conflict", "该条目已失效。")
    ledger.append(
        event_type="records.av_requirement_retired",
        payload={"line": line.pk, "valid_to": valid_to.isoformat()},
        actor=actor,
        agency_id=line.agency_id,
    )
    line.refresh_from_db()
    return line
