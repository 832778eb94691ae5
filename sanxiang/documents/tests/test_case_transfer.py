"""移送司法机关 (行政处罚法 第27条): from 审查 the head closes the case by handing it to the
judicial organ, only with a 案件移送书 naming the organ and the grounds entered first."""

from __future__ import annotations

import pytest

from sanxiang.cases.models import Case
from sanxiang.cases.services import transition
from sanxiang.cases.testing import company, open_test_case
from sanxiang.cases.transfers import prepare_transfer
from sanxiang.documents.builders import build
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.queries import sheet_from_case
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError

from .helpers import QuickDocumentsTestCase

ORGAN = "盘锦市公安局兴隆台分局"


class HandingTheCaseToTheJudicialOrgan(QuickDocumentsTestCase):
    def at_review(self) -> Case:
        case = open_test_case(self.w, parties=[company()], title="某公司非法经营案")
        take_step(self.w.head, case.pk, "investigation")
        return take_step(self.w.officer, case.pk, "case_review")

    def test_the_transfer_is_refused_without_the_transfer_letter_citing_article_27(self):
        case = self.at_review()
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.head, case_id=case.pk, target="closing")
        assert caught.value.code == "document_required"
        assert "《案件移送书》" in caught.value.message and "第27条" in caught.value.message
        assert Case.objects.get(pk=case.pk).stage == "case_review"

    def test_the_letter_needs_the_organ_and_the_grounds_first(self):
        case = self.at_review()
        with pytest.raises(DomainError) as caught:
            issue_document(actor=self.w.officer, case_id=case.pk, kind="case_transfer")
        assert caught.value.code == "validation_error" and "接收机关" in caught.value.message
        for organ, grounds in (("", "涉嫌非法经营罪"), (ORGAN, "  ")):
            with pytest.raises(DomainError) as caught:
                prepare_transfer(
                    actor=self.w.officer, case_id=case.pk, organ=organ, grounds=grounds
                )
            assert caught.value.code == "validation_error"
        assert not Entry.objects.filter(case_id=case.pk, event_type="case.transfer_prepared")

    def test_with_the_letter_the_head_hands_the_case_over_and_it_is_closed(self):
        case = self.at_review()
        prepare_transfer(
            actor=self.w.officer, case_id=case.pk, organ=ORGAN, grounds="非法经营数额巨大"
        )
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="case_transfer")
        kind = get_kind("case_transfer")
        assert kind is not None
        text = str(
            build(
                kind, sheet_from_case(case), number=doc.number, issued_on=doc.issued_at.date()
            ).blocks
        )
        assert ORGAN in text and "非法经营数额巨大" in text and "第二十七条" in text
        with pytest.raises(DomainError) as caught:
            transition(actor=self.w.officer, case_id=case.pk, target="closing")
        assert caught.value.code == "forbidden"
        transition(actor=self.w.head, case_id=case.pk, target="closing")
        assert Case.objects.get(pk=case.pk).stage == "closing"

    def test_a_transfer_is_prepared_only_under_review(self):
        case = open_test_case(self.w, parties=[company()])
        with pytest.raises(DomainError) as caught:
            prepare_transfer(actor=self.w.officer, case_id=case.pk, organ=ORGAN, grounds="x")
        assert caught.value.code == "conflict"
