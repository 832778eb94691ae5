"""The shared all-or-nothing import of a list sheet (sanxiang.lib.roundtrip does the reading).

A list gives its layout, the list as it would export it now (keyed like the sheet), its own
checks of the rows that are new or changed, and the service call that saves one row. Nothing is
saved while any row is bad: the checks run before the transaction, and a service refusal during
it rolls back every row already written and is reported with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from sanxiang.lib import roundtrip
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.roundtrip import Diff, Layout, Problem, Reading, Row

Record = Mapping[str, Any]
Current = Mapping[tuple[Any, ...], Record]
SHOWN_IN_MESSAGE = 5


@dataclass(frozen=True)
class Outcome:
    created: int
    changed: int
    unchanged: int

    @property
    def nothing_to_change(self) -> bool:
        return not self.created and not self.changed

    def message(self) -> str:
        if self.nothing_to_change:
            return f"没有变更：表格与现行清单一致（{self.unchanged} 行），未保存任何内容。"
        return (
            f"已导入：新增 {self.created} 项，变更 {self.changed} 项（按表格所列生效日期），"
            f"{self.unchanged} 项未变。"
        )


class SheetRefused(ValidationFailed):
    """Every problem of a sheet, none of it saved; ``data`` is the upload (for the marked copy)."""

    def __init__(self, layout: Layout, problems: list[Problem], data: bytes) -> None:
        shown = "；".join(p.sentence() for p in problems[:SHOWN_IN_MESSAGE])
        more = "；……" if len(problems) > SHOWN_IN_MESSAGE else ""
        super().__init__(
            f"表格中有 {len(problems)} 处错误，未保存任何数据：{shown}{more}", field="file"
        )
        self.layout = layout
        self.problems = problems
        self.data = data


class Check:
    """What a list's ``check`` receives: the reading (to report on) and the comparison."""

    def __init__(self, layout: Layout, reading: Reading, diff: Diff) -> None:
        self.layout = layout
        self.reading = reading
        self.diff = diff

    def refuse(self, row: Row, column: str, reason: str) -> None:
        self.reading.problem(self.layout, row, column, reason)

    def refuse_error(self, row: Row, error: DomainError, fields: Mapping[str, str]) -> None:
        """A service's refusal, on the column of its field (or the row's first column)."""
        column = fields.get(error.field or "", "")
        if column not in self.layout.headers:
            column = self.layout.key[0] if self.layout.key else self.layout.headers[0]
        self.refuse(row, column, error.message)


def run(
    *,
    layout: Layout,
    data: bytes,
    current: Callable[[], Current],
    check: Callable[[Check], None],
    apply: Callable[[Row, Record | None], None],
    fields: Mapping[str, str],
    ignore: tuple[str, ...] = (),
    after: Callable[[Check], None] | None = None,
) -> Outcome:
    """Read, compare with ``current()``, let the list ``check``, then ``apply`` each new
    (``None``) or changed (its current record) row in one durable transaction."""
    reading = roundtrip.read(layout, data)
    if reading.problems and not reading.rows:
        raise SheetRefused(layout, reading.problems, data)
    diff = roundtrip.compare(layout, reading.rows, current(), ignore=ignore)
    verdict = Check(layout, reading, diff)
    check(verdict)
    if reading.problems:
        raise SheetRefused(layout, roundtrip.in_sheet_order(reading.problems), data)
    if diff.empty:
        return Outcome(0, 0, diff.unchanged)
    _apply(layout, verdict, apply, fields, data, after)
    return Outcome(len(diff.new), len(diff.changed), diff.unchanged)


@transaction.atomic(durable=True)
def _apply(
    layout: Layout,
    verdict: Check,
    apply: Callable[[Row, Record | None], None],
    fields: Mapping[str, str],
    data: bytes,
    after: Callable[[Check], None] | None,
) -> None:
    work: list[tuple[Row, Record | None]] = [(r, None) for r in verdict.diff.new]
    work += verdict.diff.changed
    work.sort(key=lambda item: item[0].number)
    for row, before in work:
        try:
            with transaction.atomic():
                apply(row, before)
        except DomainError as err:
            verdict.refuse_error(row, err, fields)
    if after is not None and not verdict.reading.problems:
        after(verdict)  # a list saved as one version: rows checked above, written here
    if verdict.reading.problems:
        # Raised inside the transaction: everything written above is rolled back.
        raise SheetRefused(layout, roundtrip.in_sheet_order(verdict.reading.problems), data)
