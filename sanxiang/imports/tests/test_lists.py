"""Every list that exports re-imports its own export as 没有变更, applies an edited one as a new
version from the sheet's date, and refuses bad input whole (nothing saved, every cell named)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from sanxiang.cases.benchmark_sheet import export_benchmarks, import_benchmarks
from sanxiang.cases.models import DiscretionBenchmark
from sanxiang.cases.services import BenchmarkData, save_benchmark
from sanxiang.catalog import calendar_sheet, sheets
from sanxiang.catalog.models import CalendarDay, CalendarYear, MatterVersion
from sanxiang.catalog.services import MatterContent, create_matter, record_calendar_year
from sanxiang.directory import sheets as officer_sheets
from sanxiang.directory.models import REGISTER_FIELDS, Officer
from sanxiang.directory.services import OfficerData, update_officer
from sanxiang.imports import engine
from sanxiang.imports.engine import SheetRefused
from sanxiang.ledger.models import Entry
from sanxiang.lib import roundtrip as rt
from sanxiang.lib.errors import DomainError
from sanxiang.records import av_sheet
from sanxiang.records.models import AvRequirement
from sanxiang.records.services import AvRequirementData, add_av_requirement
from sanxiang.review import catalogue_sheet
from sanxiang.review.models import CatalogueVersion
from sanxiang.review.services import CatalogueData, publish_catalogue
from sanxiang.testing import WorldTestCase, signed_in

SINCE = date(2025, 1, 1)
LATER = date(2026, 7, 1)


def build_lists(w: Any) -> None:
    content = MatterContent(
        category="penalty",
        name="对为违法宗教活动提供条件的处罚",
        handling_unit="宗教事务股",
        legal_basis=[{"law": "宗教事务条例", "article": "第七十一条", "text": "……"}],
        time_limit=90,
    )
    version = create_matter(
        actor=w.admin, agency_id=w.agency.pk, code="CF-001", content=content, valid_from=SINCE
    )
    save_benchmark(
        actor=w.admin,
        matter_id=version.matter_id,
        data=BenchmarkData("minor", "首次、情节轻微", "0", "2000", first_offence_exempt=True),
        valid_from=SINCE,
    )
    # The first officer's entry, as registered from SINCE (the register keeps versions).
    first = Officer.objects.filter(agency_id__in=_scope(w)).order_by("agency_id", "pk").first()
    assert first is not None
    update_officer(
        actor=w.admin,
        officer_id=first.pk,
        data=OfficerData(**{f: getattr(first, f) for f in REGISTER_FIELDS}),
        valid_from=SINCE,
    )
    publish_catalogue(actor=w.admin, agency_id=w.agency.pk, data=CatalogueData(), valid_from=SINCE)
    add_av_requirement(
        actor=w.admin,
        agency_id=w.agency.pk,
        data=AvRequirementData("penalty", "investigation", "required", "现场检查", SINCE),
    )
    record_calendar_year(
        actor=w.admin,
        year=2027,
        source="国办发明电〔2026〕1号",
        days={date(2027, 1, 1): False, date(2027, 2, 6): True},
        notes={date(2027, 1, 1): "元旦", date(2027, 2, 6): "春节调休"},
    )


@dataclass(frozen=True)
class Sheet:
    name: str
    export: Callable[[Any], bytes]
    run: Callable[[Any, bytes], engine.Outcome]
    # An edit of the first data row: the column and its new value, and the date column (if any)
    edit: tuple[str, Any]
    dated: str | None
    # After the edit is applied: the list's newest state as (value, its date or None)
    newest: Callable[[Any], tuple[Any, date | None]]


def _matter(w: Any) -> tuple[Any, date | None]:
    v = MatterVersion.objects.get(matter__code="CF-001", valid_to__isnull=True)
    return (v.name, v.number), v.valid_from


def _benchmark(w: Any) -> tuple[Any, date | None]:
    line = DiscretionBenchmark.objects.get(matter__code="CF-001")
    return (line.fine_max, line.version), line.valid_from


def _catalogue(w: Any) -> tuple[Any, date | None]:
    v = CatalogueVersion.objects.get(agency=w.agency, valid_to__isnull=True)
    return (v.fine_natural, v.number), v.valid_from


def _av(w: Any) -> tuple[Any, date | None]:
    line = AvRequirement.objects.get(agency=w.agency, valid_to__isnull=True)
    old = AvRequirement.objects.get(agency=w.agency, valid_to__isnull=False)
    return (line.level, old.valid_to), line.valid_from


def _calendar(w: Any) -> tuple[Any, date | None]:
    return CalendarDay.objects.get(day=date(2027, 1, 1)).note, None


def _officer(w: Any) -> tuple[Any, date | None]:
    officer = Officer.objects.order_by("agency_id", "pk").filter(agency_id__in=_scope(w)).first()
    assert officer is not None
    return (officer.area, officer.version), officer.valid_from


def _scope(w: Any) -> set[int]:
    return {w.agency.pk, w.legal_unit.pk}


SHEETS = [
    Sheet(
        "事项清单",
        lambda w: sheets.export_matters(
            list(MatterVersion.objects.filter(matter__agency=w.agency, valid_to__isnull=True))
        ),
        lambda w, d: sheets.import_matters(actor=w.admin, agency_id=w.agency.pk, data=d),
        ("事项名称", "对为违法宗教活动提供场所的处罚"),
        "生效日期",
        _matter,
    ),
    Sheet(
        "执法人员",
        lambda w: officer_sheets.export_officers(
            list(Officer.objects.filter(agency_id__in=_scope(w)).order_by("agency_id", "pk"))
        ),
        lambda w, d: officer_sheets.import_officers(actor=w.admin, data=d, scope=_scope(w)),
        ("执法区域", "测试区全域"),
        "生效日期",
        _officer,
    ),
    Sheet(
        "裁量基准",
        lambda w: export_benchmarks(w.agency.pk),
        lambda w, d: import_benchmarks(actor=w.admin, agency_id=w.agency.pk, data=d),
        ("罚款上限（元）", 3000),
        "生效日期",
        _benchmark,
    ),
    Sheet(
        "目录清单",
        lambda w: catalogue_sheet.export_catalogue(w.agency.pk),
        lambda w, d: catalogue_sheet.import_catalogue(actor=w.admin, agency_id=w.agency.pk, data=d),
        ("标准", 20000),
        "生效日期",
        _catalogue,
    ),
    Sheet(
        "音像记录事项清单",
        lambda w: av_sheet.export_av_list(w.agency.pk),
        lambda w, d: av_sheet.import_av_list(actor=w.admin, agency_id=w.agency.pk, data=d),
        ("要求", "可以"),
        "生效日期",
        _av,
    ),
    Sheet(
        "工作日历",
        lambda w: calendar_sheet.export_calendar(),
        lambda w, d: calendar_sheet.import_calendar(actor=w.admin, data=d),
        ("说明", "元旦（新年）"),
        None,
        _calendar,
    ),
]
EXPECTED = {
    "事项清单": (("对为违法宗教活动提供场所的处罚", 2), LATER),
    # Version 1 is the entry as it stood before versions were kept, 2 the one from SINCE.
    "执法人员": (("测试区全域", 3), LATER),
    "裁量基准": ((Decimal("3000.00"), 2), LATER),
    "目录清单": ((Decimal("20000.00"), 2), LATER),
    "音像记录事项清单": (("optional", LATER), LATER),
    "工作日历": ("元旦（新年）", None),
}


def edited(data: bytes, changes: dict[str, Any], row: int = 2) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    for header, value in changes.items():
        sheet.cell(row=row, column=headers.index(header) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def reworked(data: bytes, work: Callable[[Any], object]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    work(book.worksheets[0])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _copy_first_row(sheet: Any) -> None:
    sheet.append([c.value for c in sheet[2]])


def _date_as_serial(sheet: Any, dated: str | None) -> str:
    headers = [c.value for c in sheet[1]]
    header = dated or next(h for h in headers if h in {"发证日期", "日期"})
    cell = sheet.cell(row=2, column=headers.index(header) + 1, value=46022)
    cell.number_format = "General"  # a date cell whose format was lost
    return header


class ListSheetTests(WorldTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_lists(cls.w)

    def refused(self, sheet: Sheet, data: bytes) -> list[rt.Problem]:
        entries = Entry.objects.count()
        with pytest.raises(SheetRefused) as caught:
            sheet.run(self.w, data)
        assert Entry.objects.count() == entries, sheet.name
        assert caught.value.message.startswith("表格中有")
        return caught.value.problems

    def test_every_list_reimports_its_own_export_as_nothing_to_change(self):
        for sheet in SHEETS:
            entries = Entry.objects.count()
            outcome = sheet.run(self.w, sheet.export(self.w))
            assert outcome.nothing_to_change, sheet.name
            assert outcome.unchanged >= 1 and "没有变更" in outcome.message()
            assert Entry.objects.count() == entries, sheet.name

    def test_an_edited_cell_is_applied_as_a_new_version_from_the_sheets_date(self):
        for sheet in SHEETS:
            column, value = sheet.edit
            changes = {column: value} | ({sheet.dated: LATER} if sheet.dated else {})
            outcome = sheet.run(self.w, edited(sheet.export(self.w), changes))
            assert (outcome.created, outcome.changed) == (0, 1), sheet.name
            assert sheet.newest(self.w) == EXPECTED[sheet.name], sheet.name
            # and the new export is again "nothing to change"
            assert sheet.run(self.w, sheet.export(self.w)).nothing_to_change, sheet.name

    def test_an_edit_that_keeps_the_current_date_is_refused_on_the_date_cell(self):
        for sheet in SHEETS:
            if sheet.dated is None:
                continue
            column, value = sheet.edit
            [problem] = self.refused(sheet, edited(sheet.export(self.w), {column: value}))
            assert problem.column == "生效日期" and problem.row == 2, sheet.name
            assert "须写明新" in problem.reason and "2025-01-01" in problem.reason

    def test_a_wrong_header_is_refused_and_names_the_column(self):
        for sheet in SHEETS:
            data = edited(sheet.export(self.w), {sheet.edit[0]: "随便"}, row=1)
            problems = self.refused(sheet, data)
            assert [(p.row, p.value) for p in problems] == [(1, "随便")], sheet.name
            assert f"表头应为“{sheet.edit[0]}”" in problems[0].reason

    def test_merged_cells_are_refused(self):
        def merge(s: Any) -> None:
            _copy_first_row(s)
            s.merge_cells("A2:A3")

        for sheet in SHEETS:
            problems = self.refused(sheet, reworked(sheet.export(self.w), merge))
            assert any("合并单元格（A2:A3）" in p.reason and p.cell == "A2" for p in problems)

    def test_a_formula_is_refused(self):
        for sheet in SHEETS:
            data = edited(sheet.export(self.w), {sheet.edit[0]: "=1+1"})
            problems = self.refused(sheet, data)
            assert [(p.row, p.column) for p in problems] == [(2, sheet.edit[0])], sheet.name
            assert "公式" in problems[0].reason

    def test_a_date_as_a_number_is_refused_and_a_text_date_is_read(self):
        for sheet in SHEETS:
            if sheet.name == "裁量基准":
                continue  # no date column
            book = load_workbook(io.BytesIO(sheet.export(self.w)))
            header = _date_as_serial(book.worksheets[0], sheet.dated)
            out = io.BytesIO()
            book.save(out)
            [problem] = self.refused(sheet, out.getvalue())
            assert problem.column == header and "是数字而不是日期" in problem.reason
        for sheet in SHEETS:
            if sheet.dated:
                text = edited(sheet.export(self.w), {sheet.dated: "2025年1月1日"})
                assert sheet.run(self.w, text).nothing_to_change, sheet.name

    def test_a_duplicate_key_is_refused(self):
        for sheet in SHEETS:
            problems = self.refused(sheet, reworked(sheet.export(self.w), _copy_first_row))
            assert len(problems) == 1 and "与第2行重复" in problems[0].reason, sheet.name

    def test_a_stage_is_matched_by_any_of_its_names_and_an_unknown_one_refused(self):
        av = SHEETS[4]
        data = av.export(self.w)
        assert av.run(self.w, edited(data, {"环节": "调查取证"})).nothing_to_change
        assert av.run(self.w, edited(data, {"环节": "investigation"})).nothing_to_change
        [problem] = self.refused(av, edited(data, {"环节": "喝茶"}))
        assert (problem.column, problem.value) == ("环节", "喝茶")
        # 审查 is a stage of the penalty procedures (case_review) and of 许可 (examination)
        added = av.run(self.w, edited(data, {"环节": "审查"}))
        assert added.created == 1
        assert AvRequirement.objects.filter(stage="case_review").exists()

    def test_every_bad_row_is_reported_not_just_the_first(self):
        data = sheets.export_matters(list(MatterVersion.objects.filter(valid_to__isnull=True)))
        bad = edited(data, {"事项类别": "行政罚", "法定时限": "九十", "抽查比例(%)": 120})

        def more(s: Any) -> None:
            s.append(
                [
                    "CF-002",
                    "行政处罚",
                    "",
                    "法",
                    "",
                    "",
                    "股",
                    5,
                    "工作日",
                    "",
                    "",
                    "否",
                    None,
                    "2026/13/1",
                ]
            )

        problems = self.refused(SHEETS[0], reworked(bad, more))
        assert {(p.row, p.column) for p in problems} == {
            (2, "事项类别"),
            (2, "法定时限"),
            (2, "抽查比例(%)"),
            (3, "事项名称"),
            (3, "生效日期"),
        }

    def test_a_refusal_met_while_saving_rolls_back_the_rows_already_saved(self):
        layout = calendar_sheet.LAYOUT

        def apply(row: rt.Row, before: engine.Record | None) -> None:
            CalendarDay.objects.create(day=row.values["日期"], is_working=False)
            if row.number == 3:
                raise DomainError("conflict", "该日期已被他人修改。")

        data = rt.write(
            layout,
            [{"日期": date(2030, 1, d), "安排": False, "说明": "", "依据": "x"} for d in (1, 2)],
        )
        with pytest.raises(SheetRefused) as caught:
            engine.run(
                layout=layout,
                data=data,
                current=dict,
                check=lambda verdict: None,
                apply=apply,
                fields={},
            )
        assert [(p.row, p.reason) for p in caught.value.problems] == [(3, "该日期已被他人修改。")]
        assert not CalendarDay.objects.filter(day__year=2030).exists()

    def test_ten_thousand_bad_rows_are_all_reported_and_nothing_is_saved(self):
        rows = [
            {
                "事项编码": f"N{n:05d}",
                "事项类别": "penalty",
                "事项名称": "事项",
                "法律名称": "法",
                "承办机构": "股",
                "时限单位": "working",
                "随机抽查": n % 2 == 0,
                "生效日期": LATER,
            }
            for n in range(10_000)
        ]
        problems = self.refused(SHEETS[0], rt.write(sheets.LAYOUT, rows))
        assert len(problems) == 5_000
        assert problems[0].reason == "列入随机抽查事项清单的事项须填写抽查比例。"
        assert not MatterVersion.objects.filter(matter__code__startswith="N").exists()


class ImportPageTests(WorldTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_lists(cls.w)

    def upload(self, client: Any, url: str, data: bytes) -> Any:
        file = io.BytesIO(data)
        file.name = "list.xlsx"
        return client.post(url, {"file": file}, follow=True)

    def bad_av_sheet(self) -> bytes:
        data = edited(av_sheet.export_av_list(self.w.agency.pk), {"要求": "必须"})
        return reworked(data, lambda s: _date_as_serial(s, "生效日期"))

    def test_a_refused_sheet_shows_every_problem_and_offers_the_marked_copy(self):
        client = signed_in(self.w.admin)
        response = self.upload(client, "/records/av-list/import/", self.bad_av_sheet())
        page = response.content.decode()
        assert response.redirect_chain[-1][0].startswith("/imports/")
        assert "表格中有 <strong>2</strong> 处错误" in page and "未保存任何数据" in page
        assert "应为以下之一：应当、可以。" in page and "<code>E2</code>" in page
        copy = client.get(response.redirect_chain[-1][0] + "annotated.xlsx")
        marked = load_workbook(io.BytesIO(copy.content)).worksheets[0]
        assert marked["E2"].comment.text == "应为以下之一：应当、可以。"
        assert "是数字而不是日期" in marked["G2"].comment.text
        assert marked["F2"].comment is None

    def test_the_report_is_only_for_the_person_and_session_that_uploaded(self):
        response = self.upload(
            signed_in(self.w.admin), "/records/av-list/import/", self.bad_av_sheet()
        )
        url = response.redirect_chain[-1][0]
        assert signed_in(self.w.head).get(url).status_code == 404
        assert signed_in(self.w.officer).get(url + "annotated.xlsx").status_code == 404

    def test_an_unchanged_export_downloaded_from_each_page_says_nothing_to_change(self):
        client = signed_in(self.w.admin)
        pages = [
            ("/catalog/matters/export.xlsx", "/catalog/matters/import/"),
            ("/directory/officers/export.xlsx", "/directory/officers/import/"),
            ("/cases/benchmarks/export.xlsx", "/cases/benchmarks/import/"),
            ("/review/catalogue/export.xlsx", "/review/catalogue/import/"),
            ("/records/av-list/export.xlsx", "/records/av-list/import/"),
            ("/catalog/calendar/export.xlsx", "/catalog/calendar/import/"),
        ]
        for export, target in pages:
            data = client.get(export).content
            response = self.upload(client, target, data)
            assert "没有变更" in response.content.decode(), target

    def test_an_officer_may_export_but_not_import(self):
        client = signed_in(self.w.officer)
        data = client.get("/records/av-list/export.xlsx").content
        assert load_workbook(io.BytesIO(data)).worksheets[0]["D2"].value == "现场调查／调查取证"
        file = io.BytesIO(data)
        file.name = "x.xlsx"
        assert client.post("/records/av-list/import/", {"file": file}).status_code == 403
        assert client.post("/review/catalogue/import/", {"file": file}).status_code == 403
        assert client.get("/cases/benchmarks/export.xlsx").status_code == 403

    def test_no_file_is_answered_in_chinese(self):
        response = signed_in(self.w.admin).post("/catalog/calendar/import/", follow=True)
        assert "请选择要导入的 .xlsx 文件" in response.content.decode()
        assert CalendarYear.objects.count() == 1
