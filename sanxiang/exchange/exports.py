"""双公示 files for the credit platforms: CSV (UTF-8 with BOM, as their import tools expect) and
XLSX, one row per published decision, in the columns of payloads.CREDIT_FIELDS."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from io import BytesIO, StringIO

from sanxiang.disclosure.exports import csv_safe
from sanxiang.disclosure.models import Publication, PublicationStatus, RuleCategory

from .payloads import CREDIT_FIELDS, credit_row


def published_in(scope: Iterable[int], year: int) -> list[Publication]:
    """The year's 行政处罚 decisions that were published (withdrawn and expired ones too, so the
    credit platform can take them down): the rows of the 行政处罚 双公示 file. 行政许可 has a
    template of its own (许可证书名称, 有效期自/至 …), not produced here."""
    return list(
        Publication.objects.filter(
            agency_id__in=list(scope),
            category=RuleCategory.PENALTY,
            decided_on__year=year,
            status__in=[
                PublicationStatus.PUBLISHED,
                PublicationStatus.WITHDRAWN,
                PublicationStatus.EXPIRED,
            ],
        )
        .select_related("agency", "case", "case__draft")
        .prefetch_related("case__parties")
        .order_by("decided_on", "pk")
    )


def credit_csv(items: list[Publication]) -> bytes:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in CREDIT_FIELDS])
    for item in items:
        row = credit_row(item)
        writer.writerow([csv_safe(row[key]) for key, _ in CREDIT_FIELDS])
    return ("\ufeff" + out.getvalue()).encode()


def credit_xlsx(items: list[Publication]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "行政处罚双公示"
    sheet.append([label for _, label in CREDIT_FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in items:
        row = credit_row(item)
        sheet.append([csv_safe(row[key]) for key, _ in CREDIT_FIELDS])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
