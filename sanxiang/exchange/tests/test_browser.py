"""The admin pages of 数据交换 in a real browser: a key is created with scopes chosen by their
Chinese names, an endpoint is switched off and on. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sanxiang.exchange import outbox
from sanxiang.exchange.models import ApiClient, Endpoint
from sanxiang.ledger.models import Entry
from sanxiang.testing import World, signed_in_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def checkbox_boxes(page, name):
    """Each checkbox of a group with its label: the box must sit on its label's line, left of
    the text, one option per row."""
    return page.evaluate(
        """(name) => [...document.querySelectorAll(`input[type=checkbox][name=${name}]`)].map(
            (box) => {
                const label = document.querySelector(`label[for="${box.id}"]`);
                const b = box.getBoundingClientRect(), l = label.getBoundingClientRect();
                return {box: [b.left, b.top, b.bottom], label: [l.left, l.top, l.bottom],
                        text: label.textContent.trim()};
            })""",
        name,
    )


def assert_laid_out(page, name):
    boxes = checkbox_boxes(page, name)
    assert boxes, name
    tops = []
    for item in boxes:
        box_left, box_top, box_bottom = item["box"]
        label_left, label_top, label_bottom = item["label"]
        assert box_left < label_left, item  # the box left of its text
        middle = (box_top + box_bottom) / 2
        assert label_top <= middle <= label_bottom, item  # on the same line
        tops.append(box_top)
    assert tops == sorted(tops) and len(set(tops)) == len(tops), boxes  # one per row


def test_an_admin_creates_a_key_by_chinese_scope_names_and_switches_an_endpoint(
    browser, live_server
):
    world = World.build()
    endpoint = outbox.create_endpoint(
        actor=world.admin,
        data=outbox.EndpointData(
            name="省级平台",
            system="provincial",
            url="http://127.0.0.1:9/push",
            event_types=["decision.made", "annual_report.published"],
            agency_ids=[],
        ),
    ).endpoint
    page = signed_in_page(browser, live_server.url, world.admin)

    page.goto(f"{live_server.url}/exchange/clients/")
    assert_laid_out(page, "scopes")
    assert_laid_out(page, "agency_ids")
    page.get_by_label("名称").fill("省信用平台")
    page.get_by_label("读取执法决定").check()
    page.get_by_label(world.agency.name).check()
    page.get_by_role("button", name="创建").click()
    page.get_by_text("密钥只显示这一次").wait_for()
    row = page.get_by_role("row").filter(has_text="省信用平台")
    assert "读取执法决定" in row.inner_text()
    shoot(page, "exchange-keys")
    assert ApiClient.objects.get(name="省信用平台").scopes == ["read_decisions"]

    page.goto(f"{live_server.url}/exchange/endpoints/")
    assert_laid_out(page, "event_types")
    row = page.get_by_role("row").filter(has_text="省级平台")
    assert "作出执法决定" in row.inner_text() and "decision.made" not in row.inner_text()
    row.get_by_role("button", name="停用").click()
    page.get_by_text("已停用").first.wait_for()
    shoot(page, "exchange-endpoints")
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    page.get_by_role("row").filter(has_text="省级平台").get_by_role("button", name="启用").click()
    page.get_by_text("已启用").first.wait_for()
    assert Endpoint.objects.get(pk=endpoint.pk).is_active
    assert Entry.objects.filter(event_type="exchange.endpoint_switched").count() == 2


def test_an_admin_subscribes_an_endpoint_to_inspection_results_and_finds_both_credit_files(
    browser, live_server
):
    world = World.build()
    page = signed_in_page(browser, live_server.url, world.admin)

    page.goto(f"{live_server.url}/exchange/endpoints/")
    assert_laid_out(page, "event_types")
    page.get_by_label("名称").fill("省双随机监管平台")
    page.get_by_label("接收地址").fill("https://sjs.example.gov.cn/push")
    page.get_by_label("抽查结果公示（双随机、一公开）").check()
    page.get_by_role("button", name="添加").click()
    page.get_by_text("推送地址已添加").wait_for()
    row = page.get_by_role("row").filter(has_text="省双随机监管平台")
    assert "抽查结果公示（双随机、一公开）" in row.inner_text()
    shoot(page, "exchange-endpoint-inspection")
    assert Endpoint.objects.get(name="省双随机监管平台").event_types == [
        "inspection_result.published"
    ]

    page.goto(f"{live_server.url}/exchange/")
    files = page.get_by_test_id("credit-files")
    assert "行政处罚" in files.inner_text() and "行政许可" in files.inner_text()
    with page.expect_download() as caught:
        files.get_by_role("link", name="XLSX").nth(1).click()
    assert caught.value.suggested_filename.startswith("shuanggongshi-xuke-")
    shoot(page, "exchange-credit-files")
