"""Local configuration: deadline figures and 裁量基准 (DOMAIN.md: configuration, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency, require_role
from sanxiang.catalog.models import Matter
from sanxiang.directory import versioning
from sanxiang.ledger.services import append
from sanxiang.lib.errors import ValidationFailed
from sanxiang.procedures.definitions import DEFINITIONS

from ..models import (
    BENCHMARK_FIELDS,
    BENCHMARK_KIND,
    PENALTY_KINDS,
    Circumstance,
    DeadlineSetting,
    DiscretionBenchmark,
    DiscretionBenchmarkVersion,
)
from .common import local_today, matter_category, parse_amount


@transaction.atomic(durable=True)
def set_deadline_setting(
    *,
    actor: User,
    procedure: str,
    rule: str,
    days: int,
    unit: str,
    warn_days: int,
    matter_id: int | None = None,
    note: str = "",
) -> DeadlineSetting:
    """Set the agency's own figure for a deadline rule (all matters, or one matter)."""
    require_role(actor, Role.ADMIN, Role.HEAD)
    agency = home_agency(actor)
    definition = DEFINITIONS.get(procedure)
    if definition is None or rule not in {r.code for r in definition.deadlines}:
        raise ValidationFailed("该程序没有此项时限。", field="rule")
    if not 1 <= days <= 3650 or not 0 <= warn_days <= 60:
        raise ValidationFailed("期限须为1至3650日，预警天数须为0至60日。", field="days")
    if unit not in {"working", "calendar"}:
        raise ValidationFailed("时限单位无效。", field="unit")
    matter = None
    if matter_id is not None:
        matter = Matter.objects.filter(pk=matter_id, agency=agency).first()
        if matter is None:
            raise ValidationFailed("请选择本机关的执法事项。", field="matter_id")
    setting, _ = DeadlineSetting.objects.update_or_create(
        agency=agency,
        matter=matter,
        procedure=procedure,
        rule=rule,
        defaults={"days": days, "unit": unit, "warn_days": warn_days, "note": note.strip()},
    )
    append(
        event_type="cases.deadline_setting_saved",
        payload={
            "procedure": procedure,
            "rule": rule,
            "matter": matter_id,
            "days": days,
            "unit": unit,
            "warn_days": warn_days,
            "note": note.strip(),
        },
        actor=actor,
        agency_id=agency.pk,
    )
    return setting


@dataclass(frozen=True)
class BenchmarkData:
    circumstance: str
    description: str
    fine_min: Decimal | str
    fine_max: Decimal | str
    first_offence_exempt: bool = False
    lighter_factors: str = ""
    reduced_factors: str = ""
    # The kinds of 行政处罚法 第9条 the circumstance allows (the matter's 罚则); empty: any.
    penalty_kinds: tuple[str, ...] | list[str] = ()


def _benchmark_kinds(kinds: tuple[str, ...] | list[str]) -> str:
    """The kinds as ",a,b," in the statute's order (``PENALTY_KINDS``); "" when none given."""
    chosen = set(kinds)
    if not chosen <= set(PENALTY_KINDS):
        raise ValidationFailed(
            "可给予的处罚种类须是行政处罚法第九条规定的种类。", field="penalty_kinds"
        )
    return "," + ",".join(k for k in PENALTY_KINDS if k in chosen) + "," if chosen else ""


@transaction.atomic(durable=True)
def save_benchmark(
    *, actor: User, matter_id: int, data: BenchmarkData, valid_from: date | None = None
) -> DiscretionBenchmark:
    """Set one 裁量基准 line of a penalty matter: circumstance → fine range and factors."""
    return save_benchmark_row(actor=actor, matter_id=matter_id, data=data, valid_from=valid_from)


def save_benchmark_row(
    *, actor: User, matter_id: int, data: BenchmarkData, valid_from: date | None = None
) -> DiscretionBenchmark:
    """``save_benchmark`` inside the caller's transaction (the sheet import saves many).

    A changed line is a new version from ``valid_from`` (default today), the one it replaces
    kept with its end date: a decision is checked against the band in force on its day."""
    require_role(actor, Role.ADMIN, Role.HEAD)
    agency = home_agency(actor)
    matter = Matter.objects.filter(pk=matter_id, agency=agency).first()
    if matter is None:
        raise ValidationFailed("请选择本机关的执法事项。", field="matter_id")
    if matter_category(matter, local_today()) != "penalty":
        raise ValidationFailed("裁量基准只适用于行政处罚事项。", field="matter_id")
    if data.circumstance not in Circumstance.values:
        raise ValidationFailed("违法情节无效。", field="circumstance")
    low = parse_amount(data.fine_min, "fine_min") or Decimal("0.00")
    high = parse_amount(data.fine_max, "fine_max") or Decimal("0.00")
    if high < low:
        raise ValidationFailed("罚款上限不能低于下限。", field="fine_max")
    if not data.description.strip():
        raise ValidationFailed("请描述该情节。", field="description")
    fields = {
        "description": data.description.strip(),
        "fine_min": low,
        "fine_max": high,
        "first_offence_exempt": data.first_offence_exempt,
        "lighter_factors": data.lighter_factors.strip(),
        "reduced_factors": data.reduced_factors.strip(),
        "penalty_kinds": _benchmark_kinds(data.penalty_kinds),
    }
    line = (
        DiscretionBenchmark.objects.select_for_update()
        .filter(matter=matter, circumstance=data.circumstance)
        .first()
    )
    if line is None:
        line = DiscretionBenchmark.objects.create(
            matter=matter, circumstance=data.circumstance, **fields
        )
        # A new line holds from the date given, or (none) with no start of its own.
        previous, day = None, valid_from
    else:
        previous = benchmark_content(line)
        for name, value in fields.items():
            setattr(line, name, value)
        line.save()
        day = valid_from or local_today()
    written = versioning.write_version(
        kind=BENCHMARK_KIND,
        versions=DiscretionBenchmarkVersion.objects.filter(benchmark=line),
        create=lambda **f: DiscretionBenchmarkVersion.objects.create(benchmark=line, **f),
        before=previous if line.version == 0 else None,
        before_from=line.valid_from,
        content=benchmark_content(line),
        valid_from=day,
    )
    line.version, line.valid_from = written[-1]["number"], day
    DiscretionBenchmark.objects.filter(pk=line.pk).update(version=line.version, valid_from=day)
    append(
        event_type="cases.benchmark_saved",
        payload={
            "matter": matter.code,
            "circumstance": data.circumstance,
            "fine_min": low,
            "fine_max": high,
            "first_offence_exempt": data.first_offence_exempt,
            "penalty_kinds": fields["penalty_kinds"],
            "valid_from": day,
            "versions": written,
        },
        actor=actor,
        agency_id=agency.pk,
    )
    return line


def benchmark_content(line: DiscretionBenchmark | DiscretionBenchmarkVersion) -> dict[str, Any]:
    return versioning.content_of(line, BENCHMARK_FIELDS)
