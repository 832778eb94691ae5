from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from io import BytesIO, StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sanxiang.disclosure import services
from sanxiang.disclosure.models import AnnualReport
from sanxiang.disclosure.report import Tables, tables_for
from sanxiang.lib.errors import DomainError
from sanxiang.testing import signed_in

from .helpers import DisclosureTestCase, decided_case

SHANGHAI = ZoneInfo("Asia/Shanghai")


class TheSixTables(DisclosureTestCase):
    tables: Tables

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        decided_case(cls.w, kind="fine", fine="5000.00")
        decided_case(cls.w, kind="fine", fine="1000.00", confiscation="2000.00")
        decided_case(cls.w, kind="warning", fine=None)
        decided_case(cls.w, kind="suspension", fine="3000.00")
        decided_case(cls.w, procedure="licence", kind="licence_grant")
        decided_case(cls.w, procedure="licence", kind="licence_refusal")
        decided_case(cls.w, procedure="coercion", kind="seizure", fine=None)
        decided_case(cls.w, kind="no_penalty", fine=None)
        decided_case(cls.w, kind="other", fine=None)
        cls.tables = tables_for(agency_id=cls.w.agency.pk, year=timezone.localdate().year)

    def rows(self, key):
        return {r[0]: r[1] for r in self.tables.by_key(key).rows}

    def test_there_are_six_tables_in_the_order_of_domain_md(self):
        keys = [t.key for t in self.tables.tables]
        assert keys == ["licence", "penalty", "coercion", "levy", "requisition", "inspection"]

    def test_a_case_with_several_penalties_counts_once_under_the_heaviest(self):
        rows = self.rows("penalty")
        assert rows["罚款"] == 1
        assert rows["没收违法所得、没收非法财物"] == 1  # fine + confiscation → confiscation
        assert rows["警告、通报批评"] == 1
        assert rows["限制生产经营、责令停产停业、责令关闭、限制从业"] == 1
        assert rows["合计（件）"] == 4

    def test_a_draft_of_kind_other_is_never_counted_as_no_penalty(self):
        rows = self.rows("penalty")
        assert rows["不予行政处罚（件）"] == 1
        assert rows["其他处理决定（件，不计入上列）"] == 1

    def test_money_is_summed_from_the_decision_drafts(self):
        assert self.rows("penalty")["罚没金额（元）"] == "11000.00"

    def test_licences_and_coercion_are_counted(self):
        rows = self.rows("licence")
        assert rows["申请（件）"] == 2 and rows["受理（件）"] == 2
        assert rows["准予许可（件）"] == 1 and rows["不予许可（件）"] == 1
        assert self.rows("coercion")["合计（件）"] == 1

    def test_the_tables_take_a_fixed_number_of_queries(self):
        with self.assertNumQueries(5):
            tables_for(agency_id=self.w.agency.pk, year=timezone.localdate().year)

    def test_another_agency_has_empty_tables(self):
        other = tables_for(agency_id=self.w.other_agency.pk, year=timezone.localdate().year)
        assert {r[0]: r[1] for r in other.by_key("penalty").rows}["合计（件）"] == 0


