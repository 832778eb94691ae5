"""裁量基准 as a spreadsheet that round-trips, keyed by matter code and 违法情节. A changed line
becomes a new version from the sheet's 生效日期 (blank: today), the one it replaces kept with
its end date, so a decision is checked against the band in force on its day
(``cases.queries.benchmark_on``); lines missing from the sheet are left alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sanxiang.accounts.models import User
from sanxiang.catalog.models import MatterVersion
from sanxiang.imports import engine
from sanxiang.lib import roundtrip as rt

from .models import PENALTY_KINDS, Circumstance, DecisionKind, DiscretionBenchmark
from .services.common import local_today
from .services.config import BenchmarkData, save_benchmark_row

CIRCUMSTANCE = {str(label): value for value, label in Circumstance.choices}
ZERO = Decimal("0.00")

KIND_LABELS = {str(DecisionKind(k).label): str(k) for k in PENALTY_KINDS}


def _kinds_cell(raw: Any) -> str:
    """ "警告、罚款" → ",warning,fine," in the statute's order; blank → "" (any kind)."""
    names = [n.strip() for n in rt.text(raw).replace("，", "、").replace(",", "、").split("、")]
    unknown = [n for n in names if n and n not in KIND_LABELS]
    if unknown:
        raise rt.CellError(f"“{'、'.join(unknown)}”不是行政处罚法第九条规定的处罚种类。")
    chosen = {KIND_LABELS[n] for n in names if n}
    return "," + ",".join(k for k in PENALTY_KINDS if k in chosen) + "," if chosen else ""


def _kinds_text(value: str) -> str:
    return "、".join(str(DecisionKind(k).label) for k in value.split(",") if k)


LAYOUT = rt.Layout(
    title="行政处罚裁量基准",
    columns=(
        rt.Column("事项编码", rt.required(), width=14),
        rt.Column("事项名称", width=28, for_reference=True),
        rt.Column(
            "违法情节",
            rt.choice(CIRCUMSTANCE),
            lambda v: str(Circumstance(v).label),
            width=8,
        ),
        rt.Column("情节描述", rt.required(), width=40),
        rt.Column("罚款下限（元）", rt.decimal(places=2, minimum=ZERO), width=12),
        rt.Column("罚款上限（元）", rt.decimal(places=2, minimum=ZERO), width=12),
        rt.Column("适用首违不罚", rt.yes_no, lambda v: "是" if v else "否", width=8),
        rt.Column("从轻情形", width=30),
        rt.Column("减轻情形", width=30),
        # 行政处罚法 第9条 kinds the circumstance allows, "、"-separated labels (blank: any).
        rt.Column("可给予的处罚种类", _kinds_cell, _kinds_text, width=24),
        # The day the line holds from (blank in the export: since before versions were kept).
        rt.date_column("生效日期", blank=True),
    ),
    key=("事项编码", "违法情节"),
)
FIELDS = {
    "matter_id": "事项编码",
    "circumstance": "违法情节",
    "description": "情节描述",
    "fine_min": "罚款下限（元）",
    "fine_max": "罚款上限（元）",
    "valid_from": "生效日期",
}


def _records(agency_id: int) -> list[dict[str, Any]]:
    lines = DiscretionBenchmark.objects.filter(matter__agency_id=agency_id).select_related("matter")
    names = dict(
        MatterVersion.objects.filter(
            matter__agency_id=agency_id, valid_to__isnull=True
        ).values_list("matter_id", "name")
    )
    return [
        {
            "事项编码": b.matter.code,
            "事项名称": names.get(b.matter_id, ""),
            "违法情节": b.circumstance,
            "情节描述": b.description,
            "罚款下限（元）": b.fine_min,
            "罚款上限（元）": b.fine_max,
            "适用首违不罚": b.first_offence_exempt,
            "从轻情形": b.lighter_factors,
            "减轻情形": b.reduced_factors,
            "可给予的处罚种类": b.penalty_kinds,
            "生效日期": b.valid_from,
            "_line": b,
        }
        for b in lines.order_by("matter__code", "fine_min")
    ]


def export_benchmarks(agency_id: int) -> bytes:
    return rt.write(LAYOUT, _records(agency_id))


def import_benchmarks(*, actor: User, agency_id: int, data: bytes) -> engine.Outcome:
    current_versions = MatterVersion.objects.filter(
        matter__agency_id=agency_id, valid_to__isnull=True
    ).values_list("matter__code", "matter_id", "category")
    matters = {code: (pk, category) for code, pk, category in current_versions}

    def check(verdict: engine.Check) -> None:
        for row in [*verdict.diff.new, *(r for r, _ in verdict.diff.changed)]:
            matter = matters.get(row.values["事项编码"])
            if matter is None:
                verdict.refuse(row, "事项编码", "不是本机关事项清单中现行的事项编码。")
            elif matter[1] != "penalty":
                verdict.refuse(row, "事项编码", "裁量基准只适用于行政处罚事项。")
            if row.values["罚款上限（元）"] < row.values["罚款下限（元）"]:
                verdict.refuse(row, "罚款上限（元）", "罚款上限不能低于下限。")
        for row, before in verdict.diff.changed:
            line: DiscretionBenchmark = before["_line"]
            day = row.values["生效日期"] or local_today()
            if line.valid_from is not None and day <= line.valid_from:
                verdict.refuse(
                    row,
                    "生效日期",
                    f"本行内容有变更，须写明新版本的生效日期（晚于现行第{line.version}版的"
                    f"{line.valid_from:%Y-%m-%d}；留空为今天）。",
                )

    def apply(row: rt.Row, before: engine.Record | None) -> None:
        v = row.values
        save_benchmark_row(
            actor=actor,
            valid_from=v["生效日期"] or (local_today() if before else None),
            matter_id=matters[v["事项编码"]][0],
            data=BenchmarkData(
                circumstance=v["违法情节"],
                description=v["情节描述"],
                fine_min=v["罚款下限（元）"],
                fine_max=v["罚款上限（元）"],
                first_offence_exempt=v["适用首违不罚"],
                lighter_factors=v["从轻情形"],
                reduced_factors=v["减轻情形"],
                penalty_kinds=[k for k in v["可给予的处罚种类"].split(",") if k],
            ),
        )

    return engine.run(
        layout=LAYOUT,
        data=data,
        current=lambda: {(r["事项编码"], r["违法情节"]): r for r in _records(agency_id)},
        check=check,
        apply=apply,
        fields=FIELDS,
        # A 生效日期 only dates a change: alone it changes nothing.
        ignore=("生效日期",),
    )
