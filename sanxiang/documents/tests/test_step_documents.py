"""Step-bound documents (issue 10, item 2): a step whose definition requires a document is
refused without it (``document_required``, naming the document and the article), through the
service and the API, and nothing is written; the stage that needs the form offers it."""

from __future__ import annotations

import pytest

from sanxiang.cases.models import Case
from sanxiang.cases.no_penalty import prepare_no_penalty
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import allowed_kinds
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import DEFINITIONS, StageRole
from sanxiang.testing import signed_in

from .helpers import QuickDocumentsTestCase, case_at, fine_draft


def refused(fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == "document_required", caught.value.message
    return caught.value


def transitions_of(case: Case) -> int:
    return Entry.objects.filter(case_id=case.pk, event_type="case.transition").count()


class PenaltyNotice(QuickDocumentsTestCase):
    def at_review(self) -> Case:
        case = open_test_case(self.w, parties=[company()], title="某公司违规组织宗教活动")
        take_step(self.w.head, case.pk, "investigation")
        return take_step(self.w.officer, case.pk, "case_review")

    def test_notice_is_refused_by_the_service_without_the_penalty_notice(self):
        case = self.at_review()
        before = transitions_of(case)
        error = refused(transition, actor=self.w.officer, case_id=case.pk, target="notice")
        assert "《行政处罚事先告知书》" in error.message
        assert "第44条" in error.message
        # Nothing half-written: the stage and the ledger are as they were.
        assert Case.objects.get(pk=case.pk).stage == "case_review"
        assert transitions_of(case) == before

    def test_notice_is_refused_through_the_api_with_the_code_and_the_document_named(self):
        case = self.at_review()
        response = signed_in(self.w.officer).post(
            f"/api/v1/cases/{case.pk}/transitions",
            {"target": "notice", "expected_stage": "case_review"},
            content_type="application/json",
        )
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "document_required"
        assert "行政处罚事先告知书" in error["message"]
        assert Case.objects.get(pk=case.pk).stage == "case_review"

    def test_the_review_stage_offers_the_notice_and_once_issued_the_step_goes(self):
        case = self.at_review()
        save_draft(actor=self.w.officer, case_id=case.pk, data=DraftData(**fine_draft()))
        assert "penalty_notice" in {k.code for k in allowed_kinds(case)}
        issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_notice")
        moved = transition(actor=self.w.officer, case_id=case.pk, target="notice")
        assert moved.stage == "notice"


class DecisionDelivered(QuickDocumentsTestCase):
    def test_delivery_is_refused_without_the_decision_document(self):
        case = case_at(self.w, "decision", **fine_draft())
        error = refused(transition, actor=self.w.officer, case_id=case.pk, target="delivery")
        assert "《行政处罚决定书》或《不予行政处罚决定书》" in error.message
        assert "第61条" in error.message

    def test_delivery_is_refused_until_a_receipt_follows_the_decision_document(self):
        case = case_at(self.w, "decision", **fine_draft())
        # A 送达回证 issued before the decision document does not deliver it.
        issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        error = refused(transition, actor=self.w.officer, case_id=case.pk, target="delivery")
        assert "须先送达并制发《送达回证》" in error.message
        issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
        assert transition(actor=self.w.officer, case_id=case.pk, target="delivery").stage == (
            "delivery"
        )

    def test_a_no_penalty_decision_delivered_serves_too(self):
        case = case_at(
            self.w, "decision", kind="no_penalty", legal_basis="《行政处罚法》第三十三条"
        )
        prepare_no_penalty(
            actor=self.w.officer, case_id=case.pk, ground="minor_corrected", reasons="已改正"
        )
        issue_document(actor=self.w.officer, case_id=case.pk, kind="no_penalty_decision")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
        assert transition(actor=self.w.officer, case_id=case.pk, target="delivery").stage == (
            "delivery"
        )


class SummaryAndCoercion(QuickDocumentsTestCase):
    def test_a_summary_decision_is_not_handed_over_without_the_on_the_spot_form(self):
        case = open_test_case(self.w, procedure="penalty_summary")
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(
                violated_provision="《宗教事务条例》第四十一条",
                kind="warning",
                legal_basis="《宗教事务条例》第六十五条",
            ),
        )
        for target in ("notice", "decision"):
            transition(actor=self.w.officer, case_id=case.pk, target=target)
        error = refused(transition, actor=self.w.officer, case_id=case.pk, target="delivery")
        assert "《当场行政处罚决定书》" in error.message and "第52条" in error.message
        case = Case.objects.get(pk=case.pk)
        assert "on_the_spot_decision" in {k.code for k in allowed_kinds(case)}
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="on_the_spot_decision")
        assert doc.number.startswith("测民宗当罚字")  # 第52条: 编有号码
        assert transition(actor=self.w.officer, case_id=case.pk, target="delivery").stage == (
            "delivery"
        )

    def test_a_seizure_is_not_ended_without_its_site_record(self):
        case = case_at(self.w, "execution", procedure="coercion")
        error = refused(transition, actor=self.w.head, case_id=case.pk, target="closing")
        assert "《现场笔录》" in error.message and "行政强制法 第18条" in error.message
        assert "site_record" in {k.code for k in allowed_kinds(case)}
        issue_document(actor=self.w.officer, case_id=case.pk, kind="site_record")
        assert transition(actor=self.w.head, case_id=case.pk, target="closing").stage == ("closing")

    def test_the_helper_issues_what_the_step_needs_through_the_service(self):
        case = case_at(self.w, "decision", **fine_draft())
        take_step(self.w.officer, case.pk, "delivery")
        kinds = list(
            IssuedDocument.objects.filter(case=case).order_by("pk").values_list("kind", flat=True)
        )
        assert kinds == ["penalty_decision", "delivery_receipt"]
        issued = Entry.objects.filter(case_id=case.pk, event_type="document.issued").count()
        assert issued == 2


def test_every_required_document_is_a_known_kind_offered_where_the_step_starts():
    for definition in DEFINITIONS.values():
        for step in definition.steps:
            for need in step.requires:
                assert need.kinds and need.basis, (definition.code, step)
                for code in need.kinds:
                    kind = get_kind(code)
                    assert kind is not None, code
                    if kind.decision:
                        # Decision documents are offered at the decision stage, or where the
                        # decision ends the case (不予处罚 at 审查, offering it).
                        ends = definition.is_closed(step.target) and kind.title in step.documents
                        assert definition.has_role(step.source, StageRole.DECISION) or ends, code
                    else:
                        leaving = definition.next_steps(step.source)
                        titles = {t for s in leaving for t in s.documents}
                        assert kind.title in titles, (definition.code, step.source, code)
