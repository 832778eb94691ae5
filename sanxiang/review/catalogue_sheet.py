"""法制审核目录清单 as a spreadsheet that round-trips: one row per 审核事项 of the current version;
a changed sheet is published as the next version from the 生效日期 it gives (one date for the
whole list, since the list is versioned as a whole)."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.imports import engine
from sanxiang.lib import roundtrip as rt
from sanxiang.lib.errors import DomainError

from .models import CatalogueVersion
from .services import CatalogueData, catalogue_data_of, publish_catalogue_row

NOTE = "表格导入"
MONEY, FLAG, DAYS = "money", "flag", "days"
GROUPS = {
    "fine_natural": ("行政处罚", MONEY),
    "fine_organisation": ("行政处罚", MONEY),
    "confiscation_value": ("行政处罚", MONEY),
    "licence_revocation": ("行政处罚", FLAG),
    "suspension": ("行政处罚", FLAG),
    "qualification_lowering": ("行政处罚", FLAG),
    "hearing_held": ("行政处罚", FLAG),
    "outside_benchmark": ("行政处罚", FLAG),
    "licence_refusal": ("行政许可", FLAG),
    "licence_withdrawal": ("行政许可", FLAG),
    "seizure_auction": ("行政强制", FLAG),
    "review_days": ("审核时限", DAYS),
    "extension_days": ("审核时限", DAYS),
    "warn_days": ("审核时限", DAYS),
}
LABEL = {
    name: str(CatalogueVersion._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    for name in GROUPS
}
FIELD = {label: name for name, label in LABEL.items()}


def _standard(value: Any) -> bool | Decimal | str:
    """是/否, a number, or the text as typed (refused by the check with the item's own rule)."""
    raw = rt.text(value)
    if raw in {"是", "否"}:
        return raw == "是"
    try:
        return rt.decimal(places=2)(value)
    except rt.CellError:
        return raw


def _show(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return Decimal(value) if isinstance(value, int) else value


LAYOUT = rt.Layout(
    title="法制审核目录清单",
    columns=(
        rt.Column("类别", width=10, for_reference=True),
        rt.Column("审核事项", rt.required(), width=44),
        rt.Column("标准", rt.required(_standard), _show, width=14),
        rt.date_column("生效日期"),
    ),
    key=("审核事项",),
)


def _current_version(agency_id: int) -> CatalogueVersion | None:
    return CatalogueVersion.objects.filter(agency_id=agency_id, valid_to__isnull=True).first()


def _records(agency_id: int) -> list[dict[str, Any]]:
    version = _current_version(agency_id)
    data = catalogue_data_of(version) if version else CatalogueData()
    valid_from = version.valid_from if version else timezone.localdate()
    return [
        {"类别": GROUPS[f][0], "审核事项": LABEL[f], "标准": v, "生效日期": valid_from}
        for f, v in asdict(data).items()
    ]


def export_catalogue(agency_id: int) -> bytes:
    return rt.write(LAYOUT, _records(agency_id))


def _value(row: rt.Row, verdict: engine.Check) -> Any:
    name = FIELD[row.values["审核事项"]]
    kind, value = GROUPS[name][1], row.values["标准"]
    if kind == FLAG and not isinstance(value, bool):
        verdict.refuse(row, "标准", "请填写“是”（须审核）或“否”。")
    elif kind == MONEY and not (isinstance(value, Decimal) and value >= 0):
        verdict.refuse(row, "标准", "应为不小于0的金额（元）。")
    elif kind == DAYS and not (isinstance(value, Decimal) and value >= 0 and value % 1 == 0):
        verdict.refuse(row, "标准", "应为不小于0的整数（工作日）。")
    elif kind == DAYS:
        return int(value)
    return value


def import_catalogue(*, actor: User, agency_id: int, data: bytes) -> engine.Outcome:
    version = _current_version(agency_id)
    values: dict[str, Any] = asdict(catalogue_data_of(version) if version else CatalogueData())
    dates: set[date] = set()

    def check(verdict: engine.Check) -> None:
        for row in verdict.reading.rows:
            if row.values["审核事项"] not in FIELD:
                verdict.refuse(row, "审核事项", "不是目录清单的审核事项（请使用导出的表格）。")
                continue
            values[FIELD[row.values["审核事项"]]] = _value(row, verdict)
        changed = [*verdict.diff.new, *(r for r, _ in verdict.diff.changed)]
        if not changed:
            return
        # The list is versioned as a whole: the changed rows give the new version's date.
        day = changed[0].values["生效日期"]
        for row in changed[1:]:
            if row.values["生效日期"] != day:
                verdict.refuse(
                    row, "生效日期", f"目录清单整体生效，变更各行的生效日期应相同（{day}）。"
                )
        if version is not None and day <= version.valid_from:
            verdict.refuse(
                changed[0],
                "生效日期",
                f"清单有变更，须写明新版本的生效日期（晚于现行第{version.number}版的"
                f"{version.valid_from:%Y-%m-%d}）。",
            )
        dates.add(day)

    def publish(verdict: engine.Check) -> None:
        row = verdict.diff.changed[0][0] if verdict.diff.changed else verdict.diff.new[0]
        try:
            publish_catalogue_row(
                actor=actor,
                agency_id=agency_id,
                data=CatalogueData(**{f.name: values[f.name] for f in fields(CatalogueData)}),
                valid_from=dates.pop(),
                note=NOTE,
            )
        except DomainError as err:
            where = dict.fromkeys(GROUPS, "标准") | {"valid_from": "生效日期"}
            verdict.refuse_error(row, err, where)

    return engine.run(
        layout=LAYOUT,
        data=data,
        current=lambda: {(r["审核事项"],): r for r in _records(agency_id)},
        check=check,
        apply=lambda row, before: None,
        fields={},
        ignore=("生效日期",),
        after=publish,
    )
