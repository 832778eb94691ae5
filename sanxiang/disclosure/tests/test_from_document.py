"""Publication from the issued document (issue 10 item 11): the full text on the portal is the
masked body of the 决定书 as served — its facts, the provisions violated and applied, the kinds
decided and the remedies — so what the portal shows is what was served."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.utils.html import escape
from docx import Document

from sanxiang.cases.models import Case, DecisionDraft
from sanxiang.cases.testing import person
from sanxiang.disclosure import masking, services
from sanxiang.disclosure.models import Publication
from sanxiang.documents import builders
from sanxiang.documents.content import Para
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import read_file, sheet_from_case
from sanxiang.documents.services import issue_document
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.records.tests.helpers import staff_client

from .helpers import DisclosureTestCase, decided_case

FACTS = "经查，当事人张三于2026年3月在兴隆台区某路8号组织未经批准的宗教活动，参加者约三十人。"


def served_body(doc: IssuedDocument, case: Case) -> str:
    """The body of the served DOCX: its paragraphs from "…一案" up to the remedy clause."""
    paragraphs = [p.text for p in Document(io.BytesIO(read_file(doc, "docx"))).paragraphs]
    start = next(i for i, t in enumerate(paragraphs) if "一案，本机关于" in t)
    end = next(i for i, t in enumerate(paragraphs) if t.startswith("如不服"))
    return "\n".join(paragraphs[start : end + 1])


class PublicationFromDocumentTest(DisclosureTestCase):
    def decided(self) -> Case:
        case = decided_case(
            self.w, parties=[person("张三", address="辽宁省盘锦市兴隆台区某路8号")], issue=False
        )
        # The facts found, as the officer records them before the decision document is issued
        # (test set-up; the cases app has its own tests of editing them).
        Case.objects.filter(pk=case.pk).update(facts=FACTS)
        return Case.objects.get(pk=case.pk)

    def issued(self, case: Case) -> IssuedDocument:
        return issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")

    def test_the_portal_shows_the_masked_body_of_the_served_decision(self) -> None:
        case = self.decided()
        doc = self.issued(case)
        item = services.publish(
            actor=self.w.head, publication_id=Publication.objects.get(case=case).pk
        )
        body = served_body(doc, case)
        assert item.source_text == body  # the unmasked text is the served document's body
        expected = masking.masked_text(body, masking.spans_for(body, case, ()))
        assert item.masked_text == expected
        assert "张某" in expected and "张三" not in expected
        assert "《宗教事务条例》第七十一条" in expected  # the provision applied
        assert "罚款人民币5,000.00元" in expected  # the kind and amount decided
        assert "申请行政复议" in expected and "提起行政诉讼" in expected  # the remedies
        page = Client().get(f"/gongshi/jueding/{item.pk}/").content.decode()
        assert all(escape(line) in page for line in expected.split("\n"))

    def test_the_ledger_names_the_document_the_text_was_taken_from(self) -> None:
        case = self.decided()
        doc = self.issued(case)
        item = services.publish(
            actor=self.w.head, publication_id=Publication.objects.get(case=case).pk
        )
        assert item.ledger_entry_id is not None
        entry = Entry.objects.get(pk=item.ledger_entry_id)
        payload = json.loads(entry.payload)
        assert payload["document"] == doc.pk
        assert payload["document_content_sha256"] == doc.content_sha256
        assert set(payload["content_fields"]) >= {"text", "outcome", "party"}

    def test_facts_changed_after_issue_cannot_change_the_publication(self) -> None:
        case = self.decided()
        self.issued(case)
        Case.objects.filter(pk=case.pk).update(facts="事后改写的事实。")
        item = Publication.objects.get(case=case)
        with pytest.raises(DomainError) as refused:
            services.publish(actor=self.w.head, publication_id=item.pk)
        assert refused.value.code == "conflict"
        assert "重新制发" in refused.value.message
        assert Publication.objects.get(pk=item.pk).status == "queued"
        assert not Entry.objects.filter(event_type="disclosure.published").exists()

    def test_a_draft_row_changed_after_issue_does_not_reach_the_portal(self) -> None:
        case = self.decided()
        doc = self.issued(case)
        # Behind the application's back: the live draft now says something else.
        DecisionDraft.objects.filter(case=case).update(legal_basis="《另一条例》第一条")
        item = services.publish(
            actor=self.w.head, publication_id=Publication.objects.get(case=case).pk
        )
        assert "另一条例" not in item.masked_text
        assert item.source_text == served_body(doc, case)

    def test_the_decision_body_is_one_function_for_the_document_and_the_portal(self) -> None:
        case = self.decided()
        sheet = sheet_from_case(case)
        blocks = builders.penalty_decision(sheet)
        body = builders.decision_body("penalty_decision", sheet)
        assert blocks[len(blocks) - len(body) :] == body
        assert all(isinstance(b, Para) for b in body)
        assert not any(p.text.startswith(("当事人：", "身份证号码", "住址")) for p in body)

    def test_masks_staff_added_on_the_draft_text_are_carried_to_the_document_text(self) -> None:
        case = self.decided()
        item = Publication.objects.get(case=case)
        # 保密审查 before the 决定书 was issued, on the draft's text (which names 王五).
        services.add_mask(
            actor=self.w.head, publication_id=item.pk, phrase="兴隆台区", reason="地名可识别住所"
        )
        self.issued(case)
        published = services.publish(actor=self.w.head, publication_id=item.pk)
        assert "兴隆台区" not in published.masked_text
        assert published.source_text.count("兴隆台区") >= 1
        assert published.mask_overrides.filter(action="add").exists()

    def test_before_a_decision_is_issued_the_preview_says_the_draft_stands_in(self) -> None:
        case = self.decided()
        item = Publication.objects.get(case=case)
        client = staff_client(self.w.head)
        page = client.get(f"/disclosure/{item.pk}/").content.decode()
        assert 'data-testid="source-draft"' in page
        doc = self.issued(case)
        page = client.get(f"/disclosure/{item.pk}/").content.decode()
        assert 'data-testid="source-document"' in page and doc.number in page
        assert escape("本机关决定对当事人作出如下行政处罚") in page


class KnownDetailsTest(DisclosureTestCase):
    def test_an_unlabelled_tail_of_a_partys_address_in_the_facts_is_masked(self) -> None:
        case = decided_case(
            self.w, parties=[person("张三", address="辽宁省盘锦市兴隆台区某路8号")], issue=False
        )
        text = "当事人于2026年3月在兴隆台区某路8号组织宗教活动。"
        spans = masking.spans_for(text, case, ())
        masked = masking.masked_text(text, spans)
        assert "某路8号" not in masked and "组织宗教活动" in masked
        assert any(s.kind == "address" and "本案当事人" in s.why for s in spans)

    def test_address_tails_are_cut_after_each_division_and_short_ones_are_not_guessed(self) -> None:
        assert masking._address_forms("辽宁省盘锦市兴隆台区某路8号") == [
            "辽宁省盘锦市兴隆台区某路8号",
            "盘锦市兴隆台区某路8号",
            "兴隆台区某路8号",
        ]
        assert masking._address_forms("某区8号") == []
