"""The shared round-trip reader: pure, no Django."""

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from sanxiang.lib import roundtrip as rt

LAYOUT = rt.Layout(
    title="测试清单",
    columns=(
        rt.Column("编码", rt.required()),
        rt.Column("名称说明", for_reference=True),
        rt.Column("金额", rt.decimal(places=2)),
        rt.Column("随机抽查", rt.yes_no, lambda v: "是" if v else "否"),
        rt.date_column("生效日期"),
    ),
    key=("编码",),
)
RECORDS = [
    {
        "编码": "A1",
        "名称说明": "甲",
        "金额": Decimal("0.10"),
        "随机抽查": True,
        "生效日期": date(2026, 1, 1),
    },
    {
        "编码": "A2",
        "名称说明": "乙",
        "金额": Decimal("12345678.90"),
        "随机抽查": False,
        "生效日期": date(2025, 3, 31),
    },
]


def sheet_of(*rows, headers=None):
    book = Workbook()
    sheet = book.active
    sheet.append(headers or LAYOUT.headers)
    for row in rows:
        sheet.append(list(row))
    return book, sheet


def saved(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_row(code="A1", amount=5, flag="是", day=date(2026, 1, 1)):
    return [code, "", amount, flag, day]


def test_an_exported_list_reads_back_as_the_same_values_and_compares_unchanged():
    reading = rt.read(LAYOUT, rt.write(LAYOUT, RECORDS))
    assert reading.problems == []
    assert [r.values["金额"] for r in reading.rows] == [Decimal("0.10"), Decimal("12345678.90")]
    current = {(r["编码"],): r for r in RECORDS}
    diff = rt.compare(LAYOUT, reading.rows, current)
    assert diff.empty and diff.unchanged == 2


def test_a_changed_cell_makes_its_row_changed_and_a_new_key_a_new_row():
    book, _ = sheet_of(good_row("A1", amount="0.2"), good_row("A9"))
    reading = rt.read(LAYOUT, saved(book))
    diff = rt.compare(LAYOUT, reading.rows, {(r["编码"],): r for r in RECORDS})
    assert [row.values["编码"] for row, _ in diff.changed] == ["A1"]
    assert [row.values["编码"] for row in diff.new] == ["A9"]


def test_a_date_alone_does_not_make_a_row_changed_when_the_list_ignores_it():
    book, _ = sheet_of(["A1", "", "0.10", "是", date(2027, 1, 1)])
    reading = rt.read(LAYOUT, saved(book))
    diff = rt.compare(LAYOUT, reading.rows, {("A1",): RECORDS[0]}, ignore=("生效日期",))
    assert diff.empty


def test_every_bad_cell_is_reported_at_once_with_row_column_value_and_reason():
    book, _ = sheet_of(
        good_row("A1", amount="十元"), good_row("", flag="也许"), good_row("A3", day="明天")
    )
    problems = rt.read(LAYOUT, saved(book)).problems
    found = {(p.row, p.column, p.value) for p in problems}
    assert found == {
        (2, "金额", "十元"),
        (3, "编码", ""),
        (3, "随机抽查", "也许"),
        (4, "生效日期", "明天"),
    }
    assert all(p.reason for p in problems)
    assert problems[0].sentence() == "第2行“金额”列（十元）：应为数字。"


def test_wrong_headers_are_each_named_and_no_row_is_read():
    headers = ["编码", "名称", "金额", "生效日期", "备注"]
    book, _ = sheet_of(good_row(), headers=headers)
    reading = rt.read(LAYOUT, saved(book))
    assert reading.rows == []
    reasons = {p.column_number: p.reason for p in reading.problems}
    assert set(reasons) == {2, 4, 5}
    assert "表头应为“名称说明”" in reasons[2]
    assert "第4列应为“随机抽查”" not in reasons[4] and "应为“随机抽查”" in reasons[4]
    assert all(p.row == 1 for p in reading.problems)


def test_a_merged_range_is_reported_at_its_first_cell_and_its_cells_are_not_read():
    book, sheet = sheet_of(good_row("A1"), good_row("A2"))
    sheet.merge_cells("C2:C3")
    problems = rt.read(LAYOUT, saved(book)).problems
    assert [(p.row, p.column, p.cell) for p in problems] == [(2, "金额", "C2")]
    assert "合并单元格（C2:C3）" in problems[0].reason


def test_a_formula_is_refused_even_when_its_value_would_be_right():
    book, sheet = sheet_of(good_row("A1"), good_row("A2"))
    sheet["C3"] = "=C2*2"
    problems = rt.read(LAYOUT, saved(book)).problems
    assert [(p.row, p.column, p.cell) for p in problems] == [(3, "金额", "C3")]
    assert "公式" in problems[0].reason


def test_text_dates_in_year_month_day_order_are_read_and_others_refused():
    assert (
        rt.day("2026-01-31") == rt.day("2026/1/31") == rt.day("2026年1月31日") == date(2026, 1, 31)
    )
    book, _ = sheet_of(good_row("A1", day="12/03/2026"), good_row("A2", day="2026-02-30"))
    reasons = [p.reason for p in rt.read(LAYOUT, saved(book)).problems]
    assert reasons == [
        "不是日期：请写成 2026-01-31（年-月-日）。",
        "日期不存在（请检查月份和日）。",
    ]


def test_a_date_as_a_number_is_refused_and_names_the_date_it_would_be():
    book, _ = sheet_of(good_row("A1", day=46022))
    [problem] = rt.read(LAYOUT, saved(book)).problems
    assert problem.column == "生效日期" and problem.value == "46022"
    assert "是数字而不是日期" in problem.reason and "2025-12-31" in problem.reason


def test_a_duplicate_key_names_the_first_row():
    book, _ = sheet_of(good_row("A1"), good_row("A2"), good_row("A1", amount=9))
    reading = rt.read(LAYOUT, saved(book))
    [problem] = reading.problems
    assert (problem.row, problem.column, problem.value) == (4, "编码", "A1")
    assert "与第2行重复" in problem.reason
    assert [r.values["编码"] for r in reading.rows] == ["A1", "A2"]


def test_blank_rows_are_skipped_and_a_sheet_over_the_limit_is_refused():
    small = rt.Layout(title="t", columns=LAYOUT.columns, key=LAYOUT.key, max_rows=3)
    book, sheet = sheet_of(good_row("A1"), [None] * 5, good_row("A2"))
    assert [r.number for r in rt.read(small, saved(book)).rows] == [2, 4]
    for n in range(3, 6):
        sheet.append(good_row(f"A{n}"))
    problems = rt.read(small, saved(book)).problems
    assert len(problems) == 1 and "超过3行" in problems[0].reason


def test_a_file_that_is_not_xlsx_is_one_clear_problem():
    [problem] = rt.read(LAYOUT, b"code,name\nA1,x\n").problems
    assert problem.row is None and ".xlsx" in problem.reason
    copy = load_workbook(io.BytesIO(rt.annotate(b"code", [problem])))
    assert copy["错误清单"]["E2"].value == problem.reason


def test_the_annotated_copy_marks_each_bad_cell_with_its_reason():
    book, sheet = sheet_of(good_row("A1", amount="十元"), good_row("A2"), good_row("A1"))
    sheet.merge_cells("E3:E4")
    data = saved(book)
    problems = rt.read(LAYOUT, data).problems
    copy = load_workbook(io.BytesIO(rt.annotate(data, problems)))
    marked = copy.worksheets[0]
    assert marked["C2"].comment.text == "应为数字。"
    assert marked["C2"].fill.start_color.rgb == "FFFFC7CE"
    assert "合并单元格" in marked["E3"].comment.text
    assert marked["B2"].comment is None and marked["C3"].comment is None
    listing = [[c.value for c in row] for row in copy["错误清单"].iter_rows(min_row=2)]
    assert [row[:3] for row in listing] == [
        [2, "金额", "C2"],
        [3, "生效日期", "E3"],
        [4, "编码", "A4"],
    ]


def test_ten_thousand_rows_are_read_and_every_bad_one_reported():
    book, sheet = sheet_of()
    for n in range(10_000):
        sheet.append(good_row(f"K{n:05d}", amount="x" if n % 1000 == 0 else n))
    reading = rt.read(LAYOUT, saved(book))
    assert len(reading.rows) == 9_990 and len(reading.problems) == 10
