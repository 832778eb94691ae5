"""Writes to 事项库 (versioned) and to the calendar override table."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_agency_access, require_role
from sanxiang.directory.models import MatterCategory
from sanxiang.ledger import services as ledger
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import calendar
from .models import (
    CalendarDay,
    CalendarYear,
    DayUnit,
    Matter,
    MatterVersion,
    RecomputedDeadline,
)


@dataclass
class MatterContent:
    """Everything published about a matter; one instance becomes one version."""

    category: str
    name: str
    handling_unit: str
    legal_basis: list[dict[str, str]] = field(default_factory=list)
    time_limit: int | None = None
    time_limit_unit: str = DayUnit.WORKING
    responsibilities: str = ""
    accountability: str = ""
    acceptance_body: str = ""
    approval_body: str = ""
    conditions: str = ""
    materials: str = ""
    process: str = ""
    guide_time_limit: str = ""
    fee: str = ""
    preferential_policy: str = ""
    supervision: str = ""
    remedy: str = ""
    office_hours: str = ""
    address: str = ""
    phone: str = ""
    online_application: bool = False
    application_fields: str = ""
    random_inspection: bool = False
    inspection_target: str = ""
    inspection_content: str = ""
    inspection_ratio: Decimal | None = None
    inspection_method: str = ""
    inspection_frequency: str = ""

    @classmethod
    def from_version(cls, version: MatterVersion) -> MatterContent:
        return cls(**{f.name: getattr(version, f.name) for f in fields(cls)})


MAX_APPLICATION_FIELDS = 20
MAX_FIELD_LABEL = 40


@dataclass(frozen=True)
class ApplicationField:
    """One item the matter's online application form asks for (行政许可法 第29条: the
    applicant gives the agency the true information the matter needs)."""

    label: str
    required: bool


def application_fields(text: str) -> list[ApplicationField]:
    """The form's items from the guide's lines: ``场所名称*`` is required, ``备注`` is not."""
    out = []
    for line in text.splitlines():
        item = line.strip()
        required = item.endswith(("*", "＊"))
        label = item.rstrip("*＊ ").strip()
        if label:
            out.append(ApplicationField(label, required))
    return out


def _validate_application_fields(text: str) -> None:
    items = application_fields(text)
    if len(items) > MAX_APPLICATION_FIELDS:
        raise ValidationFailed(
            f"网上申请填写事项不超过{MAX_APPLICATION_FIELDS}项。", field="application_fields"
        )
    labels = [f.label for f in items]
    for label in labels:
        if len(label) > MAX_FIELD_LABEL:
            raise ValidationFailed(
                f"网上申请填写事项“{label[:10]}…”过长（不超过{MAX_FIELD_LABEL}字）。",
                field="application_fields",
            )
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValidationFailed(
            f"网上申请填写事项重复：{'、'.join(repeated)}。", field="application_fields"
        )


def validate_content(content: MatterContent) -> None:
    if content.category not in MatterCategory.values:
        raise ValidationFailed("事项类别无效。", field="category")
    if not content.name.strip():
        raise ValidationFailed("事项名称不能为空。", field="name")
    if not content.handling_unit.strip():
        raise ValidationFailed("承办机构不能为空。", field="handling_unit")
    if content.time_limit is not None and content.time_limit <= 0:
        raise ValidationFailed("法定时限必须是正整数。", field="time_limit")
    if content.time_limit_unit not in DayUnit.values:
        raise ValidationFailed("时限单位无效。", field="time_limit_unit")
    for i, basis in enumerate(content.legal_basis, start=1):
        if not str(basis.get("law", "")).strip():
            raise ValidationFailed(f"第{i}条法律依据缺少法律名称。", field="legal_basis")
    if content.online_application and content.category != MatterCategory.LICENCE:
        raise ValidationFailed(
            "只有行政许可事项可以接受网上申请（行政许可法 第二十九条、第三十三条）。",
            field="online_application",
        )
    _validate_application_fields(content.application_fields)
    ratio = content.inspection_ratio
    if ratio is not None and not (Decimal(0) < ratio <= Decimal(100)):
        raise ValidationFailed("抽查比例应在0到100之间。", field="inspection_ratio")
    if content.random_inspection and ratio is None:
        raise ValidationFailed(
            "列入随机抽查事项清单的事项须填写抽查比例。", field="inspection_ratio"
        )


def _content_payload(content: MatterContent) -> dict[str, Any]:
    return asdict(content)


@transaction.atomic(durable=True)
def create_matter(
    *,
    actor: User | None,
    agency_id: int,
    code: str,
    content: MatterContent,
    valid_from: date,
    is_demo: bool = False,
) -> MatterVersion:
    return create_matter_row(
        actor=actor,
        agency_id=agency_id,
        code=code,
        content=content,
        valid_from=valid_from,
        is_demo=is_demo,
    )


def create_matter_row(
    *,
    actor: User | None,
    agency_id: int,
    code: str,
    content: MatterContent,
    valid_from: date,
    is_demo: bool = False,
) -> MatterVersion:
    """Create a matter and its first version inside the caller's transaction."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
        require_agency_access(actor, agency_id, write=True)
    code = code.strip()
    if not code:
        raise ValidationFailed("事项编码不能为空。", field="code")
    validate_content(content)
    if Matter.objects.filter(agency_id=agency_id, code=code).exists():
        raise ValidationFailed(f"事项编码“{code}”已存在。", field="code")
    matter = Matter.objects.create(agency_id=agency_id, code=code, is_demo=is_demo)
    version = MatterVersion.objects.create(
        matter=matter, number=1, valid_from=valid_from, change_note="首次登记", **asdict(content)
    )
    ledger.append(
        event_type="matter.created",
        payload={
            "matter": matter.pk,
            "code": code,
            "version": 1,
            "valid_from": valid_from,
            "content": _content_payload(content),
        },
        actor=actor,
        agency_id=agency_id,
    )
    return version


