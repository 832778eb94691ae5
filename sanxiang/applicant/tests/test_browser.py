"""A party asks for the progress of their case on a phone, by case number and by their link.
Screenshots go to test-artifacts/ (looked at by a person)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sanxiang.applicant.services import create_link
from sanxiang.testing import World

from .helpers import company_of, person_of, two_party_case

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def smallest_text_px(page) -> float:
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('main *')]
            .filter(e => e.childNodes.length && [...e.childNodes].some(
                n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )


def test_a_party_asks_for_progress_on_a_phone(browser, live_server):
    world = World.build()
    case = two_party_case(world, "defence")
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/gongshi/")
    page.get_by_role("link", name="进度查询").click()
    page.get_by_label("案件编号").fill(case.number)
    page.get_by_label("证件号码或统一社会信用代码后六位").fill("000000")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("alert").get_by_text("未能查询到办理进度").wait_for()
    shoot(page, "applicant-progress-refused-phone")
    page.get_by_label("证件号码或统一社会信用代码后六位").fill(person_of(case).id_number[-6:])
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="当前阶段：陈述申辩").wait_for()
    assert page.get_by_text("王小明").is_visible()
    assert "某文化传播有限公司" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert smallest_text_px(page) >= 14
    shoot(page, "applicant-progress-phone")
    token = create_link(actor=world.officer, case_id=case.pk, party_id=company_of(case).pk).token
    page.goto(f"{live_server.url}/gongshi/jindu/l/{token}/")
    page.get_by_role("heading", name="需要您办理的事项").wait_for()
    assert page.get_by_text("某文化传播有限公司").is_visible()
    shoot(page, "applicant-link-phone")
    context.close()
