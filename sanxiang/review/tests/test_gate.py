from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import transition
from sanxiang.cases.testing import hold_hearing, working_days_before
from sanxiang.documents.testing import take_step
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.review import queries, services
from sanxiang.review.models import CaseReview, DecisionGate

from .helpers import (
    MATERIALS,
    ReviewTestCase,
    all_passed,
    assigned,
    case_at_defence,
    draft,
    failed,
    passed,
    submitted,
)


def decide(world: Any, case: Case) -> Case:
    return transition(actor=world.head, case_id=case.pk, target="decision")


class TheGate(ReviewTestCase):
    def test_decision_is_refused_without_passing_review(self):
        case = case_at_defence(self.w)
        with pytest.raises(DomainError) as caught:
            decide(self.w, case)
        assert caught.value.code == "legal_review_required"
        assert "尚未提交法制审核" in caught.value.message
        assert "150,000.00元" in caught.value.message
        assert Case.objects.get(pk=case.pk).stage == "defence"

    def test_a_fine_below_the_threshold_is_decided_without_review(self):
        case = case_at_defence(self.w, "5000")
        assert queries.major_reasons(case) == []
        decide(self.w, case)
        assert Case.objects.get(pk=case.pk).stage == "decision"

    def test_decision_is_refused_while_review_is_open(self):
        case = case_at_defence(self.w)
        assigned(self.w, case)
        with pytest.raises(DomainError) as caught:
            decide(self.w, case)
        assert "尚在审核中" in caught.value.message

    def test_decision_is_refused_after_a_failed_review(self):
        case = case_at_defence(self.w)
        failed(self.w, assigned(self.w, case))
        with pytest.raises(DomainError) as caught:
            decide(self.w, case)
        assert "未通过" in caught.value.message

    def test_decision_passes_after_a_passing_review_and_records_the_gate(self):
        case = case_at_defence(self.w)
        round_ = passed(self.w, case)
        decide(self.w, case)
        gate = DecisionGate.objects.get(case=case)
        assert gate.round == round_
        assert Entry.objects.filter(case_id=case.pk, event_type="review.gate_passed").exists()

    def test_a_draft_changed_after_review_closes_the_gate_again(self):
        case = case_at_defence(self.w)
        passed(self.w, case)
        draft(self.w, case, "120000")
        with pytest.raises(DomainError) as caught:
            decide(self.w, case)
        assert caught.value.code == "legal_review_required"
        assert "罚款金额" in caught.value.message
        assert "重新提交" in caught.value.message

    def test_changing_only_the_wording_after_approval_needs_a_new_round(self):
        # What was reviewed is what is issued: the text is part of the reviewed snapshot.
        case = case_at_defence(self.w)
        passed(self.w, case)
        draft(self.w, case, "150000", text="当事人为违法宗教活动提供场所，决定罚款十五万元。")
        with pytest.raises(DomainError) as refused:
            decide(self.w, case)
        assert refused.value.code == "legal_review_required"
        assert "决定正文" in refused.value.message

    def test_a_resubmitted_and_passed_draft_opens_the_gate(self):
        case = case_at_defence(self.w)
        failed(self.w, assigned(self.w, case))
        draft(self.w, case, "120000")
        round_ = services.resubmit(
            actor=self.w.officer, case_id=case.pk, materials=MATERIALS, response="已降低罚款"
        )
        assert round_.reviewer == self.w.reviewer.officer
        assert [c["field"] for c in round_.diff] == ["fine_amount"]
        services.review(
            actor=self.w.reviewer,
            round_id=round_.pk,
            marks=all_passed(),
            agree=True,
            opinion_text="已按意见修改。",
        )
        decide(self.w, case)


class TheDatabaseBackstop(ReviewTestCase):
    def raw_decide(self, case: Case, snapshot: str | None = None) -> None:
        """A DBA's decision: the stage, and the snapshot it names (the draft's by default)."""
        if snapshot is None:
            snapshot = Case.objects.get(pk=case.pk).draft.fingerprint
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET stage = 'decision', decided_snapshot = %s WHERE id = %s",
                [snapshot, case.pk],
            )

    def test_a_raw_decision_that_names_no_snapshot_is_refused_for_a_major_case(self):
        case = case_at_defence(self.w)
        passed(self.w, case)
        with pytest.raises(IntegrityError):
            self.raw_decide(case, snapshot="")
        assert Case.objects.get(pk=case.pk).stage == "defence"

    def test_swapping_the_decided_snapshot_afterwards_is_refused(self):
        case = case_at_defence(self.w)
        passed(self.w, case)
        decide(self.w, case)
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET decided_snapshot = %s WHERE id = %s", ["0" * 64, case.pk]
            )
        assert Case.objects.get(pk=case.pk).decided_snapshot == case.draft.fingerprint

    def test_a_raw_update_bypassing_the_service_is_refused_for_a_major_case(self):
        case = case_at_defence(self.w)
        submitted(self.w, case)
        assert CaseReview.objects.get(case=case).major
        with pytest.raises(IntegrityError):
            self.raw_decide(case)
        assert Case.objects.get(pk=case.pk).stage == "defence"

    def test_a_raw_update_is_refused_when_the_draft_changed_after_review(self):
        case = case_at_defence(self.w)
        passed(self.w, case)
        draft(self.w, case, "160000")
        with pytest.raises(IntegrityError):
            self.raw_decide(case)

    def test_a_raw_update_after_a_passing_review_of_this_draft_goes_through(self):
        case = case_at_defence(self.w)
        passed(self.w, case)
        self.raw_decide(case)
        assert Case.objects.get(pk=case.pk).stage == "decision"

    def test_a_case_the_service_never_found_major_is_not_blocked(self):
        case = case_at_defence(self.w, "5000")
        self.raw_decide(case)
        assert Case.objects.get(pk=case.pk).stage == "decision"


class TheHelperForOtherApps(ReviewTestCase):
    def test_pass_review_opens_the_gate_for_a_case_with_a_hearing(self):
        from sanxiang.review.testing import pass_review

        # The hearing notified 7 working days before it is held (行政处罚法 第64条) and held today.
        day = working_days_before(timezone.localdate(), 7)
        case = case_at_defence(self.w, "5000", on=day)
        transition(actor=self.w.officer, case_id=case.pk, target="hearing", on=day)
        hold_hearing(self.w, case.pk, notified_on=day)
        pass_review(self.w, case)
        take_step(self.w.head, case.pk, "decision")
        assert Case.objects.get(pk=case.pk).stage == "decision"
