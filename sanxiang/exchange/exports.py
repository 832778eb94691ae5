"""双公示 files for the credit platforms: CSV (UTF-8 with BOM, as their import tools expect) and
XLSX, one row per published decision — the 行政处罚 file in the columns of
payloads.CREDIT_FIELDS, the 行政许可 file in those of payloads.LICENCE_FIELDS."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from io import BytesIO, StringIO

from django.db.models import QuerySet

from sanxiang.disclosure.exports import csv_safe
from sanxiang.disclosure.models import Publication, PublicationStatus, RuleCategory
from sanxiang.licensing.queries import decided_terms_of

from .payloads import CREDIT_FIELDS, LICENCE_FIELDS, LICENCE_KINDS, credit_row, licence_row

Fields = list[tuple[str, str]]
Row = Callable[[Publication], dict[str, str]]


def _published(scope: Iterable[int], year: int, category: str) -> QuerySet[Publication]:
    """The year's decisions of ``category`` that were published (withdrawn and expired ones
    too, so the credit platform can take them down)."""
    return (
        Publication.objects.filter(
            agency_id__in=list(scope),
            category=category,
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


def published_in(scope: Iterable[int], year: int) -> list[Publication]:
    """The rows of the 行政处罚 双公示 file."""
    return list(_published(scope, year, RuleCategory.PENALTY))


def licences_in(scope: Iterable[int], year: int) -> list[Publication]:
    """The rows of the 行政许可 双公示 file: grants, 撤销 and 撤回 (payloads.LICENCE_KINDS);
    a 不予行政许可 grants nothing and is not in it."""
    kinds = [str(k) for k in LICENCE_KINDS]
    items = list(_published(scope, year, RuleCategory.LICENCE).filter(case__draft__kind__in=kinds))
    terms = decided_terms_of([item.case for item in items])
    for item in items:  # what licence_row reads, fetched for all rows at once
        item.licence_terms = terms.get(item.case_id)  # type: ignore[attr-defined]
    return items


def _csv(fields: Fields, row: Row, items: list[Publication]) -> bytes:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in fields])
    for item in items:
        values = row(item)
        writer.writerow([csv_safe(values[key]) for key, _ in fields])
    return ("\ufeff" + out.getvalue()).encode()


def _xlsx(fields: Fields, row: Row, items: list[Publication], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([label for _, label in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in items:
        values = row(item)
        sheet.append([csv_safe(values[key]) for key, _ in fields])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def credit_csv(items: list[Publication]) -> bytes:
    return _csv(CREDIT_FIELDS, credit_row, items)


def credit_xlsx(items: list[Publication]) -> bytes:
    return _xlsx(CREDIT_FIELDS, credit_row, items, "行政处罚双公示")


def licence_csv(items: list[Publication]) -> bytes:
    return _csv(LICENCE_FIELDS, licence_row, items)


def licence_xlsx(items: list[Publication]) -> bytes:
    return _xlsx(LICENCE_FIELDS, licence_row, items, "行政许可双公示")
