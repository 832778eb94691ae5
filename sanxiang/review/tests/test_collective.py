"""集体讨论 (行政处罚法 第57条第2款): a decision on a 情节复杂 or 重大违法 case (the agency's
criteria, ``SANXIANG_COLLECTIVE_DISCUSSION``) is refused until the heads' discussion is
recorded with a conclusion for it and its 集体讨论记录 is issued; other cases are not held back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import transition
from sanxiang.documents.builders import build
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import sheet_from_case
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.review import collective, services
from sanxiang.review.models import CaseReview, Discussion
from sanxiang.review.testing import pass_review
from sanxiang.testing import signed_in

from .helpers import ReviewTestCase, case_at_defence

ATTENDEES = ["负责人甲", "副局长乙", "法制科长丙"]


def refused(world, case: Case) -> DomainError:
    before = Entry.objects.filter(case_id=case.pk, event_type="case.transition").count()
    with pytest.raises(DomainError) as caught:
        transition(actor=world.head, case_id=case.pk, target="decision")
    after = Entry.objects.filter(case_id=case.pk, event_type="case.transition").count()
    assert Case.objects.get(pk=case.pk).stage == "defence" and after == before
    return caught.value


class TheHeadsDiscussion(ReviewTestCase):
    def discussed(self, case: Case, outcome: str = "decide"):
        return services.record_discussion(
            actor=self.w.head,
            case_id=case.pk,
            held_on=timezone.localdate(),
            attendees=ATTENDEES,
            outcome=outcome,
            minutes="甲：同意。乙：同意。丙：证据充分，同意。",
        )

    def test_a_grave_case_decided_without_its_discussion_is_refused_citing_article_57(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        pass_review(self.w, case)
        error = refused(self.w, case)
        assert error.code == "collective_discussion_required"
        assert "违法情节严重" in error.message and "第57条第2款" in error.message

    def test_a_discussion_without_its_record_issued_is_not_enough(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        pass_review(self.w, case)
        self.discussed(case)
        error = refused(self.w, case)
        assert (
            error.code == "collective_discussion_required" and "《集体讨论记录》" in error.message
        )

    def test_with_the_discussion_and_its_record_the_decision_is_made(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        pass_review(self.w, case)
        self.discussed(case)
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="collective_discussion")
        assert doc.kind == "collective_discussion"
        transition(actor=self.w.head, case_id=case.pk, target="decision")
        assert Case.objects.get(pk=case.pk).stage == "decision"

    def test_a_discussion_that_concluded_against_the_decision_does_not_open_it(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        pass_review(self.w, case)
        self.discussed(case, outcome="no_decision")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="collective_discussion")
        error = refused(self.w, case)
        assert error.code == "collective_discussion_required" and "不予作出该决定" in error.message

    def test_the_record_is_refused_before_the_discussion_is_recorded(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        with pytest.raises(DomainError) as caught:
            issue_document(actor=self.w.officer, case_id=case.pk, kind="collective_discussion")
        assert caught.value.code == "validation_error" and "第57条第2款" in caught.value.message
        assert not IssuedDocument.objects.filter(case=case, kind="collective_discussion").exists()

    def test_a_case_flagged_complex_needs_the_discussion(self):
        case = case_at_defence(self.w, "5000")
        services.flag_major(actor=self.w.head, case_id=case.pk, reason="complex", note="案情复杂")
        assert collective.reasons(case) == ["经认定案情疑难复杂"]

    @override_settings(SANXIANG_COLLECTIVE_DISCUSSION={"fine": "100000"})
    def test_the_fine_threshold_is_the_agencys_setting(self):
        case = case_at_defence(self.w, "100000")
        assert collective.reasons(case) == ["拟罚款100000.00元，达到本机关集体讨论标准100000元"]
        small = case_at_defence(self.w, "99999.99")
        assert collective.reasons(small) == []

    @override_settings(SANXIANG_COLLECTIVE_DISCUSSION={"major": True})
    def test_an_agency_may_put_every_major_decision_to_the_heads(self):
        case = case_at_defence(self.w, "150000")
        assert "属于重大执法决定" in collective.reasons(case)

    def test_an_ordinary_small_case_is_not_held_back(self):
        case = case_at_defence(self.w, "5000")
        assert collective.reasons(case) == []
        transition(actor=self.w.head, case_id=case.pk, target="decision")
        assert Case.objects.get(pk=case.pk).stage == "decision"


class DiscussionWithoutAReview(ReviewTestCase):
    """A case 第57条第2款 puts to the heads need not be a 重大执法决定 under legal review: the head
    convenes its 集体讨论 from the case page (h10a item 5)."""

    def convene(self, case: Case, actor=None, **kwargs):
        values: dict[str, Any] = {
            "held_on": timezone.localdate(),
            "attendees": ATTENDEES,
            "outcome": "decide",
            "minutes": "甲：情节严重，同意罚款。乙：同意。丙：同意。",
        } | kwargs
        return collective.convene_discussion(actor=actor or self.w.head, case_id=case.pk, **values)

    def test_a_grave_case_without_review_could_not_be_discussed_through_the_review(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        assert collective.reasons(case) and not CaseReview.objects.filter(case=case, major=True)
        with pytest.raises(DomainError) as caught:
            TheHeadsDiscussion.discussed(self, case)  # type: ignore[arg-type]
        assert caught.value.code == "conflict" and "尚未报送法制审核" in caught.value.message
        assert refused(self.w, case).code == "collective_discussion_required"

    def test_the_head_convenes_it_and_with_its_record_the_decision_is_made(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        discussion = self.convene(case)
        assert discussion.round is None and discussion.attendees == ATTENDEES
        entry = Entry.objects.get(case_id=case.pk, event_type="review.collective_discussion")
        assert "违法情节严重" in entry.payload and entry.actor_id == self.w.head.pk
        assert refused(self.w, case).code == "collective_discussion_required"  # no record yet
        issue_document(actor=self.w.officer, case_id=case.pk, kind="collective_discussion")
        moved = take_step(self.w.head, case.pk, "decision")
        assert moved.stage == "decision"
        record = IssuedDocument.objects.get(case=case, kind="collective_discussion")
        kind = get_kind("collective_discussion")
        assert kind is not None
        day = timezone.localdate(record.issued_at)
        text = str(build(kind, sheet_from_case(case), number="", issued_on=day).blocks)
        assert "负责人甲、副局长乙、法制科长丙" in text and "同意按拟定意见作出决定" in text
        assert not CaseReview.objects.get(case=case).major  # still not a 重大执法决定

    def test_a_discussion_against_the_decision_keeps_it_shut(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        self.convene(case, outcome="no_decision")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="collective_discussion")
        error = refused(self.w, case)
        assert error.code == "collective_discussion_required" and "不予作出" in error.message

    def test_only_the_agencys_head_convenes_it(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        for user, code in (
            (self.w.officer, "forbidden"),
            (self.w.reviewer, "forbidden"),
            (self.w.supervisor, "forbidden"),
            (self.w.other_officer, "not_found"),
        ):
            with pytest.raises(DomainError) as caught:
                self.convene(case, actor=user)
            assert caught.value.code == code, (user, caught.value.message)
        assert not Discussion.objects.filter(review__case=case).exists()

    def test_bad_input_and_a_case_not_for_the_heads_write_nothing(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        for kwargs in (
            {"attendees": ATTENDEES[:2]},
            {"outcome": "resolved"},
            {"minutes": "  "},
            {"held_on": timezone.localdate() + timedelta(days=1)},
        ):
            with pytest.raises(DomainError) as caught:
                self.convene(case, **kwargs)
            assert caught.value.code == "validation_error", kwargs
        small = case_at_defence(self.w, "500")
        with pytest.raises(DomainError) as caught:
            self.convene(small)
        assert caught.value.code == "conflict" and "不属于" in caught.value.message
        assert not Entry.objects.filter(event_type="review.collective_discussion").exists()

    def test_the_case_page_shows_the_reasons_and_the_heads_form(self):
        case = case_at_defence(self.w, "5000", circumstance="grave")
        head = signed_in(self.w.head)
        page = head.get(f"/cases/{case.pk}/").content.decode()
        assert 'id="case-collective"' in page and "第57条第2款" in page
        assert 'data-action="convene-discussion"' in page
        officer_page = signed_in(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        assert 'id="case-collective"' in officer_page
        assert 'data-action="convene-discussion"' not in officer_page
        response = head.post(
            f"/review/cases/{case.pk}/collective/",
            {
                "held_on": timezone.localdate().isoformat(),
                "attendees": "负责人甲、副局长乙、法制科长丙",
                "outcome": "decide",
                "minutes": "一致同意。",
            },
        )
        assert response.status_code == 302
        assert Discussion.objects.filter(review__case=case, round=None).count() == 1
        other = signed_in(self.w.other_officer).post(
            f"/review/cases/{case.pk}/collective/", {"outcome": "decide"}
        )
        assert other.status_code == 404
