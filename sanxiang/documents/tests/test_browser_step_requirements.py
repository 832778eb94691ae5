"""The 环节文书要求 page in a browser: the head adds a row through the form, it is listed beside
the law's, and the portal publishes both (screenshots with SANXIANG_SCREENSHOTS=<prefix>)."""

from __future__ import annotations

import os

import pytest

from sanxiang.testing import PASSWORD, World, current_code, watch_errors

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASIS = "本局执法规范第12条：调查终结前须向当事人送达询问通知书"


def test_the_head_adds_a_step_document_and_the_portal_publishes_it(live_server, page):
    world = World.build()
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/accounts/login/?next=/documents/step-requirements/")
    page.fill("input[name=username]", world.head.username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", current_code(world.head))
    page.click("button:has-text('登录')")
    page.wait_for_selector("h1:has-text('环节文书要求')")
    page.select_option("select[name=step]", "penalty_ordinary:investigation:case_review")
    page.select_option("select[name=kind]", "inquiry_notice")
    page.check("input[name=delivered]")
    page.fill("input[name=basis]", BASIS)
    page.click("button:has-text('增设')")
    page.wait_for_selector(f"text={BASIS}")
    assert "第44条" in page.inner_text("body")  # the law's requirement, with its article
    prefix = os.environ.get("SANXIANG_SCREENSHOTS")
    if prefix:
        page.screenshot(path=f"{prefix}-staff.png", full_page=True)
    page.goto(f"{live_server.url}/gongshi/zhuti/{world.agency.pk}/qingdan/#h-step-documents")
    page.wait_for_selector("#h-step-documents")
    text = page.inner_text("body")
    assert BASIS in text and "本机关增设" in text and "《行政处罚事先告知书》" in text
    if prefix:
        page.screenshot(path=f"{prefix}-portal.png", full_page=True)
    assert errors == []