def revise_matter_row(
    *, actor: User | None, matter_id: int, content: MatterContent, valid_from: date, note: str
) -> MatterVersion:
    """Close the current version the day before ``valid_from`` and open a new one."""
    matter = Matter.objects.select_for_update().filter(pk=matter_id).first()
    if matter is None:
        raise DomainError("not_found", "未找到该事项。")
    if actor is not None:
        require_role(actor, Role.ADMIN)
        require_agency_access(actor, matter.agency_id, write=True)
    validate_content(content)
    if not note.strip():
        raise ValidationFailed("请说明本次变更的原因（如法律修订）。", field="note")
    current = matter.versions.get(valid_to__isnull=True)
    if valid_from <= current.valid_from:
        raise ValidationFailed(
            f"新版本生效日期须晚于现行版本的生效日期（{current.valid_from:%Y年%m月%d日}）。",
            field="valid_from",
        )
    current.valid_to = valid_from
    current.save(update_fields=["valid_to"])
    version = MatterVersion.objects.create(
        matter=matter,
        number=current.number + 1,
        valid_from=valid_from,
        change_note=note,
        **asdict(content),
    )
    ledger.append(
        event_type="matter.revised",
        payload={
            "matter": matter.pk,
            "version": version.number,
            "valid_from": valid_from,
            "note": note,
            "content": _content_payload(content),
        },
        actor=actor,
        agency_id=matter.agency_id,
    )
    return version


@transaction.atomic(durable=True)
def revise_matter(
    *, actor: User, matter_id: int, content: MatterContent, valid_from: date, note: str
) -> MatterVersion:
    return revise_matter_row(
        actor=actor, matter_id=matter_id, content=content, valid_from=valid_from, note=note
    )


def record_calendar_year(
    *, actor: User | None, year: int, source: str, days: dict[date, bool], notes: dict[date, str]
) -> CalendarYear:
    """Enter a year's holidays and make-up days from the State Council notice, and recompute the
    deadlines that had been counted provisionally across that year."""
    try:
        return _record_calendar_year(actor=actor, year=year, source=source, days=days, notes=notes)
    finally:
        # The recomputation below read the table inside the transaction; whether it committed
        # or not, every process must read it afresh.
        workdays.invalidate()


@transaction.atomic(durable=True)
def _record_calendar_year(
    *, actor: User | None, year: int, source: str, days: dict[date, bool], notes: dict[date, str]
) -> CalendarYear:
    return record_calendar_year_row(actor=actor, year=year, source=source, days=days, notes=notes)


def record_calendar_year_row(
    *, actor: User | None, year: int, source: str, days: dict[date, bool], notes: dict[date, str]
) -> CalendarYear:
    """``record_calendar_year`` inside the caller's transaction (the sheet import records several
    years at once); the caller invalidates the calendar afterwards, committed or not."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    if not source.strip():
        raise ValidationFailed("请注明依据（国务院办公厅通知文号）。", field="source")
    wrong_year = [d for d in days if d.year != year]
    if wrong_year:
        raise ValidationFailed(f"{wrong_year[0]} 不属于{year}年。", field="days")
    cal_year, _ = CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
    for day, is_working in days.items():
        CalendarDay.objects.update_or_create(
            day=day, defaults={"is_working": is_working, "note": notes.get(day, "")}
        )
    ledger.append(
        event_type="calendar.year_recorded",
        payload={
            "year": year,
            "source": source,
            "days": {d.isoformat(): w for d, w in sorted(days.items())},
        },
        actor=actor,
    )
    workdays.invalidate()  # the recomputers must count with the notice just written
    moved = calendar.recompute_all(year)
    RecomputedDeadline.objects.bulk_create(
        RecomputedDeadline(
            year=year,
            agency_id=m.agency_id,
            kind=m.kind,
            subject=m.subject[:120],
            link=m.link[:200],
            old_due_on=m.old_due_on,
            new_due_on=m.new_due_on,
        )
        for m in moved
    )
    if moved:
        ledger.append(
            event_type="calendar.deadlines_recomputed",
            payload={
                "year": year,
                "moved": [
                    {
                        "agency": m.agency_id,
                        "kind": m.kind,
                        "subject": m.subject,
                        "old": m.old_due_on,
                        "new": m.new_due_on,
                    }
                    for m in moved
                ],
            },
            actor=actor,
        )
    transaction.on_commit(workdays.invalidate)
    return cal_year


def load_overrides() -> workdays.Overrides:
    """The override table as the pure calendar module wants it."""
    return workdays.Overrides(
        days=dict(CalendarDay.objects.values_list("day", "is_working")),
        years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )
