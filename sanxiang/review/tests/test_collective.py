"""集体讨论 (行政处罚法 第57条第2款): a decision on a 情节复杂 or 重大违法 case (the agency's
criteria, ``SANXIANG_COLLECTIVE_DISCUSSION``) is refused until the heads' discussion is
recorded with a conclusion for it and its 集体讨论记录 is issued; other cases are not held back."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import transition
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.review import collective, services
from sanxiang.review.testing import pass_review

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
