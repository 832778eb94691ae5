"""The filtered case list as CSV or XLSX, streamed: rows are read in chunks from one query
(parties, lead officer and matter name as subqueries, no query per case) and written as they
come, so an export of a million cases holds neither the rows nor the file in memory."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from sanxiang.catalog.models import MatterVersion
from sanxiang.procedures.definitions import DEFINITIONS

from .models import Case, CaseMember, Party

HEADERS = (
    "案件编号",
    "案由",
    "执法事项",
    "程序",
    "阶段",
    "当事人",
    "统一社会信用代码/证件号",
    "主办人员",
    "立案日期",
    "决定日期",
    "结案日期",
    "罚款金额（元）",
    "最近届满日",
    "时限预警",
)
# Excel's sheet holds 1,048,576 rows; one is the header.
XLSX_MAX_ROWS = 1_048_575
CHUNK = 2000


def _safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_rows(rows: QuerySet[Case]) -> QuerySet[Case]:
    first_party = Party.objects.filter(case=OuterRef("pk")).order_by("pk")
    lead = CaseMember.objects.filter(case=OuterRef("pk"), is_lead=True).order_by("pk")
    matter = MatterVersion.objects.filter(matter=OuterRef("matter_id")).order_by("-number")
    return rows.annotate(
        party_name=Subquery(first_party.values("name")[:1]),
        party_id_number=Subquery(first_party.values("id_number")[:1]),
        party_credit_code=Subquery(first_party.values("credit_code")[:1]),
        lead_name=Subquery(lead.values("officer__name")[:1]),
        matter_label=Subquery(matter.values("name")[:1]),
    )


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _cells(case: Any) -> list[Any]:
    definition = DEFINITIONS[case.procedure]
    warning = "已逾期" if case.is_red else "即将届满" if case.is_yellow else ""
    return [
        case.number,
        case.title,
        case.matter_label or "",
        definition.label,
        definition.label_of(case.stage),
        case.party_name or "",
        case.party_credit_code or case.party_id_number or "",
        case.lead_name or "",
        _day(case.opened_on),
        _day(case.decided_on),
        _day(case.closed_on),
        case.amount,
        _day(case.next_due),
        warning,
    ]


def _iterate(rows: QuerySet[Case]) -> Iterator[list[Any]]:
    fields = ("pk", "number", "title", "procedure", "stage", "opened_on", "decided_on")
    rows = export_rows(rows).select_related(None).only(*fields, "closed_on", "matter_id")
    for case in rows.iterator(CHUNK):
        yield _cells(case)


class _Line:
    """A file-like object whose ``write`` returns what was written (for ``csv.writer``)."""

    def write(self, value: str) -> str:
        return value


def csv_stream(rows: QuerySet[Case]) -> Iterator[bytes]:
    """UTF-8 with a BOM (so Excel reads the Chinese), one line at a time."""
    writer = csv.writer(_Line())
    yield ("\ufeff" + writer.writerow(HEADERS)).encode()
    for cells in _iterate(rows):
        out = [_safe("" if c is None else str(c)) for c in cells]
        yield writer.writerow(out).encode()


def xlsx_file(rows: QuerySet[Case]) -> Any:
    """A write-only workbook in an anonymous temporary file (gone once closed), rewound."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("案件")
    sheet.append(list(HEADERS))
    for cells in _iterate(rows):
        sheet.append([_safe(c) for c in cells])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the FileResponse that streams it
    book.save(out)
    out.seek(0)
    return out
