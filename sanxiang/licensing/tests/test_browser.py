"""An officer records a licence's terms on the case page in a real browser; the page shows them
with the article, and a bad entry is refused in Chinese."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.testing import take_step
from sanxiang.licensing.models import LicenceTerms
from sanxiang.testing import World, signed_in_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_what_the_licence_grants_on_the_case_page(browser, live_server):
    world = World.build()
    case = open_test_case(world, procedure="licence", parties=[company("兴隆台区某寺", n=13)])
    for target in ("acceptance", "examination"):
        take_step(world.officer, case.pk, target)
    page = signed_in_page(browser, live_server.url, world.officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = page.locator("#case-licence")
    expect(panel).to_contain_text("第三十九条")
    panel.get_by_label("许可类别").select_option("registration")
    panel.get_by_label("许可内容").fill("准予宗教活动场所变更登记")
    panel.get_by_label("许可证件名称").fill("宗教活动场所登记证")
    panel.get_by_label("有效期至").fill("2031-12-31")
    panel.get_by_role("button", name="保存").click()
    expect(page.get_by_text("须填写证件编号")).to_be_visible()
    assert not LicenceTerms.objects.filter(case=case).exists()
    panel = page.locator("#case-licence")
    panel.get_by_label("许可类别").select_option("registration")
    panel.get_by_label("许可内容").fill("准予宗教活动场所变更登记")
    panel.get_by_label("许可证件名称").fill("宗教活动场所登记证")
    panel.get_by_label("证件编号").fill("兴民宗登字〔2026〕第001号")
    panel.get_by_label("有效期至").fill("2031-12-31")
    panel.get_by_role("button", name="保存").click()
    expect(page.get_by_text("许可证件信息已登记")).to_be_visible()
    expect(page.locator("#case-licence [data-field=term]")).to_contain_text("2031年12月31日")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#case-licence").screenshot(path=str(ARTIFACTS / "case-licence-terms.png"))
    assert LicenceTerms.objects.get(case=case).licence_number == "兴民宗登字〔2026〕第001号"


def test_the_head_extends_the_decision_period_on_the_case_page(browser, live_server):
    from sanxiang.cases.models import DeadlineExtension

    world = World.build()
    case = open_test_case(world, procedure="licence", parties=[company("兴隆台区某寺", n=13)])
    for target in ("acceptance", "examination"):
        take_step(world.officer, case.pk, target)
    page = signed_in_page(browser, live_server.url, world.head)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = page.locator("#case-licence")
    expect(panel).to_contain_text("第42条第1款")
    panel.get_by_text("负责人批准延长十个工作日").click()
    panel.get_by_label("延长理由").fill("需实地核查场所的消防安全条件")
    panel.get_by_role("button", name="批准延长").click()
    expect(page.get_by_text("已批准延长十个工作日")).to_be_visible()
    expect(page.locator("[data-testid=licence-clock]")).to_contain_text("30个工作日")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#case-licence").screenshot(path=str(ARTIFACTS / "case-licence-extension.png"))
    assert DeadlineExtension.objects.get().deadline.case_id == case.pk
