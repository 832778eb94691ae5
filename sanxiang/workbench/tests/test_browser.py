"""The first journey in a real browser: an officer signs in with password and TOTP, opens the
workbench and the officer list; a citizen reads the portal on a phone."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sanxiang.directory.models import Officer
from sanxiang.testing import PASSWORD, World, sign_in_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_signs_in_with_two_factors_and_sees_the_workbench(page, live_server):
    world = World.build()
    Officer.objects.filter(certificate_no="T0002").update(
        certificate_issued="2019-01-01", certificate_expires="2020-01-01"
    )
    sign_in_page(page, live_server.url, world.head)
    page.get_by_role("heading", name="工作台").wait_for()
    assert "今日证件不可用" in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workbench.png"), full_page=True)
    page.get_by_role("link", name="执法人员").first.click()
    page.get_by_role("heading", name="执法人员（人员库）").wait_for()
    assert page.locator("tbody tr").count() == 4


def test_a_wrong_code_keeps_the_officer_out(page, live_server):
    world = World.build()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(world.officer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("动态口令").fill("123456")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("动态口令错误或已过期")).to_be_visible()


def test_a_citizen_reads_the_portal_on_a_phone(browser, live_server):
    world = World.build()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.goto(f"{live_server.url}/gongshi/")
    phone.get_by_role("link", name=world.agency.name).click()
    phone.get_by_role("heading", name="执法人员（4人）").wait_for()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "portal-phone.png"), full_page=True)
    context.close()
