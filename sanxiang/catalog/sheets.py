"""事项清单 as a spreadsheet that round-trips: the export of the current versions re-imports as
"nothing to change"; a changed row becomes a new version from the 生效日期 the sheet gives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sanxiang.accounts.models import User
from sanxiang.directory.models import MatterCategory
from sanxiang.imports import engine
from sanxiang.lib import roundtrip as rt
from sanxiang.lib.errors import DomainError

from .models import DayUnit, MatterVersion
from .services import MatterContent, create_matter_row, revise_matter_row, validate_content

CATEGORY = {str(label): value for value, label in MatterCategory.choices}
UNIT = {str(label): value for value, label in DayUnit.choices}
NOTE = "表格导入"
RATIO = rt.decimal(places=2, minimum=Decimal("0.01"), maximum=Decimal(100))


def _label(choices: Any) -> Any:
    return lambda value: str(choices(value).label) if value else ""


LAYOUT = rt.Layout(
    title="行政执法事项清单",
    columns=(
        rt.Column("事项编码", rt.required(), width=14),
        rt.Column("事项类别", rt.choice(CATEGORY), _label(MatterCategory), width=10),
        rt.Column("事项名称", rt.required(), width=30),
        rt.Column("法律名称", width=24),
        rt.Column("条款", width=10),
        rt.Column("条文", width=40),
        rt.Column("承办机构", rt.required(), width=14),
        rt.Column("法定时限", rt.optional(rt.integer(minimum=1, maximum=3650)), width=8),
        rt.Column("时限单位", rt.choice(UNIT, default="工作日"), _label(DayUnit), width=8),
        rt.Column("责任事项", width=30),
        rt.Column("追责情形", width=30),
        rt.Column("随机抽查", rt.yes_no, lambda v: "是" if v else "否", width=8),
        rt.Column("抽查比例(%)", rt.optional(RATIO), width=10),
        rt.date_column("生效日期"),
    ),
    key=("事项编码",),
)
HEADERS = LAYOUT.headers
# A service refusal names a field; the sheet names a column.
FIELDS = {
    "code": "事项编码",
    "category": "事项类别",
    "name": "事项名称",
    "legal_basis": "法律名称",
    "handling_unit": "承办机构",
    "time_limit": "法定时限",
    "time_limit_unit": "时限单位",
    "inspection_ratio": "抽查比例(%)",
    "valid_from": "生效日期",
}


def record(v: MatterVersion) -> dict[str, Any]:
    basis = (v.legal_basis or [{}])[0]
    return {
        "事项编码": v.matter.code,
        "事项类别": v.category,
        "事项名称": v.name,
        "法律名称": basis.get("law", ""),
        "条款": basis.get("article", ""),
        "条文": basis.get("text", ""),
        "承办机构": v.handling_unit,
        "法定时限": v.time_limit,
        "时限单位": v.time_limit_unit,
        "责任事项": v.responsibilities,
        "追责情形": v.accountability,
        "随机抽查": v.random_inspection,
        "抽查比例(%)": v.inspection_ratio,
        "生效日期": v.valid_from,
        "_version": v,
    }


def export_matters(versions: list[MatterVersion]) -> bytes:
    return rt.write(LAYOUT, (record(v) for v in versions))


def _content(values: dict[str, Any], current: MatterVersion | None) -> MatterContent:
    """The sheet's columns over the current version (it keeps what the sheet does not carry:
    the 服务指南 fields and any further legal bases)."""
    base = MatterContent.from_version(current) if current else None
    basis = [{"law": values["法律名称"], "article": values["条款"], "text": values["条文"]}]
    sheet = {
        "category": values["事项类别"],
        "name": values["事项名称"],
        "handling_unit": values["承办机构"],
        "legal_basis": basis + (base.legal_basis[1:] if base else []),
        "time_limit": values["法定时限"],
        "time_limit_unit": values["时限单位"],
        "responsibilities": values["责任事项"],
        "accountability": values["追责情形"],
        "random_inspection": values["随机抽查"],
        "inspection_ratio": values["抽查比例(%)"],
    }
    return MatterContent(**((vars(base) if base else {}) | sheet))


# What the comparison reads; a changed row's whole version is loaded afterwards (``_full``).
COMPARED = [
    "matter__code", "matter_id", "number", "valid_from", "category", "name", "legal_basis",
    "handling_unit", "time_limit", "time_limit_unit", "responsibilities", "accountability",
    "random_inspection", "inspection_ratio",
]  # fmt: skip


def _current(agency_id: int) -> engine.Current:
    versions = (
        MatterVersion.objects.filter(matter__agency_id=agency_id, valid_to__isnull=True)
        .select_related("matter")
        .only(*COMPARED)
    )
    return {(v.matter.code,): record(v) for v in versions}


def _full(verdict: engine.Check) -> None:
    """Replace the compared-only versions of the changed rows by whole ones (one query): the new
    version keeps the fields the sheet does not carry."""
    ids = [before["_version"].pk for _, before in verdict.diff.changed]
    whole = MatterVersion.objects.select_related("matter").in_bulk(ids)
    verdict.diff.changed = [
        (row, {**before, "_version": whole[before["_version"].pk]})
        for row, before in verdict.diff.changed
    ]


def _check(verdict: engine.Check) -> None:
    _full(verdict)
    for row in verdict.diff.new:
        _validate(verdict, row, None)
    for row, before in verdict.diff.changed:
        version: MatterVersion = before["_version"]
        if row.values["生效日期"] <= version.valid_from:
            verdict.refuse(
                row,
                "生效日期",
                f"本行内容有变更，须写明新版本的生效日期（晚于现行第{version.number}版的"
                f"{version.valid_from:%Y-%m-%d}）。",
            )
        _validate(verdict, row, version)


def _validate(verdict: engine.Check, row: rt.Row, current: MatterVersion | None) -> None:
    try:
        validate_content(_content(row.values, current))
    except DomainError as err:
        verdict.refuse_error(row, err, FIELDS)


def import_matters(*, actor: User, agency_id: int, data: bytes) -> engine.Outcome:
    """New codes create matters; a changed row revises its matter from the sheet's 生效日期;
    any bad cell saves nothing (every one is reported)."""

    def apply(row: rt.Row, before: engine.Record | None) -> None:
        valid_from = row.values["生效日期"]
        if before is None:
            create_matter_row(
                actor=actor,
                agency_id=agency_id,
                code=row.values["事项编码"],
                content=_content(row.values, None),
                valid_from=valid_from,
            )
            return
        version: MatterVersion = before["_version"]
        revise_matter_row(
            actor=actor,
            matter_id=version.matter_id,
            content=_content(row.values, version),
            valid_from=valid_from,
            note=NOTE,
        )

    return engine.run(
        layout=LAYOUT,
        data=data,
        current=lambda: _current(agency_id),
        check=_check,
        apply=apply,
        fields=FIELDS,
        ignore=("生效日期",),
    )
