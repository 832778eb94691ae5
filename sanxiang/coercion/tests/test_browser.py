"""An officer enters the 查封、扣押 清单 on the case page in a real browser (a bad line refused in
Chinese); the head extends the period and decides the release there."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sanxiang.cases.models import Case, DeadlineExtension
from sanxiang.cases.services import DraftData, save_draft
from sanxiang.cases.testing import company, open_test_case
from sanxiang.coercion.models import SeizureItem, SeizureOutcome
from sanxiang.documents.testing import take_step
from sanxiang.testing import World, signed_in_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_the_extension_and_the_release_on_the_case_page(browser, live_server):
    world = World.build()
    case = open_test_case(
        world, procedure="coercion", parties=[company("兴隆台区某书店", n=16)], title="扣押宣传品"
    )
    page = signed_in_page(browser, live_server.url, world.officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = page.locator("#case-coercion")
    expect(panel).to_contain_text("第24条")
    panel.get_by_label("查封、扣押的场所").fill("宗教宣传册｜32开｜零｜册｜本局物证保管室")
    panel.get_by_role("button", name="保存清单").click()
    expect(page.get_by_text("不是数字")).to_be_visible()
    assert not SeizureItem.objects.exists()
    page.locator("#case-coercion").get_by_label("查封、扣押的场所").fill(
        "宗教宣传册《某某》｜32开，彩色印刷｜1200｜册｜本局物证保管室\n宣传光盘｜｜85｜张｜本局物证保管室"
    )
    page.locator("#case-coercion").get_by_role("button", name="保存清单").click()
    expect(page.get_by_text("清单已登记")).to_be_visible()
    expect(page.locator("[data-testid=seizure-items]")).to_contain_text("1200")
    assert SeizureItem.objects.filter(case=case).count() == 2
    save_draft(
        actor=world.officer,
        case_id=case.pk,
        data=DraftData(kind="seizure", violated_provision="《宗教事务条例》第四十五条第二款"),
    )
    take_step(world.head, case.pk, "decision")
    for target in ("delivery", "execution"):
        take_step(world.officer, case.pk, target)
    head = signed_in_page(browser, live_server.url, world.head)
    head.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = head.locator("#case-coercion")
    panel.get_by_text("负责人批准延长期限").click()
    panel.get_by_label("延长理由").fill("宣传品来源需协查")
    panel.get_by_role("button", name="批准延长").click()
    expect(head.get_by_text("已批准延长")).to_be_visible()
    expect(head.locator("[data-testid=seizure-extended]")).to_contain_text("30日")
    assert DeadlineExtension.objects.get().days == 30
    panel = head.locator("#case-coercion")
    panel.get_by_text("决定解除查封、扣押").click()
    panel.get_by_label("解除理由（第28条）").select_option("unrelated")
    panel.get_by_role("button", name="决定解除").click()
    expect(head.get_by_text("已决定解除")).to_be_visible()
    expect(head.locator("[data-testid=seizure-outcome]")).to_contain_text("与违法行为无关")
    assert SeizureOutcome.objects.get(case=case).ground == "unrelated"
    ARTIFACTS.mkdir(exist_ok=True)
    head.locator("#case-coercion").screenshot(path=str(ARTIFACTS / "case-coercion.png"))
    assert Case.objects.get(pk=case.pk).stage == "execution"
