"""A 行政处罚决定书 names the provision violated (行政处罚法 第59条): a draft without it is refused
at issue and at submission for review, never served as "违反了____的规定"."""

from __future__ import annotations

import pytest

from sanxiang.cases.services import DraftData, save_draft
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.services import issue_document
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.review import services as review
from sanxiang.review.testing import MATERIALS

from .helpers import QuickDocumentsTestCase, case_at, fine_draft


class ViolatedProvision(QuickDocumentsTestCase):
    def test_a_decision_whose_draft_names_no_violated_provision_is_refused_at_issue(self):
        case = case_at(self.w, "decision", **(fine_draft() | {"violated_provision": "  "}))
        with pytest.raises(DomainError) as err:
            issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        assert err.value.code == "violated_provision_required"
        assert "违反的条款" in err.value.message and "第59条" in err.value.message
        assert err.value.field == "violated_provision"
        assert not IssuedDocument.objects.filter(case=case).exists()

    def test_a_decision_naming_the_provision_is_issued(self):
        case = case_at(self.w, "decision", **fine_draft())
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        assert doc.number

    def test_a_no_penalty_decision_needs_no_violated_provision(self):
        case = case_at(self.w, "decision", kind="no_penalty", legal_basis="第三十三条")
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="no_penalty_decision")
        assert doc.kind == "no_penalty_decision"

    def test_the_api_answers_with_the_stable_code(self):
        from sanxiang.testing import signed_in

        case = case_at(self.w, "decision", **(fine_draft() | {"violated_provision": ""}))
        response = signed_in(self.w.officer).post(
            "/api/v1/documents",
            {"case_id": case.pk, "kind": "penalty_decision"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "violated_provision_required"

    def test_submitting_a_penalty_draft_without_it_for_review_is_refused(self):
        text = {"text": "罚款五千元。"}
        case = case_at(self.w, "defence", **(fine_draft() | text | {"violated_provision": ""}))
        with pytest.raises(ValidationFailed) as err:
            review.submit(actor=self.w.officer, case_id=case.pk, materials=MATERIALS)
        assert "违反的条款" in err.value.message
        save_draft(actor=self.w.officer, case_id=case.pk, data=DraftData(**(fine_draft() | text)))
        assert review.submit(actor=self.w.officer, case_id=case.pk, materials=MATERIALS)
