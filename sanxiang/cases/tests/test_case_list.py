"""The case list: filters in the URL, sorting, streamed CSV/XLSX export, and bad input that is
answered in Chinese (never a 500)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, save_draft
from sanxiang.cases.testing import company, open_test_case, person
from sanxiang.testing import WorldTestCase, signed_in


def numbers(response) -> list[str]:
    html = response.content.decode()
    return [c.number for c in Case.objects.order_by("pk") if f">{c.number}</a>" in html]


class ListTestCase(WorldTestCase):
    company_case: Case
    person_case: Case
    licence_case: Case
    credit_code: str

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        w = cls.w
        cls.company_case = open_test_case(
            w, title="某公司违法案", parties=[company("某文化传播有限公司", n=7)]
        )
        save_draft(
            actor=w.officer,
            case_id=cls.company_case.pk,
            data=DraftData(kind="fine", fine_amount=Decimal("150000"), legal_basis="x", text="x"),
        )
        cls.person_case = open_test_case(
            w, title="张某违法案", parties=[person("张某")], opened_on=today - timedelta(days=95)
        )
        cls.licence_case = open_test_case(
            w,
            procedure="licence",
            title="登记申请",
            parties=[person("李四")],
            opened_on=today - timedelta(days=30),
        )
        cls.credit_code = cls.company_case.parties.get().credit_code

    def setUp(self):
        self.head = signed_in(self.w.head)

    def get(self, **params):
        return self.head.get("/cases/", params)


class CaseList(ListTestCase):
    def test_party_by_name_or_by_credit_code(self):
        assert numbers(self.get(party="文化传播")) == [self.company_case.number]
        assert numbers(self.get(party=self.credit_code.lower())) == [self.company_case.number]
        assert numbers(self.get(party="张某")) == [self.person_case.number]

    def test_officer_matter_procedure_and_stage(self):
        assert len(numbers(self.get(officer=self.w.officer2.officer.pk))) == 3
        assert numbers(self.get(officer=self.w.head.officer.pk)) == []
        assert numbers(self.get(procedure="licence")) == [self.licence_case.number]
        assert numbers(self.get(matter=self.licence_case.matter_id)) == [self.licence_case.number]
        assert numbers(self.get(stage="application")) == [self.licence_case.number]
        assert len(numbers(self.get(stage="open"))) == 3

    def test_dates_amounts_and_warnings(self):
        today = timezone.localdate()
        recent = self.get(opened_from=(today - timedelta(days=40)).isoformat())
        assert self.person_case.number not in numbers(recent) and len(numbers(recent)) == 2
        assert numbers(self.get(amount_min="100000", amount_max="200000")) == [
            self.company_case.number
        ]
        assert numbers(self.get(amount_min="200000")) == []
        # The 90-day penalty clock and the licence's 5-working-day 补正 clock have passed.
        overdue = numbers(self.get(warning="overdue"))
        assert overdue == [self.person_case.number, self.licence_case.number]

    def test_sorting_and_the_filter_state_stay_in_the_url(self):
        html = self.get(sort="opened", procedure="penalty_ordinary").content.decode()
        assert html.index(self.person_case.number) < html.index(self.company_case.number)
        # The header link flips the direction and keeps the filter.
        assert "procedure=penalty_ordinary&amp;sort=-opened" in html
        assert 'value="penalty_ordinary" selected' in html
        assert "/cases/export.csv?procedure=penalty_ordinary&amp;sort=opened" in html

    def test_dates_are_shown_in_chinese_and_typed_in_date_inputs(self):
        html = self.get().content.decode()
        today = timezone.localdate()
        assert f"{today.year}年{today.month}月{today.day}日" in html
        assert 'data-sx-date inputmode="numeric" placeholder="年-月-日"' in html
        # Typed in Chinese order, in any of the usual ways; US order is refused.
        for typed in ("2026年1月2日", "2026/1/2", "2026-01-02", "2026.1.2"):
            assert self.get(opened_from=typed).status_code == 200, typed
        assert self.get(opened_from="01/02/2026").status_code == 400

    def test_an_inverted_date_range_is_explained_not_a_500(self):
        response = self.get(opened_from="2026-12-03", opened_to="2026-01-01")
        assert response.status_code == 400
        html = response.content.decode()
        assert "立案日期的起始日（2026年12月3日）晚于截止日（2026年1月1日）" in html
        assert numbers(response) == []

    def test_an_amount_that_is_not_a_number_is_explained(self):
        response = self.get(amount_min="一万")
        assert response.status_code == 400
        assert "罚款金额下限“一万”不是数字" in response.content.decode()
        assert self.get(amount_max="1e999").status_code == 400
        assert self.get(amount_min="NaN").status_code == 400

    def test_a_bad_date_a_huge_page_and_unknown_choices_are_explained(self):
        assert "不是有效日期" in self.get(decided_to="2026-13-45").content.decode()
        huge = self.get(page="99999999999999999999")
        assert huge.status_code == 400 and "页码" in huge.content.decode()
        assert self.get(page="-1").status_code == 400
        assert self.get(officer="x").status_code == 400
        assert self.get(procedure="nope").status_code == 400
        assert self.get(stage="<script>").status_code == 400
        beyond = self.get(page="500")
        assert beyond.status_code == 200 and "第 500 页没有案件" in beyond.content.decode()

    def test_the_filtered_list_costs_the_same_queries_for_more_cases(self):
        params = {"party": "某", "warning": "any", "amount_min": "0", "sort": "amount"}
        self.get(**params)
        with CaptureQueriesContext(connection) as first:
            self.get(**params)
        for i in range(3):
            open_test_case(self.w, title=f"追加{i}", parties=[company(n=20 + i)])
        with CaptureQueriesContext(connection) as second:
            self.get(**params)
        assert len(second) == len(first)

    def test_pages_follow_one_another_with_the_filter_kept(self):
        for i in range(31):
            open_test_case(self.w, title=f"分页{i}", parties=[person("王五")])
        first = self.get(party="王五").content.decode()
        assert "第 1 页" in first and "party=%E7%8E%8B%E4%BA%94&amp;page=2" in first
        second = self.get(party="王五", page="2")
        assert len(numbers(second)) == 1 and "上一页" in second.content.decode()

    def test_another_agency_sees_none_of_ours(self):
        other = signed_in(self.w.other_officer)
        assert numbers(other.get("/cases/", {"party": "文化传播"})) == []
        rows = list(csv.reader(io.StringIO(other.get("/cases/export.csv").getvalue().decode())))
        assert len(rows) == 1  # the header only


class Export(ListTestCase):
    def test_csv_is_streamed_with_the_filter_applied(self):
        response = self.head.get("/cases/export.csv", {"procedure": "penalty_ordinary"})
        assert response.status_code == 200 and response.streaming
        assert response["Content-Type"].startswith("text/csv")
        text = response.getvalue().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:3] == ["案件编号", "案由", "执法事项"]
        by_number = {r[0]: r for r in rows[1:]}
        assert set(by_number) == {self.company_case.number, self.person_case.number}
        row = by_number[self.company_case.number]
        assert row[5] == "某文化传播有限公司" and row[6] == self.credit_code
        assert row[7] == "officer" and row[11] == "150000.00"
        assert by_number[self.person_case.number][13] == "已逾期"

    def test_xlsx_has_the_same_rows(self):
        response = self.head.get("/cases/export.xlsx", {"party": "文化传播"})
        assert response.status_code == 200 and response.streaming
        book = load_workbook(io.BytesIO(response.getvalue()), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0][0] == "案件编号"
        assert [r[0] for r in rows[1:]] == [self.company_case.number]
        assert rows[1][11] == 150000

    def test_a_cell_that_looks_like_a_formula_is_not_one(self):
        open_test_case(self.w, title="=HYPERLINK(1)")
        text = self.head.get("/cases/export.csv").getvalue().decode("utf-8-sig")
        assert "'=HYPERLINK(1)" in text

    def test_bad_filters_refuse_the_export_in_chinese(self):
        inverted = {"opened_from": "2026-12-03", "opened_to": "2026-01-01"}
        response = self.head.get("/cases/export.csv", inverted)
        assert response.status_code == 422
        assert "晚于截止日" in response.content.decode()
        assert self.head.get("/cases/export.pdf").status_code == 404

    def test_signed_out_visitors_cannot_export(self):
        from django.test import Client

        assert Client().get("/cases/export.csv").status_code == 302
