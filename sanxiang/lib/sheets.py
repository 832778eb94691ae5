"""Spreadsheet rows in and out (XLSX via openpyxl), with errors that name the row and column."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook, load_workbook


class SheetError(Exception):
    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        where = ""
        if row is not None:
            where = f"第{row}行"
            if column:
                where += f"“{column}”列"
            where += "："
        super().__init__(where + message)
        self.row = row
        self.column = column


def read_rows(stream: IO[bytes], headers: Sequence[str]) -> list[tuple[int, dict[str, Any]]]:
    """Rows of the first sheet as (row number, {header: value}); the header row must match."""
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-XLSX upload
        raise SheetError(
            f"无法读取文件，请上传 .xlsx 格式的表格（{type(exc).__name__}）。"
        ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    found = [str(c).strip() if c is not None else "" for c in (first or ())]
    while found and found[-1] == "":
        found.pop()
    if found != list(headers):
        raise SheetError(
            f"表头不符。应为：{'、'.join(headers)}；实际为：{'、'.join(found) or '（空）'}。", row=1
        )
    result = []
    for number, values in enumerate(rows, start=2):
        cells = list(values)[: len(headers)]
        if all(v is None or str(v).strip() == "" for v in cells):
            continue
        cells += [None] * (len(headers) - len(cells))
        result.append((number, dict(zip(headers, cells, strict=True))))
    book.close()
    return result


def write_rows(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = title[:31]
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_date(value: Any, *, row: int, column: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise SheetError(
        f"“{text}”不是有效日期（应为 2026-01-31 这样的格式）。", row=row, column=column
    )
