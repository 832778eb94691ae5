"""Open data (CSV, JSON) of published decisions and the 年报's XLSX, PDF and chart data."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import AnnualReport, Publication, RuleCategory
from .report import PENALTY_ORDER, Tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPEN_FIELDS = {
    "doc_number": "文号",
    "category": "执法类别",
    "party": "当事人",
    "matter": "违法行为类型/事项",
    "outcome": "处罚/决定内容",
    "agency": "执法机关",
    "decided_on": "决定日期",
    "amount": "罚没金额",
    "published_on": "公示日期",
    "url": "公示网址",
}


def open_row(item: Publication) -> dict[str, Any]:
    """One published decision as open data: the 摘要 fields, all already masked."""
    return {
        "doc_number": item.doc_number,
        "category": RuleCategory(item.category).label
        if item.category in RuleCategory.values
        else item.category,
        "party": item.party,
        "matter": item.matter_name,
        "outcome": item.outcome,
        "agency": item.agency_name,
        "decided_on": item.decided_on.isoformat(),
        "amount": f"{item.amount:.2f}" if item.amount is not None else "",
        "published_on": timezone.localdate(item.published_at).isoformat()
        if item.published_at
        else "",
        "url": settings.PUBLIC_BASE_URL + reverse("portal:decision", args=[item.pk]),
    }


def csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell starting with = + - @ is quoted."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def chart_data(tables: Tables) -> dict[str, Any]:
    """What static/js/disclosure.js draws with ECharts (read from a data attribute)."""
    penalty = tables.by_key("penalty")
    licence = tables.by_key("licence")
    types = penalty.rows[: len(PENALTY_ORDER)]
    return {
        "penalty": {"labels": [r[0] for r in types], "values": [r[1] for r in types]},
        "licence": {"labels": [r[0] for r in licence.rows], "values": [r[1] for r in licence.rows]},
    }


def report_xlsx(report: AnnualReport, tables: Tables) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "说明"
    sheet.append([f"{report.agency.name} {report.year}年度行政执法数据年报"])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in report.narrative.splitlines() or [""]:
        sheet.append([line])
    for table in tables.tables:
        ws = book.create_sheet(table.title)
        ws.append(table.columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append(row)
        ws.column_dimensions["A"].width = 48
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(report: AnnualReport, tables: Tables) -> bytes:
    from weasyprint import HTML

    html = render_to_string("portal/report_pdf.html", {"report": report, "tables": tables})
    return bytes(HTML(string=html).write_pdf())
