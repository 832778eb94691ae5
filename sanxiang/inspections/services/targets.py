"""检查对象名录库 and declared conflicts: the one write path of each, and the XLSX import."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency, require_role
from sanxiang.catalog.models import Matter
from sanxiang.directory.models import Agency, Officer
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.identifiers import is_valid_credit_code, is_valid_resident_id
from sanxiang.lib.sheets import SheetError, cell_text, read_rows

from ..models import (
    Conflict,
    ConflictKind,
    RiskGrade,
    Target,
    TargetCategory,
    TargetKind,
    TargetVersion,
)

EDITORS = (Role.ADMIN, Role.OFFICER, Role.HEAD)


@dataclass(frozen=True)
class TargetData:
    kind: str
    name: str
    area: str
    category: str
    matter_codes: list[str] = field(default_factory=list)
    credit_code: str = ""
    id_number: str = ""
    legal_representative: str = ""
    address: str = ""
    phone: str = ""
    risk_grade: str = RiskGrade.LOW
    credit_grade: str = ""
    complaint: bool = False


def inspection_matters(agency: Agency) -> dict[str, Matter]:
    """The agency's matters whose version in force is on the 随机抽查事项清单, by code."""
    return {
        m.code: m
        for m in Matter.objects.filter(
            agency=agency, versions__valid_to__isnull=True, versions__random_inspection=True
        )
    }


def _clean(data: TargetData, matters: dict[str, Matter]) -> tuple[dict[str, object], list[Matter]]:
    """The row's fields, or ValidationFailed naming the first thing wrong (in Chinese)."""
    name = data.name.strip()
    if not name:
        raise ValidationFailed("名称或姓名不能为空。", field="name")
    if data.kind not in TargetKind.values:
        raise ValidationFailed("对象类型无效（法人或其他组织/自然人）。", field="kind")
    credit_code = data.credit_code.strip().upper()
    id_number = data.id_number.strip().upper()
    if data.kind == TargetKind.ORGANISATION:
        if not is_valid_credit_code(credit_code):
            raise ValidationFailed(
                f"统一社会信用代码“{credit_code}”校验不通过（GB 32100）。", field="credit_code"
            )
        id_number = ""
    else:
        if not is_valid_resident_id(id_number):
            raise ValidationFailed(
                "自然人的居民身份证号码校验不通过（GB 11643）。", field="id_number"
            )
        credit_code = ""
    if not data.area.strip():
        raise ValidationFailed("所在区域不能为空。", field="area")
    if data.category not in TargetCategory.values:
        raise ValidationFailed("对象类别无效。", field="category")
    if data.risk_grade not in RiskGrade.values:
        raise ValidationFailed("风险等级无效（低风险/中风险/高风险）。", field="risk_grade")
    unknown = [c for c in data.matter_codes if c not in matters]
    if unknown:
        raise ValidationFailed(
            f"事项“{'、'.join(unknown)}”不在本机关的随机抽查事项清单中。", field="matters"
        )
    if not data.matter_codes:
        raise ValidationFailed("请至少选择一项适用的随机抽查事项。", field="matters")
    fields: dict[str, object] = {
        "kind": data.kind,
        "name": name,
        "credit_code": credit_code,
        "id_number": id_number,
        "legal_representative": data.legal_representative.strip(),
        "address": data.address.strip(),
        "phone": data.phone.strip(),
        "area": data.area.strip(),
        "category": data.category,
        "risk_grade": data.risk_grade,
        "credit_grade": data.credit_grade.strip(),
        "complaint": data.complaint,
    }
    return fields, [matters[c] for c in dict.fromkeys(data.matter_codes)]


SNAPSHOT_FIELDS = (
    "kind",
    "name",
    "credit_code",
    "id_number",
    "legal_representative",
    "address",
    "phone",
    "area",
    "category",
    "risk_grade",
    "credit_grade",
    "complaint",
    "active",
)


