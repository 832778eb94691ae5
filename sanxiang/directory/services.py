"""Writes to 主体库 and 人员库: one path per change, each with its ledger entry."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_agency_access, require_role
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.identifiers import is_valid_credit_code

from . import versioning
from .models import (
    OFFICER_KIND,
    REGISTER_FIELDS,
    Agency,
    AgencyKind,
    AgencyLevel,
    CertificateStatus,
    MatterCategory,
    Officer,
    OfficerVersion,
)


@dataclass
class AgencyData:
    name: str
    level: str
    parent_id: int | None = None
    short_name: str = ""
    credit_code: str = ""
    kind: str = AgencyKind.STATUTORY
    entrusted_by_id: int | None = None
    supervised_by_id: int | None = None
    is_legal_unit: bool = False
    legal_basis: str = ""
    address: str = ""
    phone: str = ""
    office_hours: str = ""
    supervision_channels: str = ""
    remedy_channels: str = ""
    payment_instructions: str = ""
    area: str = ""
    is_demo: bool = False


@dataclass
class OfficerData:
    agency_id: int
    name: str
    certificate_no: str
    area: str
    certificate_issued: date
    certificate_expires: date
    position: str = ""
    categories: list[str] = field(default_factory=list)
    certificate_status: str = CertificateStatus.VALID
    is_reviewer: bool = False
    legal_qualification_no: str = ""
    user_id: int | None = None
    is_demo: bool = False


def validate_agency(data: AgencyData) -> None:
    if not data.name.strip():
        raise ValidationFailed("名称不能为空。", field="name")
    if data.level not in AgencyLevel.values:
        raise ValidationFailed("层级无效。", field="level")
    if data.kind not in AgencyKind.values:
        raise ValidationFailed("主体类型无效。", field="kind")
    if data.credit_code and not is_valid_credit_code(data.credit_code):
        raise ValidationFailed(
            f"统一社会信用代码“{data.credit_code}”格式或校验位错误（GB 32100）。",
            field="credit_code",
        )
    if data.kind == AgencyKind.ENTRUSTED and not data.entrusted_by_id:
        raise ValidationFailed("受委托组织必须注明委托机关。", field="entrusted_by_id")


def _agency_payload(agency: Agency) -> dict[str, Any]:
    return {
        "id": agency.pk,
        "name": agency.name,
        "level": agency.level,
        "parent": agency.parent_id,
        "credit_code": agency.credit_code,
        "kind": agency.kind,
        "entrusted_by": agency.entrusted_by_id,
        "is_legal_unit": agency.is_legal_unit,
    }


@transaction.atomic(durable=True)
def create_agency(*, actor: User | None, data: AgencyData) -> Agency:
    validate_agency(data)
    if actor is not None:
        require_role(actor, Role.ADMIN)
        if data.parent_id is None:
            raise ValidationFailed("只有系统管理员可以创建顶级主体。", field="parent_id")
        require_agency_access(actor, data.parent_id, write=True)
    try:
        with transaction.atomic():
            agency = Agency.objects.create(**asdict(data))
    except IntegrityError:
        raise ValidationFailed(
            f"统一社会信用代码“{data.credit_code}”已被其他主体使用。", field="credit_code"
        ) from None
    ledger.append(
        event_type="agency.created",
        payload=_agency_payload(agency),
        actor=actor,
        agency_id=agency.pk,
    )
    return agency


@transaction.atomic(durable=True)
def update_agency(*, actor: User, agency_id: int, data: AgencyData) -> Agency:
    require_role(actor, Role.ADMIN)
    require_agency_access(actor, agency_id, write=True)
    validate_agency(data)
    agency = Agency.objects.select_for_update().get(pk=agency_id)
    before = _agency_payload(agency)
    for key, value in asdict(data).items():
        setattr(agency, key, value)
    try:
        with transaction.atomic():
            agency.save()
    except IntegrityError:
        raise ValidationFailed("统一社会信用代码已被其他主体使用。", field="credit_code") from None
    ledger.append(
        event_type="agency.updated",
        payload={"before": before, "after": _agency_payload(agency)},
        actor=actor,
        agency_id=agency.pk,
    )
    return agency


def validate_officer(data: OfficerData) -> None:
    if not data.name.strip():
        raise ValidationFailed("姓名不能为空。", field="name")
    if not data.certificate_no.strip():
        raise ValidationFailed("执法证件编号不能为空。", field="certificate_no")
    if not data.area.strip():
        raise ValidationFailed("执法区域不能为空。", field="area")
    if data.certificate_expires < data.certificate_issued:
        raise ValidationFailed("证件有效期不能早于发证日期。", field="certificate_expires")
    bad = [c for c in data.categories if c not in MatterCategory.values]
    if bad:
        raise ValidationFailed(f"执法类别无效：{'、'.join(bad)}。", field="categories")
    if data.certificate_status not in CertificateStatus.values:
        raise ValidationFailed("证件状态无效。", field="certificate_status")


def _officer_payload(officer: Officer) -> dict[str, Any]:
    return {
        "id": officer.pk,
        "agency": officer.agency_id,
        "name": officer.name,
        "certificate_no": officer.certificate_no,
        "categories": officer.categories,
        "area": officer.area,
        "issued": officer.certificate_issued,
        "expires": officer.certificate_expires,
        "status": officer.certificate_status,
        "is_reviewer": officer.is_reviewer,
        "legal_qualification_no": officer.legal_qualification_no,
    }


def _check_certificate_free(certificate_no: str, *, exclude_pk: int | None = None) -> None:
    clash = Officer.objects.filter(certificate_no=certificate_no)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed(
            f"执法证件编号“{certificate_no}”已登记给其他人员。", field="certificate_no"
        )


def register_content(row: Officer | OfficerVersion | OfficerData) -> dict[str, Any]:
    """The register's fields of an officer, a version or the data of a change."""
    return {f: getattr(row, f) for f in REGISTER_FIELDS}


