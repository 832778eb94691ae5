"""Spreadsheets that round-trip (XLSX via openpyxl, no Django).

A list declares its columns once (``Layout``); ``write`` exports its rows, ``read`` reads a sheet
back and reports *every* bad cell at once (row, column, value, reason in Chinese) instead of
stopping at the first; ``compare`` tells new, changed and unchanged rows apart by the list's key,
so re-importing an unchanged export is "nothing to change"; ``annotate`` returns a copy of the
uploaded sheet with each bad cell filled and carrying the reason as a comment.

The reading is done in openpyxl's read-only mode (a 10,000-row sheet must stay fast); merged
cells and formulas, which that mode does not expose, are found in the worksheet's XML.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

MAX_ROWS = 20_000
DATE_FORMAT = "yyyy-mm-dd"
BAD_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
AUTHOR = "三项制度平台"


class CellError(ValueError):
    """A cell that cannot be read; ``reason`` is shown to people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- cell parsers: each takes the raw openpyxl value and returns the list's value ----------


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def required(parse: Callable[[Any], Any] = text) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if text(value) == "":
            raise CellError("不能为空。")
        return parse(value)

    return check


def optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Blank is ``None``; anything else goes through ``parse``."""

    def check(value: Any) -> Any:
        return None if text(value) == "" else parse(value)

    return check


def integer(*, minimum: int = 0, maximum: int | None = None) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        raw = text(value)
        if (isinstance(value, float) and not value.is_integer()) or not re.fullmatch(r"-?\d+", raw):
            raise CellError("应为整数。")
        number = int(raw)
        if number < minimum or (maximum is not None and number > maximum):
            upper = f"至{maximum}" if maximum is not None else "以上"
            raise CellError(f"应为{minimum}{upper}的整数。")
        return number

    return check


def decimal(
    *, places: int = 2, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> Callable[[Any], Decimal]:
    quantum = Decimal(1).scaleb(-places)

    def check(value: Any) -> Decimal:
        raw = text(value).replace(",", "").replace("，", "")
        if isinstance(value, bool) or raw == "":
            raise CellError("应为数字。")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise CellError("应为数字。") from None
        if not number.is_finite():
            raise CellError("应为数字。")
        if number != number.quantize(quantum):
            raise CellError(f"最多保留{places}位小数。")
        if minimum is not None and number < minimum:
            raise CellError(f"不能小于{minimum}。")
        if maximum is not None and number > maximum:
            raise CellError(f"不能大于{maximum}。")
        return number.quantize(quantum)

    return check


YES = {"是", "Y", "y", "TRUE", "True", "true", "1"}
NO = {"否", "N", "n", "FALSE", "False", "false", "0"}


def yes_no(value: Any) -> bool:
    raw = text(value)
    if raw in YES:
        return True
    if raw in NO or raw == "":
        return False
    raise CellError("请填写“是”或“否”。")


def choice(labels: Mapping[str, str], *, default: str | None = None) -> Callable[[Any], str]:
    """A label shown in the sheet (e.g. 行政处罚) → the stored value (penalty)."""

    def check(value: Any) -> str:
        raw = text(value)
        if raw == "" and default is not None:
            return labels[default]
        if raw not in labels:
            raise CellError(f"应为以下之一：{'、'.join(labels)}。")
        return labels[raw]

    return check


_TEXT_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def day(value: Any) -> date:
    """A date cell. Text is accepted only in year-month-day order (2026-01-31, 2026/1/31,
    2026年1月31日); a bare number is refused, since it is most likely a date cell whose format
    was lost (an Excel serial) and guessing could shift a legal date."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError("应为日期，不带时间。")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        hint = ""
        if 1 <= value < 2958466 and float(value).is_integer():
            hint = f"（按 Excel 日期序号是 {date(1899, 12, 30) + timedelta(days=int(value))}）"
        raise CellError(f"是数字而不是日期{hint}：请把单元格设为日期格式，或写成 2026-01-31。")
    raw = text(value)
    match = _TEXT_DATE.fullmatch(raw)
    if match is None:
        raise CellError("不是日期：请写成 2026-01-31（年-月-日）。")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise CellError("日期不存在（请检查月份和日）。") from None


# --- the declaration ------------------------------------------------------------------------


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Column:
    header: str
    parse: Callable[[Any], Any] = text
    show: Callable[[Any], Any] = _same
    width: int = 16
    # Shown to help people (a name next to a code); not read back.
    for_reference: bool = False
    is_date: bool = False


def date_column(header: str, *, blank: bool = False) -> Column:
    return Column(header, parse=optional(day) if blank else required(day), width=12, is_date=True)


@dataclass(frozen=True)
class Layout:
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    max_rows: int = MAX_ROWS

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def index(self, header: str) -> int:
        """1-based column number of ``header``."""
        return self.headers.index(header) + 1


