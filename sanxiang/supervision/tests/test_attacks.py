"""The issue's bad input, tried as an attacker would: through the API, the pages and raw SQL.
Each is refused clearly and leaves nothing written."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from sanxiang.cases.models import Case
from sanxiang.cases.testing import open_test_case
from sanxiang.ledger.models import Entry
from sanxiang.supervision import notices
from sanxiang.supervision.models import FileReview, Notice, NoticeAnswer, Verdict
from sanxiang.supervision.tests.test_cockpit import second_district
from sanxiang.supervision.tests.test_notices import data
from sanxiang.testing import WorldTestCase, a_day, signed_in


class SupervisorWritesThroughTheApiTest(WorldTestCase):
    def test_every_case_write_of_the_api_refuses_the_supervisor(self) -> None:
        case = open_test_case(self.w)
        before = (Entry.objects.count(), Case.objects.get(pk=case.pk).stage)
        client = signed_in(self.w.supervisor)
        url = f"/api/v1/cases/{case.pk}"
        writes = (
            ("post", f"{url}/transitions", {"target": "investigation"}),
            ("post", f"{url}/closing-request", {"note": "结案"}),
            ("post", f"{url}/defence", {"kind": "waived", "note": "放弃"}),
            ("post", f"{url}/parties", {"kind": "person", "name": "张三"}),
            ("put", f"{url}/draft", {"kind": "warning", "text": "警告"}),
            ("post", f"/api/v1/review/cases/{case.pk}/submit", {"materials": "材料"}),
        )
        for method, path, body in writes:
            response = getattr(client, method)(path, body, content_type="application/json")
            assert response.status_code in (403, 422), (path, response.status_code)
            if response.status_code == 403:
                assert response.json()["error"]["code"] == "forbidden", path
        # Whatever the reason given (a body the schema refuses, or the role), nothing changed.
        assert (Entry.objects.count(), Case.objects.get(pk=case.pk).stage) == before


class NoticeAttacksTest(WorldTestCase):
    def test_another_agency_posting_an_answer_on_the_page_gets_nothing_written(self) -> None:
        notice = notices.issue_notice(actor=self.w.supervisor, data=data(self.w))
        client = signed_in(self.w.other_officer)
        response = client.post(
            f"/supervision/notices/{notice.pk}/", {"action": "answer", "text": "已整改"}
        )
        assert response.status_code == 404  # it does not even see the notice
        with self.assertRaises(Exception) as caught:
            notices.answer_notice(actor=self.w.other_officer, notice_id=notice.pk, text="已整改")
        assert getattr(caught.exception, "code", "") == "forbidden"
        assert not NoticeAnswer.objects.exists()
        assert Notice.objects.get(pk=notice.pk).status == "issued"

    def test_the_supervisor_cannot_answer_its_own_notice(self) -> None:
        notice = notices.issue_notice(actor=self.w.supervisor, data=data(self.w))
        with self.assertRaises(Exception) as caught:
            notices.answer_notice(actor=self.w.supervisor, notice_id=notice.pk, text="代为整改")
        assert getattr(caught.exception, "code", "") == "forbidden"

    def test_a_past_deadline_posted_to_the_page_issues_nothing(self) -> None:
        client = signed_in(self.w.supervisor)
        response = client.post(
            "/supervision/notices/new/",
            {
                "agency": str(self.w.agency.pk),
                "subject": "过期",
                "finding": "问题",
                "requirement": "要求",
                "due_on": a_day(-1).isoformat(),
            },
        )
        assert response.status_code == 200 and "不能早于今天" in response.content.decode()
        assert not Notice.objects.exists()

    def test_a_notice_to_another_district_is_refused(self) -> None:
        agency2, _ = second_district()
        response = signed_in(self.w.supervisor).post(
            "/supervision/notices/new/",
            {
                "agency": str(agency2.pk),
                "subject": "越界",
                "finding": "问题",
                "requirement": "要求",
                "due_on": a_day(3).isoformat(),
            },
        )
        assert response.status_code == 200  # the form refuses the choice
        assert not Notice.objects.exists()

    def test_raw_sql_cannot_address_a_notice_to_its_own_issuer(self) -> None:
        notice = notices.issue_notice(actor=self.w.supervisor, data=data(self.w))
        with self.assertRaises(IntegrityError), transaction.atomic():
            Notice.objects.filter(pk=notice.pk).update(agency_id=notice.issuer_id)
        with (
            self.assertRaises(IntegrityError),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(
                "UPDATE supervision_notice SET status = 'whatever' WHERE id = %s", [notice.pk]
            )


class ReviewAttacksTest(WorldTestCase):
    def test_a_review_of_an_open_case_posted_to_the_page_writes_nothing(self) -> None:
        case = open_test_case(self.w)
        response = signed_in(self.w.supervisor).post(
            "/supervision/reviews/", {"case": [str(case.pk)], "batch": "开放案件"}
        )
        assert response.status_code == 409 and "尚未结案" in response.content.decode()
        assert not FileReview.objects.exists()

    def test_raw_sql_cannot_pass_a_file_that_failed_a_veto_item(self) -> None:
        case = open_test_case(self.w, opened_on=a_day(-30))
        Case.objects.filter(pk=case.pk).update(stage="archived", closed_on=a_day(-1))
        from sanxiang.supervision import reviews

        [review] = reviews.review_files(actor=self.w.supervisor, case_ids=[case.pk])
        # Closed by SQL: the ledger shows it 立案 and nothing after, so the order item fails.
        assert review.veto_failed and review.verdict == Verdict.FAILED
        assert any("没有流程记录" in r for r in review.reasons), review.reasons
        with self.assertRaises(IntegrityError), transaction.atomic():
            FileReview.objects.filter(pk=review.pk).update(verdict=Verdict.PASSED)
        with self.assertRaises(IntegrityError), transaction.atomic():
            FileReview.objects.filter(pk=review.pk).update(form_score=21)
