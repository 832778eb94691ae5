from __future__ import annotations

import json
from types import SimpleNamespace
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from sanxiang.disclosure import services, verification
from sanxiang.disclosure.models import Publication
from sanxiang.ledger import services as ledger
from sanxiang.ledger.models import Entry

from .helpers import DisclosureTestCase, decided_case, published


class VerifyingAPublishedItem(DisclosureTestCase):
    item: Publication

    def entry(self) -> Entry:
        assert self.item.ledger_entry is not None
        return self.item.ledger_entry

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = published(cls.w)
        ledger.make_checkpoint()

    def test_a_published_item_is_confirmed_against_the_signed_checkpoint(self):
        page = Client().get(f"/gongshi/verify/?item={self.item.pk}").content.decode()
        assert "验证通过" in page and "已由检查点" in page

    def test_the_verify_page_shows_what_the_register_says_of_the_decision(self):
        page = Client().get(f"/gongshi/verify/?item={self.item.pk}").content.decode()
        for fact in (self.item.doc_number, self.item.party, self.item.outcome, "有效"):
            assert fact in page, fact
        assert self.item.agency_name in page and "行政处罚" in page
        assert f"{self.item.decided_on.year}年" in page

    def test_a_withdrawn_decision_does_not_verify_and_says_since_when_and_why(self):
        item = published(self.w, text="另一份决定。")
        services.withdraw(
            actor=self.w.head, publication_id=item.pk, reason_kind="revoked", reason="复议撤销"
        )
        ledger.make_checkpoint()
        page = Client().get(f"/gongshi/verify/?item={item.pk}").content.decode()
        assert "验证未通过" in page and "已撤销" in page and "复议撤销" in page

    def test_the_item_page_carries_its_ledger_sequence_number(self):
        entry = self.entry()
        entry.refresh_from_db()
        page = Client().get(f"/gongshi/jueding/{self.item.pk}/").content.decode()
        assert f"序号 <strong>{entry.seq}</strong>" in page

    def test_an_item_doctored_in_the_database_is_rejected_with_an_explanation(self):
        Publication.objects.filter(pk=self.item.pk).update(
            masked_text="被篡改的正文", content_sha256="0" * 64
        )
        page = Client().get(f"/gongshi/verify/?item={self.item.pk}").content.decode()
        assert "验证未通过" in page and "内容在公示后被改动过" in page

    def test_a_pasted_proof_is_checked_and_a_doctored_one_rejected(self):
        proof = verification.inclusion_proof(self.entry())
        assert proof is not None
        ok = Client().post("/gongshi/verify/", {"proof": json.dumps(proof)}).content.decode()
        assert "验证通过" in ok
        entry = proof["entry"]
        entry["payload"] = entry["payload"].replace("content_sha256", "content", 1)
        bad = Client().post("/gongshi/verify/", {"proof": json.dumps(proof)}).content.decode()
        assert "验证未通过" in bad and "条目内容被改动过" in bad
        proof = verification.inclusion_proof(self.entry())
        assert proof is not None
        proof["root"] = "00" * 32
        bad = Client().post("/gongshi/verify/", {"proof": json.dumps(proof)}).content.decode()
        assert "验证未通过" in bad

    def test_garbage_instead_of_a_proof_gets_a_clear_message(self):
        response = Client().post("/gongshi/verify/", {"proof": "{not json"})
        assert response.status_code == 400 and "不是有效的 JSON" in response.content.decode()
        page = Client().post("/gongshi/verify/", {"proof": '{"seq": "x"}'}).content.decode()
        assert "验证未通过" in page
        assert Client().get("/gongshi/verify/?item=abc").status_code == 404

    def test_a_document_link_without_a_known_document_is_explained(self):
        page = Client().get("/gongshi/verify/?doc=测民宗罚决字〔2026〕第1号&sha256=ab").content
        assert "验证未通过" in page.decode()