@dataclass(frozen=True)
class Problem:
    """One bad cell (or row, or the file): row 1 is the header row; ``row`` None is the file."""

    row: int | None
    column: str
    value: str
    reason: str
    column_number: int | None = None

    @property
    def cell(self) -> str:
        if self.row is None or self.column_number is None:
            return ""
        return f"{get_column_letter(self.column_number)}{self.row}"

    def sentence(self) -> str:
        where = f"第{self.row}行" if self.row is not None else "文件"
        if self.column:
            where += f"“{self.column}”列"
        shown = f"（{self.value}）" if self.value else ""
        return f"{where}{shown}：{self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "column_number": self.column_number,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        return cls(**data)


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    key: tuple[Any, ...]


@dataclass
class Reading:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, layout: Layout, row: Row | int, column: str, reason: str) -> None:
        """Report a problem found after reading (by the list's own checks)."""
        number = row.number if isinstance(row, Row) else row
        value = row.values.get(column) if isinstance(row, Row) else None
        self.problems.append(
            Problem(
                number,
                column,
                _shown(value),
                reason,
                layout.index(column) if column in layout.headers else None,
            )
        )


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    shown = text(value)
    return shown if len(shown) <= 60 else shown[:57] + "……"


# --- writing --------------------------------------------------------------------------------


