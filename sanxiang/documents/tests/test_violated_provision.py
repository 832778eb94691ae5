"""A 行政处罚决定书 names the provision violated (行政处罚法 第59条): a draft without it is refused
at issue and at submission for review, never served as "违反了____的规定"."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanxiang.cases.no_penalty import prepare_no_penalty
from sanxiang.cases.services import DraftData, save_draft
from sanxiang.catalog.models import MatterVersion
from sanxiang.documents.builders import build
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import sheet_from_case
from sanxiang.documents.render_pdf import render_pdf
from sanxiang.documents.services import issue_document
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.review import services as review
from sanxiang.review.testing import MATERIALS

from .helpers import QuickDocumentsTestCase, case_at, fine_draft, pdf_text, squeeze


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
        prepare_no_penalty(
            actor=self.w.officer, case_id=case.pk, ground="minor_corrected", reasons="已改正"
        )
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


class NoticeNamesTheProvisions(QuickDocumentsTestCase):
    """行政处罚法 第44条: the 事先告知书 states the intended penalty and its 依据 — never
    "违反了____的规定" (h10a item 2)."""

    def refused_notice(self, case) -> DomainError:
        with pytest.raises(DomainError) as err:
            issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_notice")
        assert not IssuedDocument.objects.filter(case=case).exists()
        return err.value

    def test_the_notice_without_a_draft_is_refused_citing_article_44(self):
        error = self.refused_notice(case_at(self.w, "case_review"))
        assert error.code == "violated_provision_required"
        assert "拟作出的行政处罚内容" in error.message and "违反的条款" in error.message
        assert "第44条" in error.message

    def test_the_notice_whose_draft_names_no_violated_provision_is_refused(self):
        case = case_at(self.w, "case_review", **(fine_draft() | {"violated_provision": " "}))
        error = self.refused_notice(case)
        assert error.code == "violated_provision_required" and error.field == "violated_provision"
        assert "违反的条款" in error.message and "决定草稿）" not in error.message

    def test_the_notice_without_any_applied_provision_is_refused(self):
        case = case_at(self.w, "case_review", **(fine_draft() | {"legal_basis": ""}))
        MatterVersion.objects.filter(matter=case.matter).update(legal_basis=[])
        error = self.refused_notice(case)
        assert error.code == "violated_provision_required" and "处罚依据" in error.message

    def test_the_issued_notice_prints_both_provisions_and_no_blank(self):
        case = case_at(self.w, "case_review", **fine_draft())
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_notice")
        kind = get_kind("penalty_notice")
        assert kind is not None
        day = timezone.localdate(doc.issued_at)
        content = build(kind, sheet_from_case(case), number=doc.number, issued_on=day)
        assert content.sha256() == doc.content_sha256  # what was issued is what is read here
        text = squeeze(pdf_text(render_pdf(content)))
        assert "违反了《宗教事务条例》第四十一条的规定" in text
        assert "依据《宗教事务条例》第七十一条" in text
        assert "违反了＿" not in text and "违反了____" not in text

    def test_the_api_answers_the_notice_refusal_with_the_stable_code(self):
        from sanxiang.testing import signed_in

        case = case_at(self.w, "case_review")
        response = signed_in(self.w.officer).post(
            "/api/v1/documents",
            {"case_id": case.pk, "kind": "penalty_notice"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "violated_provision_required"
