from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sanxiang.cases.models import Case, Deadline, Recusal
from sanxiang.cases.testing import make_matter, open_test_case, resident_id
from sanxiang.catalog.models import Matter
from sanxiang.testing import WorldTestCase, signed_in


class CasePages(WorldTestCase):
    case: Case
    overdue: Case

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.case = open_test_case(cls.w, title="某公司违法案")
        cls.overdue = open_test_case(
            cls.w, title="逾期案", opened_on=timezone.localdate() - timedelta(days=100)
        )

    def test_anonymous_visitors_are_sent_to_login(self):
        from django.test import Client

        for url in ["/cases/", f"/cases/{self.case.pk}/", "/cases/new/"]:
            response = Client().get(url)
            assert response.status_code == 302
            assert "/accounts/login/" in response["Location"]
        response = Client().post(f"/cases/{self.case.pk}/transition/", {"target": "x"})
        assert response.status_code == 302
        assert Case.objects.get(pk=self.case.pk).stage == "filing"

    def test_the_list_shows_my_cases_with_warnings(self):
        response = signed_in(self.w.officer).get("/cases/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "某公司违法案" in html and "逾期案" in html
        assert "sx-warn-red" in html
        assert "已逾期 1" in html

    def test_the_list_uses_a_fixed_number_of_queries(self):
        client = signed_in(self.w.head)
        client.get("/")  # the first page after login stamps the session once
        with CaptureQueriesContext(connection) as first:
            client.get("/cases/")
        for i in range(3):
            open_test_case(self.w, title=f"追加{i}")
        with CaptureQueriesContext(connection) as second:
            client.get("/cases/")
        assert len(second) == len(first)

    def test_another_agency_gets_not_found(self):
        client = signed_in(self.w.other_officer)
        assert client.get(f"/cases/{self.case.pk}/").status_code == 404
        assert "某公司违法案" not in client.get("/cases/").content.decode()

    def test_the_case_page_shows_team_parties_deadlines_and_flowchart(self):
        html = signed_in(self.w.officer).get(f"/cases/{self.case.pk}/").content.decode()
        assert "officer2" in html and "张某" in html
        assert "作出处罚决定" in html  # the 90-day deadline
        assert 'data-stage="filing" aria-current="step"' in html
        # Filing needs the head (行政处罚法 第54条): the officer sees it waiting, not a button.
        assert "待负责人批准" in html
        assert 'data-target-stage="investigation"' not in html

    def test_the_head_gets_the_approval_button_and_htmx_moves_the_case(self):
        client = signed_in(self.w.head)
        html = client.get(f"/cases/{self.case.pk}/").content.decode()
        assert 'data-target-stage="investigation"' in html
        response = client.post(
            f"/cases/{self.case.pk}/transition/",
            {"target": "investigation", "expected_stage": "filing", "note": "同意立案"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        partial = response.content.decode()
        assert 'data-stage="investigation"' in partial
        assert 'hx-swap-oob="true"' in partial
        assert "同意立案" in partial
        assert Case.objects.get(pk=self.case.pk).stage == "investigation"

    def test_a_skipped_stage_is_refused_with_the_allowed_steps(self):
        response = signed_in(self.w.head).post(
            f"/cases/{self.case.pk}/transition/",
            {"target": "decision", "expected_stage": "filing"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "transition_not_allowed" in html and "批准立案" in html
        assert Case.objects.get(pk=self.case.pk).stage == "filing"

    def test_the_supervisor_reads_but_cannot_transition(self):
        client = signed_in(self.w.supervisor)
        html = client.get(f"/cases/{self.case.pk}/").content.decode()
        assert "data-target-stage" not in html
        response = client.post(
            f"/cases/{self.case.pk}/transition/",
            {"target": "investigation", "expected_stage": "filing"},
        )
        assert response.status_code == 403

    def test_bad_transition_input_is_a_validation_error(self):
        response = signed_in(self.w.head).post(f"/cases/{self.case.pk}/transition/", {})
        assert response.status_code == 422

    def test_the_workbench_shows_the_my_cases_panel(self):
        html = signed_in(self.w.officer).get("/").content.decode()
        assert "我的案件" in html and "逾期案" in html

    def test_pause_and_resume_from_the_page(self):
        client = signed_in(self.w.officer)
        deadline = Deadline.objects.get(case=self.overdue, rule="decide")
        today = timezone.localdate().isoformat()
        response = client.post(
            f"/cases/deadlines/{deadline.pk}/pause/", {"reason": "听证", "on": deadline.due_on}
        )
        assert response.status_code == 302
        assert client.post(f"/cases/deadlines/{deadline.pk}/resume/", {"on": today}).status_code
        deadline.refresh_from_db()
        assert deadline.status == "running"
        other = signed_in(self.w.other_officer)
        assert (
            other.post(
                f"/cases/deadlines/{deadline.pk}/pause/", {"reason": "x", "on": today}
            ).status_code
            == 404
        )

    def test_recusal_is_requested_and_decided_on_the_page(self):
        member = self.case.members.get(officer__user=self.w.officer2)
        officer = signed_in(self.w.officer)
        response = officer.post(
            f"/cases/{self.case.pk}/recusals/",
            {"member": member.pk, "requested_by": "当事人", "reason": "利害关系"},
        )
        assert response.status_code == 302
        recusal = Recusal.objects.get(case=self.case)
        refused = officer.post(f"/cases/recusals/{recusal.pk}/decide/", {"grant": "1"})
        assert refused.status_code == 403
        signed_in(self.w.head).post(f"/cases/recusals/{recusal.pk}/decide/", {"grant": "1"})
        member.refresh_from_db()
        assert member.recused


class OpeningAndDrafting(WorldTestCase):
    matter: Matter

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.matter = make_matter(cls.w.agency, "penalty")

    def form(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "matter": self.matter.pk,
            "procedure": "penalty_ordinary",
            "title": "网页立案",
            "source": "complaint",
            "facts": "举报",
            "opened_on": timezone.localdate().isoformat(),
            # 行政处罚法 第36条: a penalty case states when the act happened or ended.
            "violation_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
            "team": [self.w.officer.officer.pk, self.w.officer2.officer.pk],
            "party_kind": "natural",
            "party_name": "赵某",
            "party_id_number": resident_id(timezone.localdate().replace(year=1990), 5),
        }
        data.update(overrides)
        return data

    def test_an_officer_opens_a_case_through_the_form(self):
        response = signed_in(self.w.officer).post("/cases/new/", self.form())
        case = Case.objects.get(title="网页立案")
        assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"

    def test_one_officer_is_refused_on_the_form(self):
        response = signed_in(self.w.officer).post(
            "/cases/new/", self.form(team=[self.w.officer.officer.pk])
        )
        assert response.status_code == 200
        assert "两名以上" in response.content.decode()
        assert not Case.objects.filter(title="网页立案").exists()

    def test_a_wrong_id_number_is_refused_on_the_form(self):
        response = signed_in(self.w.officer).post(
            "/cases/new/", self.form(party_id_number="110105194912310021")
        )
        assert "校验不通过" in response.content.decode()

    def test_the_supervisor_cannot_open_cases(self):
        assert signed_in(self.w.supervisor).get("/cases/new/").status_code == 403

    def test_a_draft_is_saved_and_bad_money_shown(self):
        case = open_test_case(self.w, matter=self.matter)
        client = signed_in(self.w.officer)
        bad = client.post(f"/cases/{case.pk}/draft/", {"kind": "fine", "fine_amount": "-5"})
        assert bad.status_code == 200 and "负数" in bad.content.decode()
        good = client.post(f"/cases/{case.pk}/draft/", {"kind": "fine", "fine_amount": "500"})
        assert good.status_code == 302
        assert "500.00" in client.get(f"/cases/{case.pk}/").content.decode()
        assert signed_in(self.w.other_officer).get(f"/cases/{case.pk}/draft/").status_code == 404
