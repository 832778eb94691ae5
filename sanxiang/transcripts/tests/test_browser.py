"""A 询问笔录 taken on a tablet in a real browser: entered, signed by drawing on the canvas with
the mouse (pointer events), sealed, and its issued PDF holds the answers. Screenshots at the
tablet's size (1024×768) and a phone's go to test-artifacts/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from sanxiang.cases.testing import open_test_case, person
from sanxiang.documents.tests.helpers import pdf_text, squeeze
from sanxiang.testing import World, sign_in_page, watch_errors
from sanxiang.transcripts.models import Status, Transcript

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
ANSWER = "当天是我组织的聚会，大约有三十人参加。"


def draw_signature(page: Any) -> None:
    # strokes drawn before the pad's module has run would not be counted
    page.wait_for_selector("#signature-pad[data-ready]")
    box = page.locator("#signature-pad").bounding_box()
    x, y = box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.6
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 25):
        page.mouse.move(x + i * 18, y + (30 if i % 2 else -30), steps=3)
    page.mouse.up()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_an_inquiry_is_entered_signed_on_the_canvas_sealed_and_issued(live_server, browser):
    world = World.build()
    case = open_test_case(world, parties=[person("张某")], title="某场所违规组织宗教活动")
    page = browser.new_page(viewport=TABLET, locale="zh-CN", has_touch=True)
    errors = watch_errors(page)
    sign_in_page(page, live_server.url, world.officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("#transcripts-panel a:has-text('新建笔录')")
    page.fill("#place", "测试区民族和宗教事务局询问室")
    page.fill("#q_0", "请说明当天的活动情况。")
    page.fill("#a_0", ANSWER)
    page.select_option("select[name=person_role_1]", "witness")
    page.fill("input[name=person_name_1]", "王见证")
    shot(page, "transcript-edit-tablet.png")
    page.click("button:has-text('保存草稿')")
    page.wait_for_selector("[data-testid=transcript-status]:has-text('草稿')")
    t = Transcript.objects.get(case=case)

    signers = page.locator(".sx-signers a:has-text('签名')")
    first = True
    while signers.count():
        signers.first.click()
        page.wait_for_selector("#signature-pad[data-ready]")
        if first:
            # an empty pad is refused on the page before anything is sent
            page.click("#signature-submit")
            page.wait_for_selector("#signature-error:has-text('请先在签名区内签名')")
        draw_signature(page)
        if first:
            shot(page, "transcript-sign-tablet.png")
            first = False
        page.click("#signature-submit")
        page.wait_for_selector("[data-testid=transcript-status]")
    page.click("button:has-text('签署封存并制发')")
    page.wait_for_selector("[data-testid=transcript-status]:has-text('已签署封存')")
    shot(page, "transcript-sealed-tablet.png")
    t.refresh_from_db()
    assert t.status == Status.SEALED
    assert t.participants.exclude(signature_sha256="").count() == 4

    with page.expect_download() as download:
        page.click("a:has-text('PDF')")
    pdf = Path(download.value.path()).read_bytes()
    text = squeeze(pdf_text(pdf))
    assert squeeze(ANSWER) in text
    assert "以上笔录我已看过" in text
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "transcript-browser.pdf").write_bytes(pdf)
    assert errors == []


def test_the_signing_page_fits_a_phone(live_server, browser):
    world = World.build()
    case = open_test_case(world, parties=[person("张某")])
    from sanxiang.transcripts import services

    from .helpers import inquiry, people

    t = services.create_transcript(actor=world.officer, case_id=case.pk, data=inquiry(world, case))
    page = browser.new_page(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    errors = watch_errors(page)
    sign_in_page(page, live_server.url, world.officer)
    page.goto(f"{live_server.url}/transcripts/{t.pk}/sign/{people(t)['interviewee'].pk}/")
    box = page.locator("#signature-pad").bounding_box()
    assert box["width"] >= PHONE["width"] - 2 and box["height"] > 400
    assert page.locator("#signature-submit").is_visible()
    draw_signature(page)
    shot(page, "transcript-sign-phone.png")
    page.click("#signature-submit")
    page.wait_for_selector("[data-testid=transcript-status]")
    assert t.participants.exclude(signature_sha256="").count() == 1
    assert errors == []