def record_version(target: Target, reason: str) -> TargetVersion:
    """Close the target's version in force and open ``target.version`` with its fields now
    (inside the caller's transaction, beside its ledger entry)."""
    now = timezone.now()
    TargetVersion.objects.filter(target=target, valid_to__isnull=True).update(valid_to=now)
    fields: dict[str, object] = {name: getattr(target, name) for name in SNAPSHOT_FIELDS}
    fields["matters"] = sorted(target.matters.values_list("code", flat=True))
    return TargetVersion.objects.create(
        target=target, version=target.version, fields=fields, reason=reason, valid_from=now
    )


def _existing(agency: Agency, fields: dict[str, object]) -> Target | None:
    rows = Target.objects.filter(agency=agency)
    if fields["credit_code"]:
        return rows.filter(credit_code=fields["credit_code"]).first()
    return rows.filter(id_number=fields["id_number"]).first()


def _save(
    *, actor: User, agency: Agency, data: TargetData, matters: dict[str, Matter], is_demo: bool
) -> Target:
    fields, chosen = _clean(data, matters)
    target = _existing(agency, fields)
    if target is None:
        target = Target.objects.create(agency=agency, is_demo=is_demo, **fields)
    else:
        for name, value in fields.items():
            setattr(target, name, value)
        target.version += 1
        target.active = True
        target.save()
    target.matters.set(chosen)
    record_version(target, "登记" if target.version == 1 else "更新")
    append(
        event_type="inspection.target_saved",
        payload={
            "target": target.pk,
            "draw_id": target.draw_id,
            "version": target.version,
            **{k: v for k, v in fields.items() if k not in ("id_number", "phone")},
            "id_number_sha256": hashlib.sha256(target.id_number.encode()).hexdigest()
            if target.id_number
            else "",
            "matters": sorted(m.code for m in chosen),
        },
        actor=actor,
        agency_id=agency.pk,
    )
    return target


@transaction.atomic(durable=True)
def save_target(*, actor: User, data: TargetData, is_demo: bool = False) -> Target:
    """Register a target, or a new version of the one with the same code or ID number."""
    require_role(actor, *EDITORS)
    agency = home_agency(actor)
    return _save(
        actor=actor, agency=agency, data=data, matters=inspection_matters(agency), is_demo=is_demo
    )


# --- XLSX -----------------------------------------------------------------------------------

HEADERS = [
    "名称或姓名",
    "对象类型",
    "统一社会信用代码",
    "身份证件号码",
    "法定代表人或负责人",
    "地址",
    "联系电话",
    "所在区域",
    "对象类别",
    "适用抽查事项编码",
    "风险等级",
    "信用等级",
]
_KIND = {str(label): value for value, label in TargetKind.choices}
_CATEGORY = {str(label): value for value, label in TargetCategory.choices}
_GRADE = {str(label): value for value, label in RiskGrade.choices} | {
    "低": RiskGrade.LOW,
    "中": RiskGrade.MEDIUM,
    "高": RiskGrade.HIGH,
}


class ImportRefused(ValidationFailed):
    """Every bad row of a file, none of it saved."""

    def __init__(self, problems: list[str]) -> None:
        shown = "；".join(problems[:30]) + ("；……" if len(problems) > 30 else "")
        super().__init__(f"表格中有 {len(problems)} 处错误，未导入任何数据：{shown}", field="file")
        self.problems = problems


def _row_data(number: int, row: dict[str, object]) -> TargetData:
    kind = cell_text(row["对象类型"]) or "法人或其他组织"
    if kind not in _KIND:
        raise SheetError(f"“{kind}”无效（法人或其他组织/自然人）。", row=number, column="对象类型")
    category = cell_text(row["对象类别"])
    if category not in _CATEGORY:
        raise SheetError(f"“{category}”不是对象类别。", row=number, column="对象类别")
    grade = cell_text(row["风险等级"]) or "低风险"
    if grade not in _GRADE:
        raise SheetError(f"“{grade}”无效（低/中/高风险）。", row=number, column="风险等级")
    codes = cell_text(row["适用抽查事项编码"]).replace(",", "、").replace("，", "、")
    return TargetData(
        kind=_KIND[kind],
        name=cell_text(row["名称或姓名"]),
        credit_code=cell_text(row["统一社会信用代码"]),
        id_number=cell_text(row["身份证件号码"]),
        legal_representative=cell_text(row["法定代表人或负责人"]),
        address=cell_text(row["地址"]),
        phone=cell_text(row["联系电话"]),
        area=cell_text(row["所在区域"]),
        category=_CATEGORY[category],
        matter_codes=[c.strip() for c in codes.split("、") if c.strip()],
        risk_grade=_GRADE[grade],
        credit_grade=cell_text(row["信用等级"]),
    )


