"""案卷评查: automatic items with their rules, veto items, manual items, scores, bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, save_draft
from sanxiang.cases.testing import open_test_case
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.supervision import reviews, scoring
from sanxiang.supervision.models import FileReview, Verdict
from sanxiang.supervision.reviews import ManualScore
from sanxiang.testing import WorldTestCase, a_day, signed_in

PATH = [
    ("investigation", "head", 1),
    ("case_review", "officer", 5),
    ("notice", "officer", 6),
    ("defence", "officer", 8),
    ("decision", "head", 10),
    ("delivery", "officer", 11),
    ("closing", "head", 20),
    ("archived", "officer", 21),
]


def closed_case(
    w: Any, *, late_delivery: int = 0, documents: bool = False, title: str = ""
) -> Case:
    """A penalty case walked to 归档 over its legal days (40 days ago to 19 days ago)."""
    opened = a_day(-40)
    case = open_test_case(w, opened_on=opened, title=title or "评查案件")
    for target, who, after in PATH:
        if documents and case.stage == "case_review":
            # 行政处罚法 第44条: the notice states the drafted penalty and its provisions.
            save_draft(
                actor=w.officer,
                case_id=case.pk,
                data=DraftData(
                    violated_provision="《宗教事务条例》第四十一条",
                    kind="warning",
                    legal_basis="《宗教事务条例》第六十五条",
                    text="警告",
                ),
            )
            issue_document(actor=w.officer, case_id=case.pk, kind="penalty_notice")
        if documents and case.stage == "decision":
            issue_document(actor=w.officer, case_id=case.pk, kind="penalty_decision")
            issue_document(actor=w.officer, case_id=case.pk, kind="delivery_receipt")
        if target == "decision":
            save_draft(
                actor=w.officer,
                case_id=case.pk,
                data=DraftData(
                    violated_provision="《宗教事务条例》第四十一条",
                    kind="warning",
                    legal_basis="《宗教事务条例》第六十五条",
                    text="警告",
                ),
            )
        day = after + (late_delivery if target in {"delivery", "closing", "archived"} else 0)
        actor = w.head if who == "head" else w.officer
        # The documents the law's order requires (告知书, 决定书 with its 送达回证) and the
        # party's written waiver of the 陈述申辩 period are there whatever ``documents`` says.
        case = take_step(actor, case.pk, target, on=opened + timedelta(days=day))
    return case


def failed(review: FileReview) -> dict[str, dict[str, Any]]:
    return {i["code"]: i for i in review.items if not i["passed"]}


class AutomaticScoringTest(WorldTestCase):
    def test_a_file_in_order_passes_every_veto_item_and_waits_for_the_reviewer(self) -> None:
        case = closed_case(self.w, documents=True)
        [review] = reviews.review_files(actor=self.w.supervisor, case_ids=[case.pk])
        vetoes = [i for i in review.items if i["veto"]]
        assert len(vetoes) == 10 and all(i["passed"] for i in vetoes)
        assert all(i["rule"] for i in review.items)
        assert review.verdict == Verdict.PENDING and not review.veto_failed
        # No evidence in the store (6) and not published (5): the reasons say so.
        assert set(failed(review)) == {"evidence", "publication"}
        assert review.form_score == 14
        done = reviews.complete_review(
            actor=self.w.supervisor,
            review_id=review.pk,
            scores=[ManualScore("facts", "15"), ManualScore("writing", "12", "说理不充分")],
        )
        assert done.total == 14 + 45 + 27 and done.verdict == Verdict.PASSED
        assert "文书制作规范、说理充分：说理不充分" in done.reasons[-1]
        types = list(Entry.objects.filter(case_id=case.pk).values_list("event_type", flat=True))
        assert "supervision.file_reviewed" in types
        assert "supervision.file_review_completed" in types

    def test_a_late_delivery_makes_the_file_fail_with_reasons(self) -> None:
        case = closed_case(self.w, late_delivery=10)
        [review] = reviews.review_files(actor=self.w.head, case_ids=[case.pk])
        problems = failed(review)
        assert review.verdict == Verdict.FAILED and review.veto_failed
        assert "delivery" in problems and "超过" in problems["delivery"]["reason"]
        assert "行政处罚法 第61条" in problems["delivery"]["rule"]
        # The 必备文书 cannot be missing any more: the engine refuses 告知 without the 告知书 and
        # 送达 without the 决定书 and its 送达回证 (documents/guards.py).
        assert "documents" not in problems
        assert any("送达" in r for r in review.reasons)

    def test_an_open_case_is_refused_and_nothing_is_written(self) -> None:
        done = closed_case(self.w)
        still_open = open_test_case(self.w, title="在办案件")
        with self.assertRaises(DomainError) as caught:
            reviews.review_files(actor=self.w.supervisor, case_ids=[done.pk, still_open.pk])
        assert caught.exception.code == "conflict"
        assert still_open.number in caught.exception.message
        assert not FileReview.objects.exists()

    def test_a_case_outside_the_scope_and_an_officer_are_refused(self) -> None:
        case = closed_case(self.w)
        with self.assertRaises(DomainError) as caught:
            reviews.review_files(actor=self.w.officer, case_ids=[case.pk])
        assert caught.exception.code == "forbidden"
        from sanxiang.supervision.tests.test_cockpit import second_district

        _, stranger = second_district()
        with self.assertRaises(DomainError) as caught:
            reviews.review_files(actor=stranger, case_ids=[case.pk])
        assert caught.exception.code == "not_found"

    def test_manual_scores_out_of_range_or_without_a_reason_are_refused(self) -> None:
        [review] = reviews.review_files(actor=self.w.supervisor, case_ids=[closed_case(self.w).pk])
        for scores in (
            [ManualScore("facts", "16"), ManualScore("writing", "15")],
            [ManualScore("facts", "10"), ManualScore("writing", "15")],
            [ManualScore("facts", "abc"), ManualScore("writing", "15")],
            [ManualScore("facts", "15")],
        ):
            with self.assertRaises(DomainError):
                reviews.complete_review(actor=self.w.supervisor, review_id=review.pk, scores=scores)

    def test_scores_per_agency_and_per_officer(self) -> None:
        reviews.review_files(actor=self.w.supervisor, case_ids=[closed_case(self.w).pk])
        [agency] = reviews.by_agency(self.w.supervisor)
        assert agency["agency__name"] == self.w.agency.name and agency["n"] == 1
        names = {r["case__members__officer__name"] for r in reviews.by_officer(self.w.supervisor)}
        assert names == {"officer", "officer2"}

    def test_loading_the_facts_does_not_grow_its_queries_with_the_cases(self) -> None:
        one = [closed_case(self.w, title="一").pk]
        with CaptureQueriesContext(connection) as first:
            scoring.load(one)
        more = one + [closed_case(self.w, title=f"案{n}").pk for n in range(3)]
        with CaptureQueriesContext(connection) as second:
            scoring.load(more)
        assert len(second) == len(first)


class ReviewPagesTest(WorldTestCase):
    def test_a_batch_from_the_page_and_the_manual_form(self) -> None:
        case = closed_case(self.w)
        client = signed_in(self.w.supervisor)
        assert client.post("/supervision/reviews/", {"count": ""}).status_code == 302
        review = FileReview.objects.get(case=case)
        page = client.get(f"/supervision/reviews/{review.pk}/").content.decode()
        assert "否决项" in page and "行政处罚法 第42条第一款" in page
        assert 'name="score_facts"' in page
        client.post(
            f"/supervision/reviews/{review.pk}/",
            {"score_facts": "15", "score_writing": "15"},
        )
        review.refresh_from_db()
        assert review.manual_done
        listing = client.get("/supervision/reviews/").content.decode()
        assert case.number in listing and self.w.agency.name in listing

    def test_another_districts_supervisor_cannot_open_a_review(self) -> None:
        [review] = reviews.review_files(actor=self.w.supervisor, case_ids=[closed_case(self.w).pk])
        from sanxiang.supervision.tests.test_cockpit import second_district

        _, stranger = second_district()
        assert signed_in(stranger).get(f"/supervision/reviews/{review.pk}/").status_code == 404
