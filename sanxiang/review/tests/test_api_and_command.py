from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sanxiang.cases.models import Case
from sanxiang.review import checklist
from sanxiang.review.models import ReviewRound
from sanxiang.testing import signed_in

from .helpers import MATERIALS, ReviewTestCase, case_at_defence, draft, passed

API = "/api/v1/review"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def marks(failed: str = "") -> list[dict[str, Any]]:
    return [
        {"code": c, "passed": c != failed, "problem": "说理不足" if c == failed else ""}
        for c in checklist.CODES
    ]


class TheApi(ReviewTestCase):
    def test_the_api_refuses_the_decision_until_a_review_passes(self):
        case = case_at_defence(self.w)
        head = signed_in(self.w.head)
        url = f"/api/v1/cases/{case.pk}/transitions"
        response = post(head, url, {"target": "decision"})
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "legal_review_required"
        officer = signed_in(self.w.officer)
        submitted = post(officer, f"{API}/cases/{case.pk}/submit", {"materials": MATERIALS})
        assert submitted.status_code == 201
        round_id = submitted.json()["id"]
        assigned = post(
            head, f"{API}/rounds/{round_id}/assign", {"reviewer_id": self.w.reviewer.officer.pk}
        )
        assert assigned.status_code == 200
        reviewer = signed_in(self.w.reviewer)
        body = {
            "checklist": marks("discretion"),
            "agree": False,
            "opinion": "存在问题",
            "required_changes": "补充裁量说理",
        }
        assert post(reviewer, f"{API}/rounds/{round_id}/review", body).json()["status"] == "failed"
        assert post(head, url, {"target": "decision"}).status_code == 409
        draft(self.w, case, "130000")
        again = post(
            officer,
            f"{API}/cases/{case.pk}/resubmit",
            {"materials": MATERIALS, "response": "已降低罚款并补充说理"},
        )
        assert again.status_code == 201
        assert again.json()["diff"][0]["field"] == "fine_amount"
        second = again.json()["id"]
        agreed = post(
            reviewer,
            f"{API}/rounds/{second}/review",
            {"checklist": marks(), "agree": True, "opinion": "同意"},
        )
        assert agreed.status_code == 200
        assert len(agreed.json()["pdf_sha256"]) == 64
        history = head.get(f"{API}/cases/{case.pk}/history").json()
        assert history["gate"]["allowed"] is True
        assert [r["status"] for r in history["rounds"]] == ["failed", "passed"]
        assert post(head, url, {"target": "decision"}).status_code == 200
        assert Case.objects.get(pk=case.pk).stage == "decision"

    def test_anonymous_calls_are_refused(self):
        case = case_at_defence(self.w)
        response = Client().get(f"{API}/cases/{case.pk}/history")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "forbidden"

    def test_another_agency_gets_not_found(self):
        case = case_at_defence(self.w)
        client = signed_in(self.w.other_officer)
        assert client.get(f"{API}/cases/{case.pk}/history").status_code == 404
        response = post(client, f"{API}/cases/{case.pk}/submit", {"materials": MATERIALS})
        assert response.status_code == 404

    def test_a_submission_by_someone_not_on_the_case_is_forbidden(self):
        case = case_at_defence(self.w)
        response = post(
            signed_in(self.w.head), f"{API}/cases/{case.pk}/submit", {"materials": MATERIALS}
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"

    def test_bad_input_is_a_validation_error(self):
        case = case_at_defence(self.w)
        client = signed_in(self.w.officer)
        response = post(client, f"{API}/cases/{case.pk}/submit", {"materials": "not a dict"})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
        response = post(client, f"{API}/cases/{case.pk}/submit", {"materials": {}})
        assert response.status_code == 422
        assert "缺少" in response.json()["error"]["message"]
        assert not ReviewRound.objects.exists()

    def test_a_failed_point_without_reason_is_refused_by_the_api(self):
        case = case_at_defence(self.w)
        officer, head = signed_in(self.w.officer), signed_in(self.w.head)
        round_id = post(officer, f"{API}/cases/{case.pk}/submit", {"materials": MATERIALS}).json()[
            "id"
        ]
        post(head, f"{API}/rounds/{round_id}/assign", {"reviewer_id": self.w.reviewer.officer.pk})
        bad = [m | {"problem": ""} for m in marks("facts")]
        response = post(
            signed_in(self.w.reviewer),
            f"{API}/rounds/{round_id}/review",
            {"checklist": bad, "agree": False, "opinion": "x", "required_changes": "y"},
        )
        assert response.status_code == 422
        assert "事实清楚" in response.json()["error"]["message"]

    def test_catalogue_thresholds_that_are_negative_or_not_numbers_are_refused(self):
        admin = signed_in(self.w.admin)
        for bad in ("-1", "abc"):
            response = post(
                admin, f"{API}/catalogue", {"fine_natural": bad, "valid_from": "2026-01-01"}
            )
            assert response.status_code == 422, bad
            assert response.json()["error"]["code"] == "validation_error"
        ok = post(admin, f"{API}/catalogue", {"fine_natural": 20000, "valid_from": "2026-01-01"})
        assert ok.status_code == 201
        assert ok.json()["fine_natural"] == "20000.00"
        got = admin.get(f"{API}/catalogue/{self.w.agency.pk}", {"as_of": "2026-02-01"})
        assert got.json()["number"] == 1
        assert (
            post(
                signed_in(self.w.officer), f"{API}/catalogue", {"valid_from": "2026-02-01"}
            ).status_code
            == 403
        )


class TheCommand(ReviewTestCase):
    def test_the_command_refuses_the_decision_without_a_passing_review(self):
        case = case_at_defence(self.w)
        with pytest.raises(CommandError) as caught:
            call_command("case_transition", case.pk, "decision", "--as", "head")
        assert str(caught.value).startswith("legal_review_required:")
        assert Case.objects.get(pk=case.pk).stage == "defence"

    def test_the_command_decides_after_a_passing_review(self):
        case = case_at_defence(self.w)
        passed(self.w, case)
        out = StringIO()
        call_command("case_transition", case.pk, "decision", "--as", "head", stdout=out)
        assert "决定" in out.getvalue()
        assert Case.objects.get(pk=case.pk).stage == "decision"

    def test_the_command_refuses_an_unknown_user(self):
        with pytest.raises(CommandError) as caught:
            call_command("case_transition", 1, "decision", "--as", "nobody")
        assert "forbidden" in str(caught.value)


class TheApiRefusesAnonymousCalls(ReviewTestCase):
    def test_every_endpoint_needs_a_signed_in_staff_session(self):
        calls = [
            ("post", f"{API}/cases/1/submit"),
            ("post", f"{API}/cases/1/resubmit"),
            ("post", f"{API}/rounds/1/assign"),
            ("post", f"{API}/rounds/1/review"),
            ("post", f"{API}/rounds/1/extend"),
            ("post", f"{API}/rounds/1/dispute"),
            ("post", f"{API}/cases/1/flag"),
            ("get", f"{API}/cases/1/history"),
            ("get", f"{API}/catalogue/1"),
            ("post", f"{API}/catalogue"),
        ]
        for method, url in calls:
            response = getattr(Client(), method)(url, content_type="application/json")
            assert response.status_code == 401, url

    def test_the_supervisor_reads_the_history_but_cannot_flag(self):
        case = case_at_defence(self.w)
        client = signed_in(self.w.supervisor)
        assert client.get(f"{API}/cases/{case.pk}/history").status_code == 200
        response = post(client, f"{API}/cases/{case.pk}/flag", {"reason": "complex", "note": "x"})
        assert response.status_code == 403

    def test_only_the_head_extends_and_only_the_team_disputes(self):
        case = case_at_defence(self.w)
        round_id = passed(self.w, case).pk
        officer, head = signed_in(self.w.officer), signed_in(self.w.head)
        assert post(officer, f"{API}/rounds/{round_id}/extend", {"reason": "x"}).status_code == 403
        assert post(officer, f"{API}/rounds/{round_id}/dispute", {"reason": "x"}).status_code == 409
        assert post(head, f"{API}/rounds/{round_id}/dispute", {"reason": "x"}).status_code == 403
