from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.review import checklist, queries, services
from sanxiang.review.models import ReviewRound, RoundStatus
from sanxiang.testing import signed_in

from .helpers import MATERIALS, ReviewTestCase, assigned, case_at_defence, passed, submitted


def review_post(agree: str = "yes", **overrides: str) -> dict[str, str]:
    data = {f"{c}_passed": "yes" for c in checklist.CODES}
    data |= {"agree": agree, "opinion": "事实清楚，同意。", "required_changes": ""}
    return data | overrides


class BrowserPages(ReviewTestCase):
    def test_the_browser_refuses_the_decision_without_a_passing_review(self):
        case = case_at_defence(self.w)
        response = signed_in(self.w.head).post(
            reverse("cases:transition", args=[case.pk]),
            {"target": "decision", "expected_stage": "defence"},
        )
        assert response.status_code == 409
        assert "legal_review_required" in response.content.decode()
        assert "尚未提交法制审核" in response.content.decode()
        assert Case.objects.get(pk=case.pk).stage == "defence"

    def test_the_browser_decides_after_a_passing_review(self):
        case = case_at_defence(self.w)
        passed(self.w, case)
        response = signed_in(self.w.head).post(
            reverse("cases:transition", args=[case.pk]),
            {"target": "decision", "expected_stage": "defence"},
        )
        assert response.status_code == 302
        assert Case.objects.get(pk=case.pk).stage == "decision"

    def test_anonymous_visitors_are_sent_to_the_login_page(self):
        case = case_at_defence(self.w)
        for url in (reverse("review:queue"), reverse("review:history", args=[case.pk])):
            response = Client().get(url)
            assert response.status_code == 302
            assert "/accounts/login/" in response["Location"]

    def test_another_agency_cannot_see_the_review(self):
        case = case_at_defence(self.w)
        round_ = submitted(self.w, case)
        client = signed_in(self.w.other_officer)
        assert client.get(reverse("review:history", args=[case.pk])).status_code == 404
        assert client.get(reverse("review:round", args=[round_.pk])).status_code == 404

    def test_the_unit_submits_through_the_page_and_missing_materials_are_named(self):
        case = case_at_defence(self.w)
        client = signed_in(self.w.officer)
        url = reverse("review:submit", args=[case.pk])
        response = client.post(url, {"case_file": "卷宗"})
        assert response.status_code == 422
        assert "证据清单" in response.content.decode()
        response = client.post(url, MATERIALS)
        assert response.status_code == 302
        assert ReviewRound.objects.filter(review__case=case).count() == 1

    def test_a_reviewer_cannot_submit_for_the_unit(self):
        case = case_at_defence(self.w)
        response = signed_in(self.w.reviewer).post(
            reverse("review:submit", args=[case.pk]), MATERIALS
        )
        assert response.status_code == 403

    def test_the_review_form_refuses_a_failed_point_without_a_reason(self):
        round_ = assigned(self.w, case_at_defence(self.w))
        client = signed_in(self.w.reviewer)
        page = client.get(reverse("review:round", args=[round_.pk]))
        assert "出具审核意见" in page.content.decode()
        response = client.post(
            reverse("review:round_review", args=[round_.pk]),
            review_post(agree="no", facts_passed="no", required_changes="补证"),
        )
        assert response.status_code == 422
        assert "须写明存在的问题" in response.content.decode()
        round_.refresh_from_db()
        assert round_.status == RoundStatus.ASSIGNED

    def test_the_reviewer_agrees_through_the_form_and_gets_the_pdf(self):
        round_ = assigned(self.w, case_at_defence(self.w))
        client = signed_in(self.w.reviewer)
        response = client.post(reverse("review:round_review", args=[round_.pk]), review_post())
        assert response.status_code == 302
        pdf = client.get(reverse("review:round_pdf", args=[round_.pk]))
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")

    def test_the_head_assigns_through_the_page_and_a_team_member_reviewer_is_refused(self):
        case = case_at_defence(self.w)
        round_ = submitted(self.w, case)
        client = signed_in(self.w.head)
        url = reverse("review:round_assign", args=[round_.pk])
        response = client.post(url, {"reviewer": self.w.reviewer.officer.pk})
        assert response.status_code == 302
        assert (
            signed_in(self.w.officer)
            .post(url, {"reviewer": self.w.reviewer.officer.pk})
            .status_code
            == 403
        )

    def test_the_queue_shows_deadlines_and_the_head_sees_ratio_and_loads(self):
        case = case_at_defence(self.w)
        assigned(self.w, case)
        page = signed_in(self.w.head).get(reverse("review:queue")).content.decode()
        assert case.number in page
        assert "法制审核人员占执法人员比例" in page
        assert "审核人员工作量" in page
        mine = signed_in(self.w.reviewer).get(reverse("review:queue")).content.decode()
        assert case.number in mine
        assert "审核人员工作量" not in mine

    def test_the_workbench_panel_lists_the_reviewers_pending_reviews(self):
        case = case_at_defence(self.w)
        assigned(self.w, case)
        page = signed_in(self.w.reviewer).get(reverse("workbench:home")).content.decode()
        assert "我的待审核事项" in page
        assert case.number in page
        assert "我的待审核事项" not in signed_in(self.w.officer).get("/").content.decode()

    def test_the_history_page_shows_rounds_and_the_diff(self):
        case = case_at_defence(self.w)
        round_ = assigned(self.w, case)
        services.review(
            actor=self.w.reviewer,
            round_id=round_.pk,
            marks=[
                checklist.Mark(c, c != "basis", "依据条款不准确" if c == "basis" else "")
                for c in checklist.CODES
            ],
            agree=False,
            opinion_text="依据有误",
            required_changes="改正法律依据",
        )
        from .helpers import draft

        draft(self.w, case, "150000", legal_basis="《宗教事务条例》第七十一条第一款")
        services.resubmit(
            actor=self.w.officer, case_id=case.pk, materials=MATERIALS, response="已改正"
        )
        page = (
            signed_in(self.w.officer)
            .get(reverse("review:history", args=[case.pk]))
            .content.decode()
        )
        assert "第2轮" in page
        assert "第七十一条第一款" in page
        assert "依据条款不准确" in page
        assert "对单位罚款150,000.00元" in page

    def test_the_head_records_a_discussion_and_flags_through_the_page(self):
        case = case_at_defence(self.w, "5000")
        client = signed_in(self.w.head)
        response = client.post(
            reverse("review:flag", args=[case.pk]), {"reason": "complex", "note": "案情复杂"}
        )
        assert response.status_code == 302
        assert queries.major_reasons(case)
        submitted(self.w, case)
        response = client.post(
            reverse("review:discussion", args=[case.pk]),
            {
                # on or after the day the case was opened (a discussion cannot precede it)
                "held_on": timezone.localdate().isoformat(),
                "attendees": "head、officer、reviewer",
                "outcome": "revise",
                "minutes": "退回修改",
            },
        )
        assert response.status_code == 302
        assert "退回修改" in client.get(reverse("review:history", args=[case.pk])).content.decode()

    def test_the_supervisor_reads_but_cannot_flag(self):
        case = case_at_defence(self.w)
        client = signed_in(self.w.supervisor)
        assert client.get(reverse("review:history", args=[case.pk])).status_code == 200
        response = client.post(
            reverse("review:flag", args=[case.pk]), {"reason": "complex", "note": "x"}
        )
        assert response.status_code == 403


