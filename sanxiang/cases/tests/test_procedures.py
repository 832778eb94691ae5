"""Each procedure's happy path through the one transition service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sanxiang.cases.models import Case, DeadlineStatus, DecisionDraft
from sanxiang.cases.queries import had_stage
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import (
    company,
    hold_hearing,
    open_test_case,
    person,
    working_days_before,
)
from sanxiang.coercion.services import release
from sanxiang.coercion.testing import record_items
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step, waive_periods
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.licensing.testing import record_terms
from sanxiang.procedures import engine
from sanxiang.review.testing import pass_review
from sanxiang.testing import WorldTestCase


class HappyPaths(WorldTestCase):
    def walk(self, case: Case, path: list[tuple[str, str]]) -> Case:
        for target, who in path:
            actor = self.w.head if who == "head" else self.w.officer
            # With the documents the step requires and, before a decision, the party's waiver.
            case = take_step(actor, case.pk, target)
            assert case.stage == target
        return case

    def test_ordinary_penalty_with_a_hearing_from_filing_to_archive(self):
        # The hearing is notified 7 working days before it is held (行政处罚法 第64条), so the
        # case reached it that long ago and is decided today, the hearing's day.
        notified = working_days_before(timezone.localdate(), 7)
        case = open_test_case(self.w, parties=[company()], opened_on=notified)
        for target, actor in [
            ("investigation", self.w.head),
            ("case_review", self.w.officer),
            ("notice", self.w.officer),
            ("hearing", self.w.officer),
        ]:
            case = take_step(actor, case.pk, target, on=notified)
        hold_hearing(self.w, case.pk, notified_on=notified)
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(
                violated_provision="《宗教事务条例》第四十一条",
                kind="fine",
                fine_amount="5000",
                legal_basis="条例第71条",
                text="罚款五千元。",
            ),
        )
        # A hearing makes the decision major (法制审核目录清单): the gate wants a passing review.
        pass_review(self.w, case)
        case = self.walk(
            case,
            [
                ("decision", "head"),
                ("delivery", "officer"),
                ("execution", "officer"),
                ("closing", "head"),
                ("archived", "officer"),
            ],
        )
        assert case.decided_on == timezone.localdate()
        assert case.closed_on == timezone.localdate()
        assert had_stage(case, "hearing")
        rules = {d.rule: d.status for d in case.deadlines.all()}
        assert rules == {
            "decide": DeadlineStatus.MET,
            "deliver": DeadlineStatus.MET,
            "pay": DeadlineStatus.MET,
            "court": DeadlineStatus.MET,  # 行政强制法 第53条: stopped by the payment
        }
        assert Entry.objects.filter(case_id=case.pk, event_type="case.transition").count() == 9

    def test_a_warning_starts_no_payment_clock(self):
        case = open_test_case(self.w)
        case = self.walk(
            case,
            [("investigation", "head"), ("case_review", "officer"), ("notice", "officer")],
        )
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(violated_provision="《宗教事务条例》第四十一条", kind="warning"),
        )
        case = self.walk(
            case, [("defence", "officer"), ("decision", "head"), ("delivery", "officer")]
        )
        assert not case.deadlines.filter(rule="pay").exists()

    def test_summary_penalty_on_the_spot(self):
        case = open_test_case(self.w, procedure="penalty_summary")
        assert case.stage == "investigation"
        case = self.walk(case, [("notice", "officer")])
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(
                violated_provision="《宗教事务条例》第四十一条", kind="fine", fine_amount="200"
            ),
        )
        self.walk(
            case,
            [
                ("decision", "officer"),
                ("delivery", "officer"),
                ("execution", "officer"),
                ("closing", "head"),
                ("archived", "officer"),
            ],
        )

    def test_licence_with_supplement(self):
        case = open_test_case(self.w, procedure="licence", parties=[company()])
        assert case.stage == "application"
        assert case.deadlines.get().rule == "supplement"
        case = self.walk(
            case,
            [("supplement", "officer"), ("acceptance", "officer"), ("examination", "officer")],
        )
        record_terms(self.w.officer, case.pk)  # 行政许可法 第39条: what is granted
        save_draft(actor=self.w.officer, case_id=case.pk, data=DraftData(kind="licence_grant"))
        self.walk(case, [("decision", "head"), ("delivery", "officer"), ("archived", "officer")])
        assert case.deadlines.filter(status=DeadlineStatus.MET).count() == 3

    def test_seizure_is_approved_by_the_head_and_released(self):
        case = open_test_case(self.w, procedure="coercion")
        record_items(self.w.officer, case.pk)  # 行政强制法 第24条: the 清单 comes first
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(violated_provision="《宗教事务条例》第四十一条", kind="seizure"),
        )
        case = self.walk(case, [("decision", "head")])
        seizure = case.deadlines.get(rule="seizure")
        assert seizure.due_on == timezone.localdate() + timedelta(days=30)
        case = self.walk(case, [("delivery", "officer"), ("execution", "officer")])
        # 行政强制法 第28条: released by the head's decision, served before the case closes.
        release(actor=self.w.head, case_id=case.pk, ground="no_violation")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="seizure_release")
        self.walk(case, [("closing", "head"), ("archived", "officer")])

    def test_inspection(self):
        case = open_test_case(self.w, procedure="inspection")
        self.walk(
            case,
            [
                ("investigation", "officer"),
                ("case_review", "officer"),
                ("closing", "head"),
                ("archived", "officer"),
            ],
        )

    def test_after_transition_hooks_run_in_the_same_transaction(self):
        seen: list[tuple[str, str]] = []

        def on_decision(ctx: engine.GuardContext) -> None:
            seen.append((ctx.source, ctx.target))
            assert Case.objects.get(pk=ctx.case.pk).stage == ctx.target

        engine.register_after_transition(on_decision)
        try:
            case = open_test_case(self.w, procedure="inspection")
            transition(actor=self.w.officer, case_id=case.pk, target="investigation")
        finally:
            engine.unregister(on_decision)
        assert seen == [("filing", "investigation")]


class DecisionRules(WorldTestCase):
    def ready_for_decision(self, **kwargs) -> Case:
        case = open_test_case(self.w, **kwargs)
        for target, actor in [
            ("investigation", self.w.head),
            ("case_review", self.w.officer),
            ("notice", self.w.officer),
            ("defence", self.w.officer),
        ]:
            case = take_step(actor, case.pk, target)
        waive_periods(self.w.officer, case.pk, "decision")  # 第45条: waived in writing
        return case

    def test_a_decision_without_a_draft_is_refused(self):
        case = self.ready_for_decision()
        # The 事先告知书 needs the drafted penalty (第44条), so a case reaches here with a
        # draft: remove it behind the services (a row deleted by hand) and the guard still holds.
        DecisionDraft.objects.filter(case=case).delete()
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.head, case_id=case.pk, target="decision")
        assert caught.value.code == "validation_error"
        assert Case.objects.get(pk=case.pk).stage == "defence"

    def test_a_decision_date_before_filing_is_refused(self):
        case = self.ready_for_decision(opened_on=timezone.localdate() - timedelta(days=5))
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(violated_provision="《宗教事务条例》第四十一条", kind="warning"),
        )
        with pytest.raises(DomainError) as caught:
            transition(
                actor=self.w.head,
                case_id=case.pk,
                target="decision",
                on=case.opened_on - timedelta(days=1),
            )
        assert caught.value.code == "validation_error"
        assert "早于立案" in caught.value.message
        unchanged = Case.objects.get(pk=case.pk)
        assert unchanged.stage == "defence" and unchanged.decided_on is None

    def test_the_draft_is_frozen_once_decided(self):
        case = self.ready_for_decision()
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(violated_provision="《宗教事务条例》第四十一条", kind="warning"),
        )
        transition(actor=self.w.head, case_id=case.pk, target="decision")
        with pytest.raises(DomainError) as caught:
            save_draft(
                actor=self.w.officer,
                case_id=case.pk,
                data=DraftData(violated_provision="《宗教事务条例》第四十一条", kind="fine"),
            )
        assert caught.value.code == "conflict"

    def test_a_stale_expected_stage_is_a_conflict(self):
        case = open_test_case(self.w)
        with pytest.raises(DomainError) as caught:
            transition(
                actor=self.w.head,
                case_id=case.pk,
                target="investigation",
                expected_stage="investigation",
            )
        assert caught.value.code == "conflict"

    def test_an_officer_off_the_team_may_not_move_the_case(self):
        case = open_test_case(self.w, procedure="inspection")
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.reviewer, case_id=case.pk, target="investigation")
        assert caught.value.code == "forbidden"

    def test_the_supervisor_may_not_move_the_case(self):
        case = open_test_case(self.w, procedure="inspection")
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.supervisor, case_id=case.pk, target="investigation")
        assert caught.value.code == "forbidden"

    def test_fines_in_summary_procedure_are_capped_by_party_kind(self):
        # 行政处罚法 第51条: 公民 ≤ 200 元, 法人或者其他组织 ≤ 3,000 元.
        natural = open_test_case(self.w, procedure="penalty_summary", parties=[person()])
        with pytest.raises(DomainError) as caught:
            save_draft(
                actor=self.w.officer,
                case_id=natural.pk,
                data=DraftData(
                    violated_provision="《宗教事务条例》第四十一条",
                    kind="fine",
                    fine_amount="200.01",
                ),
            )
        assert caught.value.field == "fine_amount"
        org = open_test_case(self.w, procedure="penalty_summary", parties=[company()])
        draft = save_draft(
            actor=self.w.officer,
            case_id=org.pk,
            data=DraftData(
                violated_provision="《宗教事务条例》第四十一条", kind="fine", fine_amount="3000"
            ),
        )
        assert draft.fine_amount == Decimal("3000.00")
        with pytest.raises(DomainError):
            save_draft(
                actor=self.w.officer,
                case_id=org.pk,
                data=DraftData(
                    violated_provision="《宗教事务条例》第四十一条",
                    kind="fine",
                    fine_amount="3000.01",
                ),
            )

    def test_summary_procedure_allows_only_warning_or_fine(self):
        case = open_test_case(self.w, procedure="penalty_summary")
        with pytest.raises(DomainError) as caught:
            save_draft(
                actor=self.w.officer,
                case_id=case.pk,
                data=DraftData(violated_provision="《宗教事务条例》第四十一条", kind="suspension"),
            )
        assert caught.value.field == "kind"

    def test_a_licence_decision_cannot_be_a_fine(self):
        case = open_test_case(self.w, procedure="licence")
        with pytest.raises(DomainError) as caught:
            save_draft(
                actor=self.w.officer,
                case_id=case.pk,
                data=DraftData(
                    violated_provision="《宗教事务条例》第四十一条", kind="fine", fine_amount="1"
                ),
            )
        assert caught.value.field == "kind"
