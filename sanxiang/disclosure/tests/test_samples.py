"""示范文本 of a 服务指南's 申请材料 and the 法制审核流程图 on the portal."""

from __future__ import annotations

import json
import os
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from sanxiang.cases.testing import make_matter
from sanxiang.disclosure import samples
from sanxiang.disclosure.models import SampleText
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.review.procedure import LEGAL_REVIEW
from sanxiang.testing import World

from .helpers import DisclosureTestCase

BODY = (
    "兴隆台区民族和宗教事务局：\n【场所名称】经批准筹备，现已建设完工，特申请办理登记。\n"
    "申请人：【名称】（盖章）"
)


class SampleTexts(DisclosureTestCase):
    def setUp(self):
        self.matter = make_matter(self.w.agency, "licence", code="XK-T")

    def save(self, **kwargs):
        data: dict[str, Any] = {
            "actor": self.w.officer,
            "matter_id": self.matter.pk,
            "material": "申请书",
            "title": "宗教活动场所登记申请书（示范文本）",
            "body": BODY,
        } | kwargs
        return samples.save_sample(**data)

    def test_the_guide_offers_each_sample_as_a_word_document_with_its_text(self):
        sample = self.save()
        page = Client().get(f"/gongshi/shixiang/{self.matter.pk}/").content.decode()
        url = f"/gongshi/shixiang/{self.matter.pk}/shifan/{sample.pk}.docx"
        assert url in page and "下载示范文本：宗教活动场所登记申请书（示范文本）" in page
        response = Client().get(url)
        assert response.status_code == 200 and response.content[:2] == b"PK"
        from docx import Document

        text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
        assert "宗教活动场所登记申请书（示范文本）" in text and "【场所名称】经批准筹备" in text
        assert "仅供参考" in text and self.w.agency.name in text

    def test_a_sample_is_ledgered_with_the_hash_of_its_text(self):
        sample = self.save()
        entry = Entry.objects.filter(event_type="disclosure.sample_saved").get()
        payload = json.loads(entry.payload)
        assert payload["sample"] == sample.pk and len(payload["body_sha256"]) == 64
        assert entry.agency_id == self.w.agency.pk

    def test_only_the_agencys_staff_save_samples_and_bad_ones_are_refused(self):
        for actor, code in ((self.w.other_officer, "not_found"), (self.w.supervisor, "forbidden")):
            with pytest.raises(DomainError) as caught:
                self.save(actor=actor)
            assert caught.value.code == code
        for kwargs in ({"title": " "}, {"body": "太短"}):
            with pytest.raises(DomainError) as caught:
                self.save(**kwargs)
            assert caught.value.code == "validation_error"
        assert SampleText.objects.count() == 0

    def test_unknown_or_foreign_samples_are_404(self):
        sample = self.save()
        other = make_matter(self.w.agency, "licence", code="XK-U")
        assert (
            Client().get(f"/gongshi/shixiang/{other.pk}/shifan/{sample.pk}.docx").status_code == 404
        )
        assert (
            Client().get(f"/gongshi/shixiang/{self.matter.pk}/shifan/999999.docx").status_code
            == 404
        )


class TheReviewFlowchart(DisclosureTestCase):
    def test_the_portal_draws_the_review_procedure_with_the_agencys_period(self):
        response = Client().get("/gongshi/liucheng/fazhishenhe.svg")
        assert response["Content-Type"].startswith("image/svg+xml")
        svg = response.content.decode()
        assert svg.startswith("<svg xmlns=")
        for stage in LEGAL_REVIEW.stages:
            assert stage.label in svg
        own = Client().get(f"/gongshi/liucheng/fazhishenhe.svg?agency={self.w.agency.pk}")
        assert "出具法制审核意见 7个工作日" in own.content.decode()
        assert Client().get("/gongshi/liucheng/fazhishenhe.svg?agency=abc").status_code == 404
        assert Client().get("/gongshi/liucheng/fazhishenhe.svg?agency=99999").status_code == 404

    def test_the_procedures_page_and_the_lists_link_the_review_flowchart(self):
        page = Client().get("/gongshi/liucheng/").content.decode()
        assert "重大执法决定法制审核流程图" in page and "/gongshi/liucheng/fazhishenhe.svg" in page
        lists = Client().get(f"/gongshi/zhuti/{self.w.agency.pk}/qingdan/").content.decode()
        assert "法制审核流程图" in lists


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_sees_the_review_flowchart_and_downloads_a_sample(browser, live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    artifacts = Path(__file__).resolve().parents[3] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    world = World.build()
    matter = make_matter(world.agency, "licence", code="XK-B")
    samples.save_sample(
        actor=world.officer,
        matter_id=matter.pk,
        material="申请书",
        title="宗教活动场所登记申请书（示范文本）",
        body=BODY,
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/gongshi/liucheng/?agency={world.agency.pk}")
    image = page.get_by_role("img", name="重大执法决定法制审核流程图")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.images].every((i) => i.complete && i.naturalWidth > 0)"
    )
    page.screenshot(path=str(artifacts / "portal-review-flowchart.png"), full_page=True)
    page.goto(f"{live_server.url}/gongshi/shixiang/{matter.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载示范文本：宗教活动场所登记申请书（示范文本）").click()
    assert download.value.suggested_filename.endswith(".docx")
    page.screenshot(path=str(artifacts / "portal-guide-samples.png"), full_page=True)