@transaction.atomic(durable=True)
def import_targets(*, actor: User, stream: IO[bytes]) -> int:
    """Create or update targets from an XLSX; every bad row is reported and, if there is any,
    nothing at all is saved (the transaction is rolled back)."""
    require_role(actor, *EDITORS)
    agency = home_agency(actor)
    raw = stream.read()
    try:
        rows = read_rows(io.BytesIO(raw), HEADERS)  # read once: hashed below
    except SheetError as err:
        raise ValidationFailed(str(err), field="file") from None
    matters = inspection_matters(agency)
    problems: list[str] = []
    seen: dict[str, int] = {}
    saved = 0
    for number, row in rows:
        try:
            data = _row_data(number, row)
            key = (data.credit_code or data.id_number).strip().upper()
            if key and key in seen:
                raise SheetError(f"与第{seen[key]}行是同一对象。", row=number)
            seen[key] = number
            if problems:
                _clean(data, matters)  # keep checking, but a doomed import writes nothing
            else:
                with transaction.atomic():
                    _save(actor=actor, agency=agency, data=data, matters=matters, is_demo=False)
            saved += 1
        except SheetError as err:
            problems.append(str(err))
        except DomainError as err:
            problems.append(f"第{number}行：{err.message}")
    if problems:
        raise ImportRefused(problems)
    append(
        event_type="inspection.targets_imported",
        payload={"rows": saved, "file_sha256": hashlib.sha256(raw).hexdigest()},
        actor=actor,
        agency_id=agency.pk,
    )
    return saved


# --- conflicts ------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def declare_conflict(
    *,
    actor: User,
    officer_id: int,
    kind: str,
    target_id: int | None = None,
    area: str = "",
    note: str = "",
    on: date | None = None,
) -> Conflict:
    """An officer's declared conflict (回避), by the officer or the head of the agency."""
    officer = Officer.objects.select_related("agency").filter(pk=officer_id).first()
    if officer is None:
        raise DomainError("not_found", "未找到该执法人员。")
    agency = home_agency(actor)
    own = getattr(actor, "officer", None) is not None and actor.officer.pk == officer.pk
    if not own:
        require_role(actor, Role.HEAD, Role.ADMIN)
    if officer.agency.enforcement_body().pk != agency.pk:
        raise DomainError("forbidden", "只能为本机关的执法人员登记回避情形。")
    if kind not in ConflictKind.values:
        raise ValidationFailed("回避情形无效。", field="kind")
    target = None
    if target_id is not None:
        target = Target.objects.filter(pk=target_id, agency=agency).first()
        if target is None:
            raise ValidationFailed("请选择本机关名录库中的检查对象。", field="target")
    if (target is None) == (not area.strip()):
        raise ValidationFailed("请填写回避的检查对象或区域（二者选一）。", field="target")
    conflict = Conflict.objects.create(
        officer=officer,
        kind=kind,
        target=target,
        area=area.strip(),
        note=note.strip(),
        declared_on=on or timezone.localdate(),
    )
    append(
        event_type="inspection.conflict_declared",
        payload={
            "conflict": conflict.pk,
            "officer": officer.certificate_no,
            "kind": kind,
            "target": target.draw_id if target else None,
            "area": conflict.area,
            "declared_on": conflict.declared_on,
        },
        actor=actor,
        agency_id=agency.pk,
    )
    return conflict
