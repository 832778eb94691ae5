from __future__ import annotations

import json

from django.test import Client

from sanxiang.disclosure import verification
from sanxiang.disclosure.models import Publication
from sanxiang.ledger import services as ledger
from sanxiang.ledger.models import Entry

from .helpers import DisclosureTestCase, published


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
