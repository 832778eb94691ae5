"""The 法制审核流程图 is the review that runs: every entry the services write moves along a
step of ``procedure.LEGAL_REVIEW``."""

from __future__ import annotations

import json
from itertools import pairwise

from django.utils import timezone

from sanxiang.cases.services import transition
from sanxiang.ledger.models import Entry
from sanxiang.ledger.registry import codes_of
from sanxiang.procedures.definitions import validate
from sanxiang.procedures.flowchart import render_svg
from sanxiang.review import procedure, services
from sanxiang.review.events import EVENT_TYPES

from .helpers import (
    MATERIALS,
    ReviewTestCase,
    all_passed,
    assigned,
    case_at_defence,
    failed,
)


def walk(case_id: int) -> list[str]:
    """The stages the case's review entries enter, in log order (moves only)."""
    rows = Entry.objects.filter(case_id=case_id, event_type__startswith="review.").order_by("id")
    stages: list[str] = []
    for row in rows:
        stages += procedure.stages_entered(row.event_type, json.loads(row.payload))
    return stages


def assert_follows_the_definition(stages: list[str]) -> None:
    definition = procedure.LEGAL_REVIEW
    assert stages and stages[0] == definition.initial.code
    for source, target in pairwise(stages):
        if source == target:
            continue  # e.g. the resubmission after a discussion that asked for it
        assert definition.step(source, target) is not None, (source, target, stages)


class TheReviewFlowchart(ReviewTestCase):
    def test_the_definition_is_valid_and_names_every_moving_review_event(self):
        validate(procedure.LEGAL_REVIEW)
        moving = {
            code
            for code in (e.code for e in EVENT_TYPES)
            if procedure.stages_entered(code, {"outcome": "passed"})
        }
        assert moving == {
            "review.submitted",
            "review.resubmitted",
            "review.assigned",
            "review.opinion",
            "review.disputed",
            "review.escalated",
            "review.discussion",
            "review.gate_passed",
        }
        assert all(codes_of(code) for code in moving)  # all registered with the ledger

    def test_a_review_that_fails_then_passes_then_decides_follows_the_chart(self):
        case = case_at_defence(self.w)
        round_ = failed(self.w, assigned(self.w, case))
        # The resubmission goes straight back to the same reviewer.
        round_ = services.resubmit(
            actor=self.w.officer, case_id=case.pk, materials=MATERIALS, response="已补充。"
        )
        services.review(
            actor=self.w.reviewer,
            round_id=round_.pk,
            marks=all_passed(),
            agree=True,
            opinion_text="同意。",
        )
        transition(actor=self.w.head, case_id=case.pk, target="decision")
        stages = walk(case.pk)
        assert stages == [
            "submitted",
            "assigned",
            "failed",
            "submitted",
            "assigned",
            "passed",
            "decision",
        ]
        assert_follows_the_definition(stages)

    def test_a_dispute_and_a_discussion_follow_the_chart(self):
        case = case_at_defence(self.w)
        round_ = failed(self.w, assigned(self.w, case))
        services.dispute(actor=self.w.officer, round_id=round_.pk, reason="裁量适当。")
        services.record_discussion(
            actor=self.w.head,
            case_id=case.pk,
            held_on=timezone.localdate(),
            attendees=["负责人", "法制股长", "承办人"],
            outcome="no_decision",
            minutes="不予作出该处罚决定。",
        )
        stages = walk(case.pk)
        assert stages[-2:] == ["discussion", "no_decision"]
        assert_follows_the_definition(stages)

    def test_the_chart_is_drawn_with_every_stage_and_the_agency_review_period(self):
        svg = render_svg(procedure.LEGAL_REVIEW, figures={"review": (5, "working")})
        for stage in procedure.LEGAL_REVIEW.stages:
            assert stage.label in svg
        assert "出具法制审核意见 5个工作日" in svg and "重大执法决定法制审核流程图" in svg