def _version(
    officer: Officer, before: dict[str, Any] | None, valid_from: date | None
) -> list[dict[str, Any]]:
    """Write the version the change opens (and, for a never-versioned officer, the one it
    closes); the cache row then holds from ``valid_from``. Inside the caller's transaction."""
    written = versioning.write_version(
        kind=OFFICER_KIND,
        versions=OfficerVersion.objects.filter(officer=officer),
        create=lambda **fields: OfficerVersion.objects.create(officer=officer, **fields),
        before=before if officer.version == 0 else None,
        before_from=officer.valid_from,
        content=register_content(officer),
        valid_from=valid_from,
    )
    officer.version = written[-1]["number"]
    officer.valid_from = valid_from
    Officer.objects.filter(pk=officer.pk).update(version=officer.version, valid_from=valid_from)
    return written


def save_officer_row(
    *,
    actor: User | None,
    data: OfficerData,
    officer_id: int | None,
    valid_from: date | None = None,
) -> Officer:
    """Create or update one officer inside the caller's transaction (shared by form and import).

    The change takes effect on ``valid_from`` (default today): a new version of the register
    entry, the one it replaces kept with its end date (the 执法人员 list changes with the law
    and the people, and what it said on a past day stays readable)."""
    validate_officer(data)
    if actor is not None:
        require_role(actor, Role.ADMIN)
        require_agency_access(actor, data.agency_id, write=True)
    _check_certificate_free(data.certificate_no, exclude_pk=officer_id)
    if officer_id is None:
        # A new entry holds from the sheet's 生效日期, or (none given) with no start of its
        # own: its certificate's dates say when it may be used.
        officer = Officer.objects.create(**asdict(data))
        event, payload = "officer.created", _officer_payload(officer)
        payload["versions"] = _version(officer, None, valid_from)
    else:
        officer = Officer.objects.select_for_update().get(pk=officer_id)
        if actor is not None:
            require_agency_access(actor, officer.agency_id, write=True)
        before = _officer_payload(officer)
        previous = register_content(officer)
        # The login account and the demo mark are not part of the register's fields.
        for key, value in asdict(data).items():
            if key not in {"user_id", "is_demo"}:
                setattr(officer, key, value)
        officer.save()
        event, payload = "officer.updated", {"before": before, "after": _officer_payload(officer)}
        payload["versions"] = _version(officer, previous, valid_from or timezone.localdate())
    ledger.append(event_type=event, payload=payload, actor=actor, agency_id=officer.agency_id)
    return officer


@transaction.atomic(durable=True)
def create_officer(*, actor: User | None, data: OfficerData) -> Officer:
    return save_officer_row(actor=actor, data=data, officer_id=None)


@transaction.atomic(durable=True)
def update_officer(
    *, actor: User, officer_id: int, data: OfficerData, valid_from: date | None = None
) -> Officer:
    if not Officer.objects.filter(pk=officer_id).exists():
        raise DomainError("not_found", "未找到该执法人员。")
    return save_officer_row(actor=actor, data=data, officer_id=officer_id, valid_from=valid_from)


@transaction.atomic(durable=True)
def set_certificate_status(*, actor: User, officer_id: int, status: str, reason: str) -> Officer:
    """Suspend, revoke or restore a certificate; the reason is kept in the ledger."""
    require_role(actor, Role.ADMIN)
    officer = _officer_for_status(officer_id, status, reason)
    require_agency_access(actor, officer.agency_id, write=True)
    return _change_status(officer, status=status, reason=reason, actor=actor, source="")


def apply_certificate_status(*, officer_id: int, status: str, reason: str, source: str) -> Officer:
    """The same change pushed by the provincial platform (人员库 master data held there); runs
    inside the caller's transaction (the exchange app checked the key's scope and agency set),
    and the ledger entry names the source instead of a staff member."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("apply_certificate_status must run inside the caller's transaction")
    officer = _officer_for_status(officer_id, status, reason)
    return _change_status(officer, status=status, reason=reason, actor=None, source=source)


def _officer_for_status(officer_id: int, status: str, reason: str) -> Officer:
    if status not in CertificateStatus.values:
        raise ValidationFailed("证件状态无效。", field="status")
    if not reason.strip():
        raise ValidationFailed("请填写变更证件状态的原因。", field="reason")
    officer = Officer.objects.select_for_update().filter(pk=officer_id).first()
    if officer is None:
        raise DomainError("not_found", "未找到该执法人员。")
    return officer


def _change_status(
    officer: Officer, *, status: str, reason: str, actor: User | None, source: str
) -> Officer:
    old = officer.certificate_status
    previous = register_content(officer)
    officer.certificate_status = status
    officer.save(update_fields=["certificate_status", "updated_at"])
    payload: dict[str, Any] = {"id": officer.pk, "from": old, "to": status, "reason": reason}
    # 暂扣、注销 take effect the day they are decided; the version before stays readable.
    payload["versions"] = _version(officer, previous, timezone.localdate())
    if source:
        payload["source"] = source
    ledger.append(
        event_type="officer.certificate_status",
        payload=payload,
        actor=actor,
        agency_id=officer.agency_id,
    )
    return officer
