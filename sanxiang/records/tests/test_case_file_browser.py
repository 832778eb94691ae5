"""The case's 案卷 page in a real browser: cover, 卷内目录 with page numbers, 备考表 naming what
the file lacks (screenshot under test-artifacts/)."""

import os
from pathlib import Path

import pytest

from sanxiang.cases.testing import open_test_case
from sanxiang.documents.services import issue_document
from sanxiang.testing import World, signed_in_page

from .helpers import PDF, upload

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def test_the_case_file_page_lists_items_with_their_pages(live_server, browser):
    world = World.build()
    case = open_test_case(world)
    issue_document(actor=world.officer, case_id=case.pk, kind="filing_approval")
    upload(world.officer, case, PDF, title="营业执照复印件")
    page = signed_in_page(browser, live_server.url, world.officer)
    page.goto(f"{live_server.url}/records/case/{case.pk}/file/")
    rows = page.locator("#file-catalogue tr[data-item]")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(5).inner_text() == "1"
    assert rows.nth(1).locator("td").nth(5).inner_text() == "2-3"
    assert "保管期限" in page.inner_text("main")
    assert "本卷情况说明" in page.inner_text("#file-notes")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-file-page.png"), full_page=True)
