"""A decision is published from its issued 决定书 only (issue 10 item 11): no document, no
publication; a 简易程序 case from its 当场行政处罚决定书, not from the draft's text."""

from __future__ import annotations

import pytest

from sanxiang.cases.models import Case
from sanxiang.cases.testing import person
from sanxiang.disclosure import services
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.documents import builders
from sanxiang.documents.queries import sheet_from_case
from sanxiang.documents.services import issue_document
from sanxiang.lib.errors import DomainError

from .helpers import DisclosureTestCase, decided_case

FACTS = "经查，当事人张三于2026年3月在兴隆台区某路8号散发宗教宣传品。"


class IssuedDocumentOnly(DisclosureTestCase):
    def test_publishing_before_any_decision_document_is_refused_and_nothing_changes(self):
        case = decided_case(self.w, issue=False)
        item = Publication.objects.get(case=case)
        with pytest.raises(DomainError) as err:
            services.publish(actor=self.w.head, publication_id=item.pk)
        assert err.value.code == "decision_document_required"
        assert "《行政处罚决定书》" in err.value.message
        item.refresh_from_db()
        assert item.status == PublicationStatus.QUEUED and item.ledger_entry_id is None

    def test_a_summary_case_publishes_the_body_of_its_on_the_spot_decision(self):
        case = decided_case(
            self.w,
            procedure="penalty_summary",
            kind="warning",
            fine=None,
            parties=[person("张三")],
            issue=False,
        )
        Case.objects.filter(pk=case.pk).update(facts=FACTS)
        item = Publication.objects.get(case=case)
        with pytest.raises(DomainError) as err:
            services.publish(actor=self.w.head, publication_id=item.pk)
        assert "《当场行政处罚决定书》" in err.value.message
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="on_the_spot_decision")
        item = services.publish(actor=self.w.head, publication_id=item.pk)
        sheet = sheet_from_case(Case.objects.get(pk=case.pk), issued_before=doc.pk)
        served = "\n".join(p.text for p in builders.on_the_spot_decision_body(sheet))
        assert item.source_text == served
        assert "第五十一条、第五十二条" in item.source_text  # the form's own wording
        assert "散发宗教宣传品" in item.source_text  # the facts as served, in the form's table
        assert "张某" in item.masked_text and "张三" not in item.masked_text