class CataloguePages(ReviewTestCase):
    def test_the_admin_publishes_and_a_negative_threshold_is_shown_as_an_error(self):
        client = signed_in(self.w.admin)
        data: dict[str, Any] = {
            "fine_natural": "-5",
            "fine_organisation": "100000",
            "confiscation_value": "50000",
            "review_days": 7,
            "extension_days": 3,
            "warn_days": 2,
            "valid_from": "2026-01-01",
            "suspension": "on",
        }
        response = client.post(reverse("review:catalogue"), data)
        assert response.status_code == 422
        assert "金额不能为负数" in response.content.decode()
        response = client.post(reverse("review:catalogue"), data | {"fine_natural": "20000"})
        assert response.status_code == 302
        version = queries.catalogue_as_of(self.w.agency, date(2026, 2, 1))
        assert version is not None and version.fine_natural == 20000
        assert not version.licence_revocation

    def test_an_officer_sees_the_catalogue_but_may_not_publish(self):
        client = signed_in(self.w.officer)
        assert client.get(reverse("review:catalogue")).status_code == 200
        response = client.post(reverse("review:catalogue"), {"fine_natural": "1"})
        assert response.status_code == 403

    def test_the_public_portal_shows_the_catalogue_as_of_a_date_without_login(self):
        services.publish_catalogue(
            actor=None,
            agency_id=self.w.agency.pk,
            data=services.CatalogueData(),
            valid_from=date(2026, 1, 1),
        )
        url = reverse("review:public_catalogue", args=[self.w.agency.pk])
        page = Client().get(url, {"as_of": "2026-03-01"}).content.decode()
        assert "重大执法决定法制审核目录清单" in page
        assert "第1版" in page
        assert "尚未发布" in Client().get(url, {"as_of": "2025-03-01"}).content.decode()
        assert Client().get(url, {"as_of": "not-a-date"}).status_code == 400

    def test_the_public_partial_renders_for_the_disclosure_portal(self):
        version = services.publish_catalogue(
            actor=None,
            agency_id=self.w.agency.pk,
            data=services.CatalogueData(),
            valid_from=date(2026, 1, 1),
        )
        html = Template('{% include "review/_catalogue_public.html" %}').render(
            Context({"review_catalogue": version})
        )
        assert "不予行政许可" in html

    def test_the_case_status_partial_says_which_rule_made_it_major(self):
        case = case_at_defence(self.w)
        html = Template('{% include "review/_case_status.html" %}').render(
            Context({"review_status": queries.status_for(case)})
        )
        assert "重大执法决定" in html
        assert "对单位罚款150,000.00元" in html
        assert "尚未提交法制审核" in html

    def test_the_case_page_shows_the_status_through_the_case_panel_hook(self):
        case = case_at_defence(self.w)
        html = signed_in(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        assert 'id="h-review-status"' in html
        assert "对单位罚款150,000.00元" in html

    def test_the_queue_does_not_grow_its_queries_with_its_rows(self):
        client = signed_in(self.w.head)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries_run:
                assert client.get(reverse("review:queue")).status_code == 200
            # The idle-timeout middleware may save the session; that is not the page's doing.
            sqls = [q["sql"] for q in queries_run.captured_queries]
            return len([q for q in sqls if "django_session" not in q and "SAVEPOINT" not in q])

        for _ in range(2):
            assigned(self.w, case_at_defence(self.w))
        few = count()
        for _ in range(3):
            assigned(self.w, case_at_defence(self.w))
        assert count() == few


class EveryEndpointRefuses(ReviewTestCase):
    def urls(self) -> tuple[list[str], list[str]]:
        case = case_at_defence(self.w)
        round_ = passed(self.w, case)
        gets = [
            reverse("review:round", args=[round_.pk]),
            reverse("review:round_pdf", args=[round_.pk]),
            reverse("review:history", args=[case.pk]),
            reverse("review:submit", args=[case.pk]),
        ]
        posts = [
            reverse(name, args=[round_.pk])
            for name in (
                "review:round_review",
                "review:round_assign",
                "review:round_extend",
                "review:round_dispute",
            )
        ] + [
            reverse(name, args=[case.pk])
            for name in ("review:flag", "review:discussion", "review:submit")
        ]
        return gets, posts

    def test_anonymous_visitors_are_sent_to_login_everywhere(self):
        gets, posts = self.urls()
        for url in gets:
            assert Client().get(url).status_code == 302, url
        for url in posts:
            assert Client().post(url, {"reason": "x"}).status_code == 302, url

    def test_another_agency_finds_nothing_anywhere(self):
        gets, posts = self.urls()
        client = signed_in(self.w.other_officer)
        for url in gets:
            assert client.get(url).status_code == 404, url
        for url in posts:
            assert client.post(url, {"reason": "x", "reviewer": 1}).status_code in {404, 422}, url

    def test_wrong_roles_are_refused(self):
        case = case_at_defence(self.w)
        round_ = assigned(self.w, case)
        officer = signed_in(self.w.officer)
        assert (
            officer.post(
                reverse("review:round_extend", args=[round_.pk]), {"reason": "x"}
            ).status_code
            == 403
        )
        assert (
            officer.post(
                reverse("review:round_review", args=[round_.pk]), review_post()
            ).status_code
            == 403
        )
        head = signed_in(self.w.head)
        assert (
            head.post(
                reverse("review:round_dispute", args=[round_.pk]), {"reason": "x"}
            ).status_code
            == 403
        )
        assert (
            signed_in(self.w.reviewer)
            .post(
                reverse("review:discussion", args=[case.pk]),
                {
                    "held_on": "2026-01-05",
                    "attendees": "a、b、c",
                    "outcome": "revise",
                    "minutes": "m",
                },
            )
            .status_code
            == 403
        )
