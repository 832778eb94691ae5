"""音像记录事项清单 as a spreadsheet that round-trips. A line is keyed by category, matter (blank:
every matter of the category) and stage; a changed line is retired on the sheet's 生效日期 and a
new line starts that day (lines are dated, never edited). Lines missing from the sheet are left
as they are: retiring one is a deliberate act on the page."""

from __future__ import annotations

from typing import Any

from sanxiang.accounts.models import User
from sanxiang.catalog.models import Matter, MatterVersion
from sanxiang.directory.models import MatterCategory
from sanxiang.imports import engine
from sanxiang.lib import roundtrip as rt
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import DEFINITIONS

from .models import AvLevel, AvRequirement
from .services import (
    AvRequirementData,
    add_av_requirement_row,
    retire_av_requirement_row,
    validate_av_requirement,
)

CATEGORY = {str(label): value for value, label in MatterCategory.choices}
LEVEL = {str(label): value for value, label in AvLevel.choices}


def _stage_codes() -> dict[str, frozenset[str]]:
    """Every name a stage goes by in the export (``stage_label`` joins the names procedures give
    one stage with ／), and its code, → the codes it may mean (审查 is two stages)."""
    codes: dict[str, set[str]] = {}
    for category in {d.category for d in DEFINITIONS.values()}:
        names: dict[str, set[str]] = {}
        for d in DEFINITIONS.values():
            if d.category == category:
                for stage in d.stages:
                    names.setdefault(stage.code, set()).add(str(stage.label))
        for code, labels in names.items():
            for name in {*labels, "／".join(sorted(labels)), code}:
                codes.setdefault(name, set()).add(code)
    return {name: frozenset(c) for name, c in codes.items()}


STAGE_CODES = _stage_codes()


class StageName(str):
    """A stage as written in the sheet; rows naming the same stage(s) compare equal."""

    codes: frozenset[str]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StageName) and self.codes == other.codes

    def __hash__(self) -> int:
        return hash(self.codes)


def _stage(value: Any) -> StageName:
    name = rt.text(value)
    if name not in STAGE_CODES:
        raise rt.CellError("不是程序中的环节名称（请使用导出表格中的写法，如“立案”“调查取证”）。")
    stage = StageName(name)
    stage.codes = STAGE_CODES[name]
    return stage


def _key_stage(record: dict[str, Any]) -> StageName:
    name = str(record["环节"])
    stage = StageName(name)
    stage.codes = STAGE_CODES.get(name, frozenset({record["_line"].stage}))
    return stage


def _stages_of(category: str) -> set[str]:
    return {s.code for d in DEFINITIONS.values() if d.category == category for s in d.stages}


def _code(row: rt.Row) -> str | None:
    """The one stage of the row's category its 环节 names (None: none or, oddly, several)."""
    matches = row.values["环节"].codes & _stages_of(row.values["执法类别"])
    return next(iter(matches)) if len(matches) == 1 else None


LAYOUT = rt.Layout(
    title="音像记录事项清单",
    columns=(
        rt.Column(
            "执法类别", rt.choice(CATEGORY), lambda v: str(MatterCategory(v).label), width=10
        ),
        rt.Column("事项编码", width=12),
        rt.Column("事项名称", width=24, for_reference=True),
        rt.Column("环节", _stage, width=18),
        rt.Column("要求", rt.choice(LEVEL), lambda v: str(AvLevel(v).label), width=8),
        rt.Column("记录情形", rt.required(), width=40),
        rt.date_column("生效日期"),
    ),
    key=("执法类别", "事项编码", "环节"),
)
NOT_A_MATTER = "不是本机关事项清单中的事项编码（留空表示该类别全部事项）。"
NOT_A_STAGE = "不是该执法类别程序中的环节。"
FIELDS = {"category": "执法类别", "level": "要求", "stage": "环节", "scene": "记录情形"}
FIELDS |= {"matter": "事项编码", "valid_from": "生效日期", "valid_to": "生效日期"}


def current_lines(agency_id: int) -> list[AvRequirement]:
    """The list as it stands, lines starting later included (what the export shows)."""
    return list(
        AvRequirement.objects.filter(agency_id=agency_id, valid_to__isnull=True)
        .select_related("matter")
        .order_by("category", "stage", "pk")
    )


def _names(lines: list[AvRequirement]) -> dict[int, str]:
    ids = {line.matter_id for line in lines if line.matter_id}
    versions = MatterVersion.objects.filter(matter_id__in=ids, valid_to__isnull=True)
    return dict(versions.values_list("matter_id", "name"))


def record(line: AvRequirement, names: dict[int, str]) -> dict[str, Any]:
    return {
        "执法类别": line.category,
        "事项编码": line.matter.code if line.matter else "",
        "事项名称": names.get(line.matter_id or 0, "") if line.matter else "该类别全部事项",
        "环节": line.stage_label,
        "要求": line.level,
        "记录情形": line.scene,
        "生效日期": line.valid_from,
        "_line": line,
    }


def export_av_list(agency_id: int) -> bytes:
    lines = current_lines(agency_id)
    names = _names(lines)
    return rt.write(LAYOUT, (record(line, names) for line in lines))


def import_av_list(*, actor: User, agency_id: int, data: bytes) -> engine.Outcome:
    matters = dict(Matter.objects.filter(agency_id=agency_id).values_list("code", "pk"))

    def current() -> engine.Current:
        lines = current_lines(agency_id)
        names = _names(lines)
        rows = (record(line, names) for line in lines)
        return {(r["执法类别"], r["事项编码"], _key_stage(r)): r for r in rows}

    def values(row: rt.Row) -> AvRequirementData:
        code = row.values["事项编码"]
        return AvRequirementData(
            category=row.values["执法类别"],
            stage=_code(row) or "",
            level=row.values["要求"],
            scene=row.values["记录情形"],
            valid_from=row.values["生效日期"],
            matter_id=matters.get(code) if code else None,
        )

    def check(verdict: engine.Check) -> None:
        for row, before in [(r, None) for r in verdict.diff.new] + verdict.diff.changed:
            code = row.values["事项编码"]
            if code and code not in matters:
                verdict.refuse(row, "事项编码", NOT_A_MATTER)
                continue
            if _code(row) is None:
                verdict.refuse(row, "环节", NOT_A_STAGE)
                continue
            if before is not None and row.values["生效日期"] <= before["_line"].valid_from:
                verdict.refuse(
                    row,
                    "生效日期",
                    "本行内容有变更，须写明新条目的生效日期"
                    f"（晚于现行条目的 {before['_line'].valid_from:%Y-%m-%d}）。",
                )
                continue
            try:
                validate_av_requirement(agency_id, values(row))
            except DomainError as err:
                verdict.refuse_error(row, err, FIELDS)

    def apply(row: rt.Row, before: engine.Record | None) -> None:
        if before is not None:
            retire_av_requirement_row(
                actor=actor, line_id=before["_line"].pk, valid_to=row.values["生效日期"]
            )
        add_av_requirement_row(actor=actor, agency_id=agency_id, data=values(row))

    return engine.run(
        layout=LAYOUT,
        data=data,
        current=current,
        check=check,
        apply=apply,
        fields=FIELDS,
        ignore=("生效日期",),
    )
