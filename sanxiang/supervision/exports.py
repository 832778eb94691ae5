"""The cockpit and its drill-downs as XLSX (openpyxl through lib.sheets)."""

from __future__ import annotations

from collections.abc import Iterable

from sanxiang.cases.models import Case
from sanxiang.lib.sheets import write_rows

from .queries import Cockpit

COCKPIT_HEADERS = (
    "执法主体",
    "在办案件",
    "已超期",
    "临近期限",
    "决定未公示",
    "逾期未公示",
    "逾期公示",
    "待撤回公示",
    "重大执法决定",
    "审核同意",
    "审核存在问题",
    "证件过期或失效",
    "证件30日内到期",
    "无有效证件人员在办案组(案件)",
    "法制审核人员",
    "执法人员",
    "审核人员占比",
    "达到5%",
    "缺少应当音像记录",
    "督办未办结",
    "督办逾期",
    "双随机结果已公开",
    "双随机结果逾期公开",
    "双随机结果逾期未公开",
    "年报",
    "手册报备",
)


def cockpit_xlsx(board: Cockpit) -> bytes:
    rows = [
        (
            a.agency.name,
            a.open,
            a.red,
            a.yellow,
            a.unpublished,
            a.unpublished_late,
            a.published_late,
            a.withdrawal_pending,
            a.major_total,
            a.major.get("passed", 0),
            a.major.get("failed", 0),
            a.certificates_expired,
            a.certificates_expiring,
            a.uncertified,
            a.reviewers,
            a.officers,
            a.ratio.percent,
            "是" if a.ratio.meets_rule else "否",
            a.av_missing,
            a.notices,
            a.notices_overdue,
            a.random_published,
            a.random_late,
            a.random_overdue,
            a.report.label if a.report else "",
            f"第{a.handbook_version}版 {a.handbook_filed}" if a.handbook_version else "未报备",
        )
        for a in board.agencies
    ]
    return write_rows(f"执法监督{board.today:%Y%m%d}", COCKPIT_HEADERS, rows)


CASE_HEADERS = ("执法主体", "案件编号", "案由", "程序", "阶段", "立案日期", "决定日期", "结案日期")


def cases_xlsx(title: str, cases: Iterable[Case]) -> bytes:
    rows = (
        (
            c.agency.name,
            c.number,
            c.title,
            c.procedure_label,
            c.stage_label,
            c.opened_on,
            c.decided_on,
            c.closed_on,
        )
        for c in cases
    )
    return write_rows(title, CASE_HEADERS, rows)


def cockpit_pdf(board: Cockpit) -> bytes:
    """The cockpit's table and stage counts as a landscape A4 PDF (WeasyPrint)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("supervision/cockpit_pdf.html", {"board": board})
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
