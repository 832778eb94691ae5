from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO, StringIO
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.directory.models import Officer
from sanxiang.disclosure import report_facts, services
from sanxiang.disclosure.models import AnnualReport, Publication
from sanxiang.disclosure.report import Tables, tables_for
from sanxiang.lib.errors import DomainError
from sanxiang.testing import signed_in

from .helpers import DisclosureTestCase, decided_case

SHANGHAI = ZoneInfo("Asia/Shanghai")


HEARING_PATH = ["investigation", "case_review", "notice", "hearing", "decision"]


class TheTables(DisclosureTestCase):
    tables: Tables
    several: Case

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        decided_case(w, kind="fine", fine="5000.00")
        decided_case(w, kind="fine", fine="1000.00", confiscation="2000.00")
        decided_case(w, kind="warning", fine=None)
        decided_case(w, kind="criticism", fine=None)
        decided_case(w, kind="suspension", fine="3000.00")
        decided_case(w, kind="licence_suspension", fine=None)
        decided_case(w, kind="licence_revocation", fine=None, path=HEARING_PATH)
        # 罚款 并处 吊销许可证件 and 责令关闭: once, under 责令关闭 (the heaviest in 第9条).
        cls.several = decided_case(
            w, kind="fine", fine="500.00", additional_kinds=("licence_revocation", "closure")
        )
        decided_case(w, procedure="penalty_summary", kind="fine", fine="100.00")
        for kind in ("licence_grant", "licence_refusal", "licence_annulment", "licence_withdrawal"):
            decided_case(w, procedure="licence", kind=kind)
        for kind in ("seal", "detain", "freeze"):
            decided_case(w, procedure="coercion", kind=kind, fine=None)
        decided_case(w, kind="no_penalty", fine=None)
        decided_case(w, kind="other", fine=None)
        today = timezone.localdate()
        for kind, outcome in (
            ("enforcement", ""),
            ("court_enforcement", ""),
            ("court_enforcement", ""),
            ("judicial_transfer", ""),
            ("rectification", ""),
            ("reconsideration", "upheld"),
            ("reconsideration", "revoked"),
            ("litigation", "pending"),
        ):
            report_facts.record_fact(
                actor=w.officer,
                agency_id=w.agency.pk,
                case_number=cls.several.number,
                kind=kind,
                outcome=outcome,
                occurred_on=today,
            )
        cls.tables = tables_for(agency_id=w.agency.pk, year=today.year)

    def rows(self, key):
        return {r[0]: r[1:] if len(r) > 2 else r[1] for r in self.tables.by_key(key).rows}

    def test_the_tables_follow_the_national_pattern(self):
        keys = [t.key for t in self.tables.tables]
        assert keys == [
            "licence",
            "penalty",
            "coercion",
            "levy",
            "requisition",
            "inspection",
            "oversight",
        ]

    def test_every_kind_of_article_9_is_counted_apart_in_the_statutes_order(self):
        rows = self.rows("penalty")
        labels = list(rows)[:12]
        assert labels[:4] == ["警告", "通报批评", "罚款", "没收违法所得、没收非法财物"]
        assert labels.index("暂扣许可证件") < labels.index("吊销许可证件")
        assert rows["警告"][0] == 1 and rows["通报批评"][0] == 1
        assert rows["暂扣许可证件"][0] == 1 and rows["吊销许可证件"][0] == 1

    def test_a_case_with_several_kinds_counts_once_under_its_heaviest(self):
        rows = self.rows("penalty")
        assert rows["责令关闭"][0] == 1  # 罚款 + 吊销 + 责令关闭
        assert rows["没收违法所得、没收非法财物"][0] == 1  # fine + confiscation by amount
        assert rows["责令停产停业"][0] == 1
        assert rows["合计（件）"][0] == 9

    def test_the_summary_and_ordinary_procedures_are_split(self):
        rows = self.rows("penalty")
        assert rows["罚款"] == [2, 1, 1]
        assert rows["合计（件）"] == [9, 1, 8]

    def test_a_draft_of_kind_other_is_never_counted_as_no_penalty(self):
        rows = self.rows("penalty")
        assert rows["不予行政处罚（件）"][0] == 1
        assert rows["其他处理决定（件，不计入上列）"][0] == 1

    def test_money_is_a_number_summed_from_the_decision_drafts(self):
        money = self.rows("penalty")["罚没金额（元）"][0]
        assert money == Decimal("11600.00") and isinstance(money, Decimal)

    def test_licences_are_counted_with_annulment_and_withdrawal_apart(self):
        rows = self.rows("licence")
        assert rows["申请（件）"] == 4 and rows["受理（件）"] == 4
        assert rows["准予许可（件）"] == 1 and rows["不予许可（件）"] == 1
        assert rows["撤销许可（件）"] == 1 and rows["撤回许可（件）"] == 1

    def test_coercion_counts_each_measure_and_both_kinds_of_enforcement(self):
        rows = self.rows("coercion")
        assert rows["行政强制措施：查封场所、设施或者财物"] == 1
        assert rows["行政强制措施：扣押财物"] == 1 and rows["行政强制措施：冻结存款、汇款"] == 1
        assert rows["行政强制措施合计（件）"] == 3 and rows["行政强制措施：其他"] == 0
        assert rows["行政强制执行（本机关执行，件）"] == 1
        assert rows["申请人民法院强制执行（件）"] == 2

    def test_hearings_reviews_transfers_and_remedies_are_counted(self):
        rows = self.rows("oversight")
        assert rows["听证（件）"] == 1
        assert rows["法制审核：同意（次）"] >= 2  # the 吊销 and the 关闭 decisions are major
        assert rows["法制审核：审核轮次（次）"] == (
            rows["法制审核：同意（次）"] + rows["法制审核：退回修改（次）"]
        )
        assert rows["移送司法机关（件）"] == 1
        assert rows["行政复议（件）"] == 2
        assert rows["行政复议：维持或驳回请求"] == 1 and rows["行政复议：撤销"] == 1
        assert rows["行政诉讼：尚未审结"] == 1
        assert self.rows("inspection")["责令整改（件）"] == 1

    def test_officers_reviewers_and_the_certification_rate(self):
        rows = self.rows("oversight")
        assert rows["执法人员（人）"] == 4 and rows["持有有效执法证件（人）"] == 4
        assert rows["持证率（%）"] == Decimal("100.0")
        assert rows["法制审核人员（人）"] == 1
        assert rows["法制审核人员占执法人员比例（%，不少于5%）"] == Decimal("25.0")
        Officer.objects.filter(user=self.w.officer2).update(
            certificate_issued=date(1999, 1, 1), certificate_expires=date(2000, 1, 1)
        )
        year = timezone.localdate().year
        again = {
            r[0]: r[1]
            for r in tables_for(agency_id=self.w.agency.pk, year=year).by_key("oversight").rows
        }
        assert again["持有有效执法证件（人）"] == 3 and again["持证率（%）"] == Decimal("75.0")

    def test_the_publication_on_time_rate(self):
        assert self.rows("oversight")["按期公示率（%）"] == "—"
        publication = Publication.objects.filter(agency=self.w.agency).first()
        assert publication is not None
        services.publish(actor=self.w.head, publication_id=publication.pk)
        late = Publication.objects.filter(agency=self.w.agency, status="queued").first()
        assert late is not None
        Publication.objects.filter(pk=late.pk).update(due_on=date(2000, 1, 3))
        services.publish(actor=self.w.head, publication_id=late.pk)
        rows = {
            r[0]: r[1]
            for r in tables_for(agency_id=self.w.agency.pk, year=timezone.localdate().year)
            .by_key("oversight")
            .rows
        }
        assert rows["公示执法决定（件）"] == 2 and rows["按期公示（件）"] == 1
        assert rows["按期公示率（%）"] == Decimal("50.0")

    def test_the_tables_take_a_fixed_number_of_queries(self):
        with CaptureQueriesContext(connection) as first:
            tables_for(agency_id=self.w.agency.pk, year=timezone.localdate().year)
        decided_case(self.w, kind="fine", fine="10.00")
        decided_case(self.w, procedure="coercion", kind="seal", fine=None)
        with CaptureQueriesContext(connection) as second:
            tables_for(agency_id=self.w.agency.pk, year=timezone.localdate().year)
        assert len(first) == len(second) <= 16, len(second)

    def test_staff_register_a_fact_on_the_report_page(self):
        year = timezone.localdate().year
        client = signed_in(self.w.head)
        page = client.get(f"/disclosure/report/{year}/").content.decode()
        assert "登记复议、诉讼、强制执行、移送司法、整改" in page and "申请人民法院强制执行" in page
        data = {
            "f-case_number": self.several.number,
            "f-kind": "litigation",
            "f-outcome": "upheld",
            "f-occurred_on": timezone.localdate().isoformat(),
        }
        assert client.post(f"/disclosure/report/{year}/facts/", data).status_code == 302
        bad = client.post(f"/disclosure/report/{year}/facts/", {**data, "f-outcome": ""})
        assert bad.status_code == 422 and "复议、诉讼须选择结果" in bad.content.decode()
        rows = {
            r[0]: r[1]
            for r in tables_for(agency_id=self.w.agency.pk, year=year).by_key("oversight").rows
        }
        assert rows["行政诉讼：维持或驳回请求"] == 1

    def test_another_agency_has_empty_tables(self):
        other = tables_for(agency_id=self.w.other_agency.pk, year=timezone.localdate().year)
        assert {r[0]: r[1] for r in other.by_key("penalty").rows}["合计（件）"] == 0

    def test_facts_are_checked_before_they_count(self):
        w = self.w
        base: dict[str, Any] = {
            "actor": w.officer,
            "agency_id": w.agency.pk,
            "occurred_on": timezone.localdate(),
        }
        cases: tuple[tuple[dict[str, Any], str], ...] = (
            ({"case_number": self.several.number, "kind": "reconsideration"}, "outcome"),
            (
                {"case_number": self.several.number, "kind": "enforcement", "outcome": "upheld"},
                "outcome",
            ),
            ({"case_number": "无此案", "kind": "enforcement"}, "case"),
            ({"case_number": self.several.number, "kind": "bogus"}, "kind"),
        )
        for kwargs, field in cases:
            with pytest.raises(DomainError) as caught:
                report_facts.record_fact(**base, **kwargs)
            assert caught.value.field == field, kwargs
        with pytest.raises(DomainError) as caught:
            report_facts.record_fact(
                **{**base, "actor": w.other_officer},
                case_number=self.several.number,
                kind="enforcement",
            )
        assert caught.value.code == "not_found"


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
        assert "行政处罚" in book.sheetnames and len(book.sheetnames) == 8
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_report_pages_show_every_table(browser, live_server):
    import os
    from pathlib import Path

    from sanxiang.testing import World, sign_in_page

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    artifacts = Path(__file__).resolve().parents[3] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    world = World.build()
    case = decided_case(world, kind="fine", fine="800.00", additional_kinds=("closure",))
    decided_case(world, procedure="coercion", kind="detain", fine=None)
    year = timezone.localdate().year
    report_facts.record_fact(
        actor=world.officer,
        agency_id=world.agency.pk,
        case_number=case.number,
        kind="court_enforcement",
        occurred_on=timezone.localdate(),
    )
    AnnualReport.objects.create(
        agency=world.agency, year=year, narrative="全年依法行政。", published_at=timezone.now()
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/gongshi/nianbao/{world.agency.pk}/{year}/")
    page.get_by_role("heading", name="表7 执法监督").wait_for()
    assert "责令关闭" in page.content() and "申请人民法院强制执行" in page.content()
    page.screenshot(path=str(artifacts / "portal-report.png"), full_page=True)
    staff = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in_page(staff, live_server.url, world.head)
    staff.goto(f"{live_server.url}/disclosure/report/{year}/")
    staff.get_by_role("heading", name="登记复议、诉讼、强制执行、移送司法、整改").wait_for()
    staff.screenshot(path=str(artifacts / "staff-report.png"), full_page=True)