def write(layout: Layout, records: Iterable[Mapping[str, Any]]) -> bytes:
    """The list as an XLSX whose first row is the layout's headers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(layout.title[:31])
    for number, column in enumerate(layout.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append(layout.headers)
    for record in records:
        sheet.append([_cell(c, record.get(c.header)) for c in layout.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(column: Column, value: Any) -> Any:
    shown = column.show(value)
    if isinstance(shown, Decimal):
        # A number cell people can sum; at most 15 significant digits, so reading the float
        # back (its shortest repr) gives the same Decimal.
        return float(shown)
    return shown


# --- reading --------------------------------------------------------------------------------

_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+\d+)(?::([A-Z]+\d+))?"')
_FORMULA = re.compile(rb'<c\s+r="([A-Z]+)(\d+)"[^>]*?(?<!/)>\s*<f[\s>/]')


def read(layout: Layout, data: bytes) -> Reading:
    """Every row of the first sheet, parsed, with every problem found in the file."""
    reading = Reading()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        xml = book._archive.read(sheet._worksheet_path)
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        reading.problems.append(
            Problem(None, "", "", f"无法读取文件，请上传 .xlsx 表格（{type(exc).__name__}）。")
        )
        return reading
    try:
        rows = sheet.iter_rows(values_only=True)
        if not _headers_ok(layout, next(rows, None), reading):
            return reading
        skip = _merged(layout, xml, reading) | _formulas(layout, xml, reading)
        _rows(layout, rows, skip, reading)
    finally:
        book.close()
    reading.problems = in_sheet_order(reading.problems)
    return reading


def in_sheet_order(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.row or 0, p.column_number or 0))


def _headers_ok(layout: Layout, first: Sequence[Any] | None, reading: Reading) -> bool:
    found = [text(c) for c in (first or ())]
    while found and found[-1] == "":
        found.pop()
    expected = layout.headers
    for number in range(1, max(len(found), len(expected)) + 1):
        have = found[number - 1] if number <= len(found) else ""
        want = expected[number - 1] if number <= len(expected) else ""
        if have == want:
            continue
        if not want:
            reason = "多出的列：请删除，或使用本页导出的表格。"
        elif want in found:
            reason = f"列的顺序不对：第{number}列应为“{want}”。请使用本页导出的表格。"
        else:
            reason = f"表头应为“{want}”。请使用本页导出的表格，不要改动第一行。"
        reading.problems.append(Problem(1, want or have, have, reason, number))
    return not reading.problems


def _where(layout: Layout, ref: str) -> tuple[int, int, str]:
    letters, row = coordinate_from_string(ref)
    column = column_index_from_string(letters)
    header = layout.headers[column - 1] if column <= len(layout.columns) else ""
    return row, column, header


def _merged(layout: Layout, xml: bytes, reading: Reading) -> set[tuple[int, int]]:
    covered: set[tuple[int, int]] = set()
    for start, end in _MERGE.findall(xml):
        first = _where(layout, start.decode())
        last = _where(layout, (end or start).decode())
        span = f"{start.decode()}:{(end or start).decode()}"
        reading.problems.append(
            Problem(
                first[0],
                first[2],
                "",
                f"合并单元格（{span}）：请取消合并，每个单元格填写自己的值。",
                first[1],
            )
        )
        for r in range(first[0], last[0] + 1):
            for c in range(first[1], last[1] + 1):
                covered.add((r, c))
    return covered


def _formulas(layout: Layout, xml: bytes, reading: Reading) -> set[tuple[int, int]]:
    cells: set[tuple[int, int]] = set()
    for letters, number in _FORMULA.findall(xml):
        row, column, header = _where(layout, (letters + number).decode())
        if row == 1 or column > len(layout.columns):
            continue
        cells.add((row, column))
        reading.problems.append(
            Problem(row, header, "", "单元格是公式：请复制后“选择性粘贴 → 数值”，再导入。", column)
        )
    return cells


def _rows(
    layout: Layout, rows: Iterable[Sequence[Any]], skip: set[tuple[int, int]], reading: Reading
) -> None:
    width = len(layout.columns)
    first_seen: dict[tuple[Any, ...], int] = {}
    count = 0
    for number, values in enumerate(rows, start=2):
        cells = list(values[:width]) + [None] * (width - len(values[:width]))
        blank = all(v is None or (isinstance(v, str) and v.strip() == "") for v in cells)
        if blank and not any((number, c) in skip for c in range(1, width + 1)):
            continue
        count += 1
        if count > layout.max_rows:
            reading.problems.append(
                Problem(
                    number,
                    "",
                    "",
                    f"表格超过{layout.max_rows:,}行的上限：请分成几个文件导入。",
                    1,
                )
            )
            return
        parsed: dict[str, Any] = {}
        bad = False
        for index, (column, value) in enumerate(zip(layout.columns, cells, strict=True), 1):
            if column.for_reference:
                continue
            if (number, index) in skip:
                bad = True
                continue
            try:
                parsed[column.header] = column.parse(value)
            except CellError as err:
                bad = True
                reading.problems.append(
                    Problem(number, column.header, _shown(value), err.reason, index)
                )
        if all(k in parsed for k in layout.key):
            key = tuple(parsed[k] for k in layout.key)
            earlier = first_seen.setdefault(key, number)
            if earlier != number:
                typed = [cells[layout.index(k) - 1] for k in layout.key]  # as written, not codes
                _duplicate(layout, reading, number, typed, earlier)
                continue
        if bad:
            continue
        row = Row(number, parsed, tuple(parsed[k] for k in layout.key))
        reading.rows.append(row)


def _duplicate(
    layout: Layout, reading: Reading, number: int, typed: list[Any], earlier: int
) -> None:
    column = layout.key[0] if layout.key else ""
    reading.problems.append(
        Problem(
            number,
            column,
            "、".join(_shown(k) for k in typed if _shown(k)),
            f"与第{earlier}行重复（{'、'.join(layout.key)}相同）：每项只能出现一次。",
            layout.index(column) if column else 1,
        )
    )


# --- comparing ------------------------------------------------------------------------------


@dataclass
class Diff:
    new: list[Row] = field(default_factory=list)
    changed: list[tuple[Row, Mapping[str, Any]]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not self.new and not self.changed


def canonical(layout: Layout, record: Mapping[str, Any]) -> dict[str, Any]:
    """What ``read`` would return for the exported ``record``: the export, read back."""
    result = {}
    for column in layout.columns:
        if column.for_reference:
            continue
        cell = _cell(column, record.get(column.header))
        try:
            result[column.header] = column.parse(cell)
        except CellError:
            result[column.header] = cell
    return result


def compare(
    layout: Layout,
    rows: Sequence[Row],
    current: Mapping[tuple[Any, ...], Mapping[str, Any]],
    *,
    ignore: Sequence[str] = (),
) -> Diff:
    """Rows whose key is new, rows whose content differs from ``current`` (the list as it would
    be exported), and how many are the same. Columns in ``ignore`` do not make a row changed
    (a 生效日期 only dates a change)."""
    diff = Diff()
    for row in rows:
        before = current.get(row.key)
        if before is None:
            diff.new.append(row)
            continue
        theirs = canonical(layout, before)
        if all(row.values[h] == theirs[h] for h in row.values if h not in ignore):
            diff.unchanged += 1
        else:
            diff.changed.append((row, before))
    return diff


# --- the annotated copy ---------------------------------------------------------------------


def annotate(data: bytes, problems: Sequence[Problem]) -> bytes:
    """The uploaded sheet with each bad cell filled and its reason as a comment, plus a sheet
    that lists every problem (for a file that cannot even be opened: that list alone)."""
    try:
        book = load_workbook(io.BytesIO(data))
        sheet = book.worksheets[0]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        book = Workbook()
        sheet = None
    if sheet is not None:
        reasons: dict[tuple[int, int], list[str]] = {}
        for p in problems:
            if p.row is not None:
                reasons.setdefault((p.row, p.column_number or 1), []).append(p.reason)
        for (row, column), texts in reasons.items():
            cell = sheet.cell(row=row, column=column)
            if type(cell).__name__ == "MergedCell":
                continue  # the merge's top-left cell carries the comment
            cell.fill = BAD_FILL
            comment = Comment("\n".join(texts), AUTHOR)
            comment.width, comment.height = 300, 40 + 30 * len(texts)
            cell.comment = comment
    listing = book.create_sheet("错误清单")
    listing.append(["行", "列", "单元格", "内容", "原因"])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for p in problems:
        listing.append([p.row, p.column, p.cell, p.value, p.reason])
    for letter, width in zip("ABCDE", (6, 16, 8, 24, 60), strict=True):
        listing.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
