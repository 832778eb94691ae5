"""One 送达回证 per party (h10a item 4): 民事诉讼法 第87条, as 行政处罚法 第61条 applies it, wants
the 受送达人's own signed receipt. A decision naming two parties is delivered only once each has
one; a document issued for one party wants that party's."""

from __future__ import annotations

import pytest

from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import company, open_test_case, person
from sanxiang.documents.guards import lacking_receipts
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.lib.errors import DomainError

from .helpers import QuickDocumentsTestCase, fine_draft

COMPANY = "某文化传播有限公司"
PERSON = "张某"


class OneReceiptPerParty(QuickDocumentsTestCase):
    def two_party_decision(self) -> Case:
        case = open_test_case(self.w, parties=[company(), person()], title="两当事人共同违法案")
        save_draft(actor=self.w.officer, case_id=case.pk, data=DraftData(**fine_draft()))
        Case.objects.filter(pk=case.pk).update(stage="decision")  # test placement
        issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        return case

    def party(self, case: Case, name: str) -> int:
        return int(case.parties.get(name=name).pk)

    def refused_delivery(self, case: Case) -> DomainError:
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.officer, case_id=case.pk, target="delivery")
        assert caught.value.code == "document_required"
        assert Case.objects.get(pk=case.pk).stage == "decision"
        return caught.value

    def test_one_receipt_for_both_parties_does_not_deliver_to_either(self):
        case = self.two_party_decision()
        issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
        error = self.refused_delivery(case)
        assert f"尚未向{COMPANY}、{PERSON}送达" in error.message
        assert "每名受送达人" in error.message and "第87条" in error.message

    def test_the_party_without_a_receipt_is_named_in_the_refusal(self):
        case = self.two_party_decision()
        issue_document(
            actor=self.w.officer,
            case_id=case.pk,
            kind="delivery_receipt",
            party_id=self.party(case, COMPANY),
        )
        error = self.refused_delivery(case)
        assert f"尚未向{PERSON}送达" in error.message and COMPANY not in error.message

    def test_a_receipt_of_each_party_delivers_the_decision(self):
        case = self.two_party_decision()
        for name in (COMPANY, PERSON):
            issue_document(
                actor=self.w.officer,
                case_id=case.pk,
                kind="delivery_receipt",
                party_id=self.party(case, name),
            )
        moved = transition(actor=self.w.officer, case_id=case.pk, target="delivery")
        assert moved.stage == "delivery"

    def test_a_receipt_before_the_decision_does_not_count_for_its_party(self):
        case = open_test_case(self.w, parties=[company(), person()], title="两当事人共同违法案")
        save_draft(actor=self.w.officer, case_id=case.pk, data=DraftData(**fine_draft()))
        Case.objects.filter(pk=case.pk).update(stage="decision")
        issue_document(
            actor=self.w.officer,
            case_id=case.pk,
            kind="delivery_receipt",
            party_id=self.party(case, PERSON),
        )
        issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        issue_document(
            actor=self.w.officer,
            case_id=case.pk,
            kind="delivery_receipt",
            party_id=self.party(case, COMPANY),
        )
        assert f"尚未向{PERSON}送达" in self.refused_delivery(case).message

    def test_a_document_issued_for_one_party_wants_that_partys_receipt(self):
        case = open_test_case(self.w, parties=[company(), person()], title="两当事人共同违法案")
        Case.objects.filter(pk=case.pk).update(stage="investigation")
        ours, theirs = self.party(case, COMPANY), self.party(case, PERSON)
        issue_document(
            actor=self.w.officer, case_id=case.pk, kind="evidence_preservation", party_id=ours
        )
        kinds = ("evidence_preservation",)
        assert [p.name for p in lacking_receipts(case.pk, kinds)[1]] == [COMPANY]
        Case.objects.filter(pk=case.pk).update(stage="decision")  # where receipts are issued
        # The other party's receipt delivers nothing addressed to this one.
        issue_document(
            actor=self.w.officer, case_id=case.pk, kind="delivery_receipt", party_id=theirs
        )
        assert [p.name for p in lacking_receipts(case.pk, kinds)[1]] == [COMPANY]
        issue_document(
            actor=self.w.officer, case_id=case.pk, kind="delivery_receipt", party_id=ours
        )
        assert lacking_receipts(case.pk, kinds)[1] == []

    def test_a_single_partys_case_is_delivered_by_its_one_receipt(self):
        case = open_test_case(self.w, parties=[company()])
        save_draft(actor=self.w.officer, case_id=case.pk, data=DraftData(**fine_draft()))
        Case.objects.filter(pk=case.pk).update(stage="decision")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="delivery_receipt")
        assert transition(actor=self.w.officer, case_id=case.pk, target="delivery").stage == (
            "delivery"
        )

    def test_the_services_walk_issues_a_receipt_for_each_party(self):
        case = self.two_party_decision()
        moved = take_step(self.w.officer, case.pk, "delivery")
        assert moved.stage == "delivery"
        receipts = IssuedDocument.objects.filter(case=case, kind="delivery_receipt")
        assert receipts.count() == 2