class PublishingTheReport(DisclosureTestCase):
    def test_a_report_needs_a_narrative_and_publishes_once(self):
        year = timezone.localdate().year - 1
        with pytest.raises(DomainError) as caught:
            services.publish_report(actor=self.w.head, agency_id=self.w.agency.pk, year=year)
        assert caught.value.code == "validation_error"
        services.save_report_narrative(
            actor=self.w.head, agency_id=self.w.agency.pk, year=year, narrative="全年依法行政。"
        )
        services.publish_report(actor=self.w.head, agency_id=self.w.agency.pk, year=year)
        with pytest.raises(DomainError) as caught:
            services.publish_report(actor=self.w.head, agency_id=self.w.agency.pk, year=year)
        assert caught.value.code == "conflict"

    def test_the_current_year_cannot_be_published_and_officers_cannot_publish(self):
        year = timezone.localdate().year
        with pytest.raises(DomainError):
            services.publish_report(actor=self.w.head, agency_id=self.w.agency.pk, year=year)
        with pytest.raises(DomainError) as caught:
            services.publish_report(actor=self.w.officer, agency_id=self.w.agency.pk, year=year - 1)
        assert caught.value.code == "forbidden"

    def test_the_public_report_has_charts_and_downloads(self):
        year = timezone.localdate().year - 1
        AnnualReport.objects.create(
            agency=self.w.agency, year=year, narrative="说明", published_at=timezone.now()
        )
        base = f"/gongshi/nianbao/{self.w.agency.pk}/{year}"
        page = Client().get(f"{base}/").content.decode()
        assert "echarts.min.js" in page and 'id="report-data"' in page and "<script>" not in page
        xlsx = Client().get(f"{base}.xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        from openpyxl import load_workbook

        book = load_workbook(BytesIO(xlsx.content))
        assert "行政处罚" in book.sheetnames and len(book.sheetnames) == 7
        pdf = Client().get(f"{base}.pdf")
        assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
        tool = shutil.which("pdftotext")
        if tool:  # the CJK font is embedded: the text reads back
            run = [tool, "-", "-"]
            out = subprocess.run(run, input=pdf.content, capture_output=True, check=True)  # noqa: S603
            text = out.stdout.decode()
            assert "行政处罚" in text and "年度行政执法数据年报" in text
        assert Client().get(f"{base}.doc").status_code == 404
        assert Client().get(f"/gongshi/nianbao/{self.w.agency.pk}/{year - 1}/").status_code == 404

    def test_the_staff_page_edits_the_narrative(self):
        year = timezone.localdate().year - 1
        client = signed_in(self.w.head)
        response = client.post(f"/disclosure/report/{year}/", {"narrative": "本年度共办理案件。"})
        assert response.status_code == 302
        assert client.post(f"/disclosure/report/{year}/publish/").status_code == 302
        assert AnnualReport.objects.get(agency=self.w.agency, year=year).published_at


class TheJanuaryDeadline(DisclosureTestCase):
    def status_on(self, day):
        with mock.patch("django.utils.timezone.localdate", return_value=day):
            return Client().get("/gongshi/").content.decode()

    def publish_at(self, moment):
        AnnualReport.objects.create(
            agency=self.w.agency, year=2025, narrative="x", published_at=moment
        )

    def test_a_report_published_by_31_january_is_on_time(self):
        self.publish_at(datetime(2026, 1, 31, 23, 0, tzinfo=SHANGHAI))
        assert "按时发布" in self.status_on(date(2026, 3, 1))

    def test_a_report_published_after_31_january_is_late(self):
        self.publish_at(datetime(2026, 2, 1, 9, 0, tzinfo=SHANGHAI))
        assert "逾期发布" in self.status_on(date(2026, 3, 1))

    def test_no_report_after_the_deadline_is_missing_and_before_it_pending(self):
        assert "逾期未发布" in self.status_on(date(2026, 3, 1))
        assert "应于2026年1月31日前发布" in self.status_on(date(2026, 1, 10))

    def test_the_reminder_runs_in_january(self):
        out = StringIO()
        with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 1, 5)):
            call_command("disclosure_report_reminder", stdout=out)
        assert "2025年度年报" in out.getvalue()


class AcceptanceIsCountedFromTheLedger(DisclosureTestCase):
    def test_an_application_set_to_acceptance_behind_the_application_is_not_counted(self):
        from sanxiang.cases.models import Case
        from sanxiang.cases.testing import open_test_case

        accepted = decided_case(self.w, procedure="licence", kind="licence_grant")
        decided_case(self.w, procedure="licence", kind="licence_refusal")
        bare = open_test_case(self.w, procedure="licence", matter=accepted.matter)
        # 受理 is a legal fact the ledger records; a stage set by hand is not one.
        Case.objects.filter(pk=bare.pk).update(stage="acceptance")
        tables = tables_for(agency_id=self.w.agency.pk, year=timezone.localdate().year)
        rows = {r[0]: r[1] for r in tables.by_key("licence").rows}
        assert rows["申请（件）"] == 3
        assert rows["受理（件）"] == 2
