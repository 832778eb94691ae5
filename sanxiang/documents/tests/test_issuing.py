from __future__ import annotations

import hashlib
import json

import pytest
from django.core.files.storage import default_storage

from sanxiang.accounts.models import User
from sanxiang.cases.models import Case
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import (
    allowed_kinds,
    for_case_file,
    read_file,
    verification_url,
)
from sanxiang.documents.services import issue_document, record_download
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.testing import WorldTestCase

from .helpers import QuickDocumentsTestCase, case_at, fine_draft


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def refused_issue(code: str, actor: User, case_id: int, kind: str) -> DomainError:
    return refused(code, issue_document, actor=actor, case_id=case_id, kind=kind)


class IssuingForReal(WorldTestCase):
    def test_issuing_stores_both_files_under_their_hash_and_writes_the_ledger(self):
        case = case_at(self.w, "decision", **fine_draft())
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        for name, digest in ((doc.pdf_name, doc.pdf_sha256), (doc.docx_name, doc.docx_sha256)):
            assert digest in name
            with default_storage.open(name, "rb") as f:
                assert hashlib.sha256(f.read()).hexdigest() == digest
        entry = Entry.objects.get(event_type="document.issued", case_id=case.pk)
        payload = json.loads(entry.payload)
        assert payload["number"] == doc.number
        assert payload["pdf_sha256"] == doc.pdf_sha256
        assert payload["docx_sha256"] == doc.docx_sha256

    def test_the_case_file_export_receives_each_issued_pdf_checked_against_its_hash(self):
        case = case_at(self.w, "decision", **fine_draft())
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        [filed] = for_case_file(case)
        assert filed.title == f"{doc.title} {doc.number}"
        assert hashlib.sha256(filed.pdf_bytes()).hexdigest() == doc.pdf_sha256


class IssuingADocument(QuickDocumentsTestCase):
    def test_a_decision_links_to_the_public_verification_page_with_its_content_hash(self):
        case = case_at(self.w, "decision", **fine_draft())
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        url = verification_url(doc)
        assert url.startswith("http://127.0.0.1:8000/gongshi/verify/?doc=")
        assert f"sha256={doc.content_sha256}" in url

    def test_a_single_per_case_kind_issued_twice_is_a_conflict(self):
        case = case_at(self.w, "decision", **fine_draft())
        issue_document(actor=self.w.officer, case_id=case.pk, kind="penalty_decision")
        refused_issue("conflict", self.w.officer, case.pk, "penalty_decision")
        assert IssuedDocument.objects.count() == 1

    def test_a_record_may_be_issued_more_than_once(self):
        case = case_at(self.w, "investigation")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_record")
        issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_record")
        assert IssuedDocument.objects.filter(kind="inquiry_record").count() == 2

    def test_a_kind_the_stage_does_not_produce_is_refused_naming_what_is_allowed(self):
        case = case_at(self.w, "investigation", **fine_draft())
        error = refused_issue("conflict", self.w.officer, case.pk, "penalty_decision")
        assert "询问笔录" in error.message

    def test_a_decision_without_a_draft_is_refused(self):
        case = case_at(self.w, "decision")
        refused_issue("validation_error", self.w.officer, case.pk, "penalty_decision")

    def test_an_unknown_kind_is_refused(self):
        case = case_at(self.w, "decision")
        refused_issue("validation_error", self.w.officer, case.pk, "bogus")

    def test_the_stage_decides_which_kinds_are_offered(self):
        case = case_at(self.w, "case_review")
        # 审查 leads to the 告知, to 不予处罚 (第57条: its decision and receipt) or, a crime
        # suspected, to the judicial organ (第27条).
        offered = [k.code for k in allowed_kinds(case)]
        assert offered == [
            "penalty_notice",
            "no_penalty_decision",
            "address_confirmation",
            "delivery_receipt",
            "case_transfer",
        ]
        archived = case_at(self.w, "archived")
        assert allowed_kinds(archived) == []

    def test_a_no_penalty_draft_offers_the_no_penalty_decision_instead(self):
        case = case_at(self.w, "decision", kind="no_penalty", legal_basis="第三十三条")
        codes = [k.code for k in allowed_kinds(case)]
        assert "no_penalty_decision" in codes and "penalty_decision" not in codes

    def test_a_licence_case_offers_its_own_documents(self):
        case = case_at(self.w, "application", procedure="licence")
        # 受理, 补正, or 不予受理 (行政许可法 第32条).
        offered = {k.code for k in allowed_kinds(case)}
        assert offered == {"acceptance_notice", "supplement_notice", "licence_rejection"}
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="acceptance_notice")
        assert "受字〔" in doc.number

    def test_issued_documents_are_write_once(self):
        case = case_at(self.w, "investigation")
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_record")
        with pytest.raises(RuntimeError):
            doc.save()
        with pytest.raises(RuntimeError):
            doc.delete()

    def test_a_tampered_file_is_refused_on_download(self):
        case = case_at(self.w, "investigation")
        doc = issue_document(actor=self.w.officer, case_id=case.pk, kind="inquiry_record")
        default_storage.delete(doc.pdf_name)
        default_storage.save(doc.pdf_name, __import__("io").BytesIO(b"%PDF forged"))
        with pytest.raises(DomainError) as caught:
            read_file(doc, "pdf")
        assert caught.value.code == "conflict"


class WhoMayIssueAndRead(QuickDocumentsTestCase):
    case: Case
    doc: IssuedDocument

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = case_at(cls.w, "investigation")
        cls.doc = issue_document(actor=cls.w.officer, case_id=cls.case.pk, kind="inquiry_record")

    def issue(self, user: User) -> IssuedDocument:
        return issue_document(actor=user, case_id=self.case.pk, kind="inquiry_record")

    def test_the_head_may_issue(self):
        assert self.issue(self.w.head).issued_by == self.w.head

    def test_the_supervisor_may_not_issue(self):
        refused("forbidden", self.issue, user=self.w.supervisor)

    def test_a_reviewer_may_not_issue(self):
        refused("forbidden", self.issue, user=self.w.reviewer)

    def test_an_officer_of_another_agency_finds_nothing(self):
        refused("not_found", self.issue, user=self.w.other_officer)
        refused(
            "not_found",
            record_download,
            actor=self.w.other_officer,
            document_id=self.doc.pk,
            fmt="pdf",
        )

    def test_an_officer_of_the_agency_off_the_team_may_not_issue_or_read(self):
        case = case_at(self.w, "investigation")
        from sanxiang.cases.models import CaseMember

        CaseMember.objects.filter(case=case, officer__user=self.w.officer2).update(recused=True)
        refused_issue("forbidden", self.w.officer2, case.pk, "inquiry_record")

    def test_team_head_reviewer_and_supervisor_may_download_and_each_look_is_logged(self):
        for user in (self.w.officer, self.w.head, self.w.reviewer, self.w.supervisor):
            record_download(actor=user, document_id=self.doc.pk, fmt="docx")
        looks = Entry.objects.filter(event_type="document.downloaded", case_id=self.case.pk)
        assert sorted(a or 0 for a in looks.values_list("actor_id", flat=True)) == sorted(
            u.pk for u in (self.w.officer, self.w.head, self.w.reviewer, self.w.supervisor)
        )

    def test_the_admin_may_not_read_case_documents(self):
        refused(
            "forbidden", record_download, actor=self.w.admin, document_id=self.doc.pk, fmt="pdf"
        )

    def test_a_bad_format_is_refused(self):
        refused(
            "validation_error",
            record_download,
            actor=self.w.officer,
            document_id=self.doc.pk,
            fmt="exe",
        )