class VerifyingAnIssuedDocument(DisclosureTestCase):
    """The documents app (another branch) provides ``document_for_verification``; stand-ins
    with its contract check this side: hash comparison, its ledger entry, the proof."""

    def documents(self, doc):
        queries = SimpleNamespace(
            document_for_verification=lambda number, sha: (
                doc if doc and number == doc.number and sha == doc.content_sha256 else None
            )
        )
        known = SimpleNamespace(exists=lambda: doc is not None)
        models = SimpleNamespace(
            IssuedDocument=SimpleNamespace(objects=SimpleNamespace(filter=lambda **kw: known))
        )
        return lambda module: {"queries": queries, "models": models}[module]

    def issued(self):
        case = decided_case(self.w)
        doc = SimpleNamespace(
            pk=41,
            case_id=case.pk,
            number="测民宗罚决字〔2026〕第1号",
            title="行政处罚决定书",
            content_sha256="ab" * 32,
        )
        with transaction.atomic():
            ledger.append(
                event_type="document.issued",
                payload={
                    "document": 41,
                    "number": doc.number,
                    "content_sha256": doc.content_sha256,
                },
                agency_id=self.w.agency.pk,
                case_id=case.pk,
            )
        ledger.make_checkpoint()
        return doc

    def test_a_matching_document_is_confirmed_with_its_ledger_entry(self):
        doc = self.issued()
        with mock.patch.object(verification, "_documents", self.documents(doc)):
            verdict = verification.verify_document(doc.number, doc.content_sha256)
        assert verdict.ok, verdict.steps
        assert "验证通过" in verdict.steps[-1][1]

    def test_the_qr_hash_alone_never_claims_the_file_was_checked(self):
        """A forged printout can copy the genuine QR: without a file the page says it found
        the register's record and shows its facts to compare, not that the file matched."""
        doc = self.issued()
        with mock.patch.object(verification, "_documents", self.documents(doc)):
            url = f"/gongshi/verify/?doc={doc.number}&sha256={doc.content_sha256}"
            page = Client().get(url).content.decode()
        assert "已找到登记记录（未核对文件）" in page and "</i> 验证通过</h2>" not in page
        assert "未核对文件本身" in page and "一致（SHA-256 相同）" not in page
        assert doc.number in page and "行政处罚决定书" in page

    def test_a_file_checked_in_the_browser_or_uploaded_is_compared_with_the_issued_one(self):
        doc = self.issued()
        with mock.patch.object(verification, "_documents", self.documents(doc)):
            base = f"/gongshi/verify/?doc={doc.number}&sha256={doc.content_sha256}"
            same = Client().get(base + f"&file_sha256={doc.content_sha256}").content.decode()
            other = Client().get(base + "&file_sha256=" + "cd" * 32).content.decode()
            garbage = Client().get(base + "&file_sha256=xyz")
            upload = (
                Client()
                .post(
                    "/gongshi/verify/",
                    {
                        "doc": doc.number,
                        "sha256": doc.content_sha256,
                        "file": SimpleUploadedFile("forged.pdf", b"%PDF-1.7 forged"),
                    },
                )
                .content.decode()
            )
        assert "</i> 验证通过</h2>" in same and "一致（SHA-256 相同）" in same
        assert "验证未通过" in other and "不是签发的版本" in other
        assert garbage.status_code == 400 and "64 位十六进制" in garbage.content.decode()
        assert "验证未通过" in upload and "不是签发的版本" in upload

    def test_a_different_file_or_an_unknown_number_is_rejected(self):
        doc = self.issued()
        with mock.patch.object(verification, "_documents", self.documents(doc)):
            changed = verification.verify_document(doc.number, "cd" * 32)
        assert not changed.ok and "不是签发的版本" in changed.steps[0][1]
        with mock.patch.object(verification, "_documents", self.documents(None)):
            unknown = verification.verify_document("无此文号", "cd" * 32)
        assert not unknown.ok and "未找到文号" in unknown.steps[0][1]
