"""The documents panel in a real browser: issue from the case page, and the panel follows the
stage when the case moves on through htmx (no page reload)."""

from __future__ import annotations

import os

import pytest

from sanxiang.testing import PASSWORD, World, current_code, watch_errors

from .helpers import case_at, fine_draft

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_issues_a_decision_and_the_panel_follows_the_stage(live_server, page):
    world = World.build()
    case = case_at(world, "decision", **fine_draft())
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/accounts/login/?next=/cases/{case.pk}/")
    page.fill("input[name=username]", world.officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", current_code(world.officer))
    page.click("button:has-text('登录')")
    panel = page.locator("#documents-panel")
    panel.locator("button[value=penalty_decision]").click()
    page.wait_for_selector("#documents-panel >> text=测民宗罚决字〔")
    assert panel.locator("button[value=penalty_decision]").count() == 0
    # 第61条: the 决定书 is delivered, its 送达回证 issued, before the case moves to 送达.
    panel.locator("button[value=delivery_receipt]").click()
    page.wait_for_selector("#documents-panel li strong:has-text('送达回证')")
    page.click("#case-stage button[data-target-stage=delivery]")
    page.wait_for_selector("#documents-panel button[value=closing_approval]")
    assert "罚决字" in panel.inner_text()
    with page.expect_download() as download:
        panel.locator("a:has-text('PDF')").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    if os.environ.get("SANXIANG_SCREENSHOTS"):
        page.screenshot(path=os.environ["SANXIANG_SCREENSHOTS"], full_page=True)
    assert errors == []
