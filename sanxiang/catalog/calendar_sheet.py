"""工作日历 (the holiday override table) as a spreadsheet that round-trips: one row per day that
differs from the weekday rule, with the State Council notice it comes from. A year with a new or
changed day is recorded again from the sheet (its 依据 updated, its deadlines recomputed); days
missing from the sheet are left as they are."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sanxiang.accounts.models import User
from sanxiang.imports import engine
from sanxiang.lib import roundtrip as rt
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError

from .models import CalendarDay, CalendarYear
from .services import record_calendar_year_row

WORKING = {"上班": True, "班": True, "休息": False, "休": False}


def _working(value: Any) -> bool:
    raw = rt.text(value)
    if raw not in WORKING:
        raise rt.CellError("请填写“休息”或“上班”。")
    return WORKING[raw]


LAYOUT = rt.Layout(
    title="工作日历",
    columns=(
        rt.date_column("日期"),
        rt.Column("安排", _working, lambda v: "上班" if v else "休息", width=8),
        rt.Column("说明", width=20),
        rt.Column("依据", width=32),
    ),
    key=("日期",),
)
FIELDS = {"days": "日期", "source": "依据"}


def _records() -> list[dict[str, Any]]:
    sources = dict(CalendarYear.objects.values_list("year", "source"))
    return [
        {"日期": d.day, "安排": d.is_working, "说明": d.note, "依据": sources.get(d.day.year, "")}
        for d in CalendarDay.objects.order_by("day")
    ]


def export_calendar() -> bytes:
    return rt.write(LAYOUT, _records())


def import_calendar(*, actor: User, data: bytes) -> engine.Outcome:
    years: dict[int, list[rt.Row]] = defaultdict(list)

    def check(verdict: engine.Check) -> None:
        touched = {r.values["日期"].year for r in verdict.diff.new}
        touched |= {r.values["日期"].year for r, _ in verdict.diff.changed}
        for row in verdict.reading.rows:
            if row.values["日期"].year in touched:
                years[row.values["日期"].year].append(row)
        for year, rows in years.items():
            source = rows[0].values["依据"]
            for row in rows:
                if not row.values["依据"]:
                    verdict.refuse(row, "依据", "请注明依据（国务院办公厅通知文号）。")
                elif row.values["依据"] != source:
                    verdict.refuse(row, "依据", f"同一年度的依据应相同（{year}年：{source}）。")

    def record(verdict: engine.Check) -> None:
        for year, rows in sorted(years.items()):
            days: dict[date, bool] = {r.values["日期"]: r.values["安排"] for r in rows}
            try:
                record_calendar_year_row(
                    actor=actor,
                    year=year,
                    source=rows[0].values["依据"],
                    days=days,
                    notes={r.values["日期"]: r.values["说明"] for r in rows},
                )
            except DomainError as err:
                verdict.refuse_error(rows[0], err, FIELDS)

    try:
        return engine.run(
            layout=LAYOUT,
            data=data,
            current=lambda: {(r["日期"],): r for r in _records()},
            check=check,
            apply=lambda row, before: None,
            fields=FIELDS,
            after=record,
        )
    finally:
        # Deadlines were recomputed inside the transaction: committed or not, read afresh.
        workdays.invalidate()
