"""The cockpit: figures by agency, drill-downs, scope, XLSX, and a constant number of queries."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from sanxiang.accounts.models import Role
from sanxiang.cases.models import Case, CaseMember
from sanxiang.cases.testing import make_matter, open_test_case
from sanxiang.directory.models import Agency, AgencyLevel, CertificateStatus, Officer
from sanxiang.lib.errors import DomainError
from sanxiang.supervision import queries
from sanxiang.testing import WorldTestCase, a_day, credit_code, make_user, signed_in


def supervise(w: Any, agency: Agency) -> None:
    Agency.objects.filter(pk=agency.pk).update(supervised_by=w.justice)


def second_district() -> tuple[Agency, Any]:
    """Another district: its own justice bureau, supervising its own agency, and a supervisor."""
    gov = Agency.objects.create(name="乙区人民政府", level=AgencyLevel.GOVERNMENT)
    justice = Agency.objects.create(name="乙区司法局", level=AgencyLevel.JUSTICE, parent=gov)
    agency = Agency.objects.create(
        name="乙区交通运输局",
        level=AgencyLevel.DEPARTMENT,
        parent=gov,
        credit_code=credit_code(77),
        supervised_by=justice,
        area="乙区",
    )
    return agency, make_user("sup2", Role.SUPERVISOR, justice)


class CockpitScopeTest(WorldTestCase):
    def test_the_supervisor_sees_every_agency_the_justice_bureau_supervises(self) -> None:
        supervise(self.w, self.w.other_agency)
        bodies = queries.cockpit_bodies(self.w.supervisor)
        assert [b.pk for b in bodies] == [self.w.agency.pk, self.w.other_agency.pk]

    def test_a_head_sees_only_their_own_agency(self) -> None:
        supervise(self.w, self.w.other_agency)
        assert [b.pk for b in queries.cockpit_bodies(self.w.head)] == [self.w.agency.pk]

    def test_an_officer_has_no_cockpit(self) -> None:
        with self.assertRaises(DomainError) as caught:
            queries.cockpit_bodies(self.w.officer)
        assert caught.exception.code == "forbidden"

    def test_a_supervisor_of_another_district_sees_nothing_of_this_one(self) -> None:
        agency2, sup2 = second_district()
        open_test_case(self.w)
        board = queries.cockpit(sup2, today=timezone.localdate())
        assert [a.agency.pk for a in board.agencies] == [agency2.pk]
        assert board.totals["open"] == 0
        with self.assertRaises(DomainError) as caught:
            queries.cockpit(sup2, today=timezone.localdate(), agency_id=self.w.agency.pk)
        assert caught.exception.code == "forbidden"
        assert "不在您的监督范围内" in caught.exception.message
        with self.assertRaises(DomainError):
            queries.cases_for_figure(
                sup2, figure="open", today=timezone.localdate(), agency_id=self.w.agency.pk
            )
        assert not queries.cases_for_figure(sup2, figure="open", today=timezone.localdate())


class CockpitFiguresTest(WorldTestCase):
    def test_an_overdue_case_is_red_and_drills_down_to_itself(self) -> None:
        late = open_test_case(self.w, opened_on=a_day(-100), title="超期案")
        open_test_case(self.w, title="新案")
        today = timezone.localdate()
        board = queries.cockpit(self.w.supervisor, today=today)
        row = board.agencies[0]
        assert (row.open, row.red) == (2, 1)
        red = queries.cases_for_figure(self.w.supervisor, figure="red", today=today)
        assert [c.pk for c in red] == [late.pk]

    def test_an_officer_whose_certificate_lapsed_on_a_case_team_is_counted(self) -> None:
        case = open_test_case(self.w)
        Officer.objects.filter(user=self.w.officer2).update(
            certificate_status=CertificateStatus.SUSPENDED
        )
        today = timezone.localdate()
        row = queries.cockpit(self.w.head, today=today).agencies[0]
        assert row.uncertified == 1
        assert row.certificates_expired == 1
        drill = queries.cases_for_figure(self.w.head, figure="uncertified", today=today)
        assert [c.pk for c in drill] == [case.pk]

    def test_a_case_counts_once_however_many_of_its_team_lack_a_certificate(self) -> None:
        open_test_case(self.w)
        open_test_case(self.w)
        recused = open_test_case(self.w)
        CaseMember.objects.filter(case=recused).update(recused=True)
        Officer.objects.filter(user__in=[self.w.officer, self.w.officer2]).update(
            certificate_status=CertificateStatus.SUSPENDED
        )
        row = queries.cockpit(self.w.head, today=timezone.localdate()).agencies[0]
        # Two open cases, each with two suspended officers; the third team all recused.
        assert (row.open, row.uncertified, row.expiring) == (3, 2, 0)

    def test_the_reviewer_ratio_counts_units_against_the_five_percent_rule(self) -> None:
        row = queries.cockpit(self.w.head, today=timezone.localdate()).agencies[0]
        # officer, officer2, head (officers) and the reviewer in the 法制股 unit.
        assert (row.officers, row.reviewers) == (3, 1)
        assert row.ratio.meets_rule

    def test_an_unknown_figure_is_refused(self) -> None:
        with self.assertRaises(DomainError) as caught:
            queries.cases_for_figure(self.w.head, figure="everything", today=a_day())
        assert caught.exception.code == "validation_error"


class CockpitQueryCountTest(TestCase):
    def test_the_cockpit_does_not_grow_its_queries_with_agencies_or_cases(self) -> None:
        from sanxiang.testing import World

        w = World.build()
        today = timezone.localdate()

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                queries.cockpit(w.supervisor, today=today)
            return len(ctx)

        open_test_case(w)
        small = count()
        for n in range(3):
            agency = Agency.objects.create(
                name=f"加测局{n}",
                level=AgencyLevel.DEPARTMENT,
                parent=w.government,
                credit_code=credit_code(40 + n),
                supervised_by=w.justice,
                area="测试区",
            )
            Agency.objects.create(name=f"加测局{n}股", level=AgencyLevel.UNIT, parent=agency)
            make_matter(agency)
        for _ in range(4):
            open_test_case(w, opened_on=a_day(-95))
        assert Case.objects.count() == 5
        assert count() == small


ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


class CockpitPagesTest(WorldTestCase):
    def test_the_cockpit_page_shows_the_charts_data_and_links_to_drill_downs(self) -> None:
        open_test_case(self.w, opened_on=a_day(-100))
        page = signed_in(self.w.supervisor).get("/supervision/").content.decode()
        assert 'id="cockpit-data"' in page and "echarts.min.js" in page
        assert "?figure=red&amp;agency=" in page or "?figure=red&agency=" in page
        assert self.w.agency.name in page

    def test_the_cockpit_exports_xlsx_with_one_row_per_agency(self) -> None:
        open_test_case(self.w, opened_on=a_day(-100))
        response = signed_in(self.w.supervisor).get("/supervision/?format=xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("执法主体", "在办案件", "已超期")
        assert rows[1][:3] == (self.w.agency.name, 1, 1)

    def test_a_drill_down_lists_the_cases_and_exports_them(self) -> None:
        case = open_test_case(self.w, opened_on=a_day(-100), title="超期的案件")
        client = signed_in(self.w.supervisor)
        page = client.get("/supervision/cases/?figure=red").content.decode()
        assert "超期的案件" in page and case.number in page
        response = client.get("/supervision/cases/?figure=red&format=xlsx")
        rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
        assert rows[1][1] == case.number

    def test_the_cockpit_exports_a_pdf_with_every_agency_and_figure(self) -> None:
        import subprocess
        import tempfile

        open_test_case(self.w, opened_on=a_day(-100))
        response = signed_in(self.w.supervisor).get("/supervision/?format=pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        path = Path(tempfile.mkdtemp()) / "cockpit.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(  # noqa: S603 - poppler on our own file
            ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "supervision-cockpit.pdf").write_bytes(response.content)
        assert "执法监督驾驶舱" in text and self.w.agency.name in text
        assert "已超期 1 件" in text and "未报备" in text

    def test_officer_figures_drill_down_to_the_officers_within_scope(self) -> None:
        Officer.objects.filter(user=self.w.officer2).update(
            certificate_status=CertificateStatus.SUSPENDED
        )
        client = signed_in(self.w.supervisor)
        page = client.get("/supervision/officers/?figure=expired").content.decode()
        suspended = Officer.objects.get(user=self.w.officer2)
        assert suspended.certificate_no in page
        assert Officer.objects.get(user=self.w.officer).certificate_no not in page
        reviewers = client.get("/supervision/officers/?figure=reviewers").content.decode()
        assert Officer.objects.get(user=self.w.reviewer).certificate_no in reviewers
        assert client.get("/supervision/officers/?figure=all").status_code == 422
        outside = client.get(
            f"/supervision/officers/?figure=expired&agency={self.w.other_agency.pk}"
        )
        assert outside.status_code == 403
        _, stranger = second_district()
        foreign = signed_in(stranger).get("/supervision/officers/?figure=expired")
        assert suspended.certificate_no not in foreign.content.decode()

    def test_overdue_notices_and_filed_handbooks_show_on_the_cockpit(self) -> None:
        from sanxiang.supervision import handbook
        from sanxiang.supervision.models import Notice, NoticeStatus
        from sanxiang.supervision.notices import NoticeData, issue_notice

        case = open_test_case(self.w, title="被督办的案件")
        notice = issue_notice(
            actor=self.w.supervisor,
            data=NoticeData(
                agency_id=self.w.agency.pk,
                case_id=case.pk,
                subject="超期",
                finding="超期未决定",
                requirement="依法决定",
                due_on=a_day(1),
            ),
        )
        Notice.objects.filter(pk=notice.pk).update(due_on=a_day(-1), status=NoticeStatus.ESCALATED)
        today = timezone.localdate()
        row = queries.cockpit(self.w.supervisor, today=today).agencies[0]
        assert (row.notices, row.notices_overdue, row.handbook_version) == (1, 1, None)
        drill = queries.cases_for_figure(self.w.supervisor, figure="notices_overdue", today=today)
        assert [c.pk for c in drill] == [case.pk]
        made = handbook.compile_handbook(actor=self.w.head)
        handbook.file_handbook(actor=self.w.head, handbook_id=made.pk)
        row = queries.cockpit(self.w.supervisor, today=today).agencies[0]
        assert (row.handbook_version, row.handbook_filed) == (1, today)
        page = signed_in(self.w.supervisor).get("/supervision/").content.decode()
        assert "第1版" in page and "figure=notices_overdue" in page

    def test_bad_input_is_refused_with_a_message(self) -> None:
        client = signed_in(self.w.supervisor)
        assert client.get("/supervision/?agency=abc").status_code == 422
        outside = client.get(f"/supervision/?agency={self.w.other_agency.pk}")
        assert outside.status_code == 403
        assert "不在您的监督范围内" in outside.content.decode()
        assert client.get("/supervision/cases/?figure=nope").status_code == 422
        assert signed_in(self.w.officer).get("/supervision/").status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        response = self.client.get("/supervision/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


class DemoDistrictTest(TestCase):
    def test_the_demo_district_cockpit_shows_real_warnings_for_both_agencies(self) -> None:
        call_command("load_demo", stdout=io.StringIO())
        call_command("load_demo", stdout=io.StringIO())  # idempotent
        from sanxiang.accounts.models import User

        sun = User.objects.get(username="sun")
        board = queries.cockpit(sun, today=timezone.localdate())
        rows = {a.agency.name: a for a in board.agencies}
        assert set(rows) == {"兴隆台区民族和宗教事务局", "兴隆台区市场监督管理局"}
        market = rows["兴隆台区市场监督管理局"]
        assert market.red >= 1 and market.unpublished_late >= 1
        assert market.uncertified == 1 and market.certificates_expiring >= 1
        assert market.av_missing == 1 and not market.ratio.meets_rule
        religion = rows["兴隆台区民族和宗教事务局"]
        assert religion.red >= 1 and religion.major_total >= 1
        assert Case.objects.filter(agency=market.agency).count() == 6
        assert Officer.objects.get(user__username="niu").certificate_expires <= (
            timezone.localdate() + timedelta(days=30)
        )
        # The demo's closed files are scored, each deduction with its reason and rule.
        from sanxiang.supervision.models import FileReview, Notice

        scored = FileReview.objects.filter(agency=market.agency)
        assert scored.count() == 2 and market.reviewed == 2
        assert all(r.reasons for r in scored)
        late_delivery = scored.get(case__title="某食品店销售超过保质期食品案")
        assert late_delivery.veto_failed and any("送达" in r for r in late_delivery.reasons)
        advert = scored.get(case__title="某广告公司发布虚假广告案")
        assert not advert.veto_failed  # documents issued, evidence uploaded, in order
        notice = Notice.objects.get(agency=market.agency)
        assert notice.case is not None and notice.case.title == "某超市销售超过保质期食品案"
        assert market.notices == 1
        from sanxiang.supervision.rollout import self_check

        assert self_check(market.agency, today=timezone.localdate())["training"]["people"] == 3
