"""The 双随机 journey in a real browser: plan → freeze → draw → start → result → portal."""

from __future__ import annotations

import os
from typing import Any

import pytest

from sanxiang.inspections.models import Assignment, Plan
from sanxiang.testing import World, signed_in_page

from .helpers import make_targets, period, random_matter

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_plan_draw_result_and_portal(live_server: Any, browser: Any) -> None:
    w = World.build()
    random_matter(w)
    make_targets(w, 6)
    base = live_server.url
    officer, head = (signed_in_page(browser, base, u) for u in (w.officer, w.head))
    start, end = period()

    # An officer drafts the plan.
    officer.goto(f"{base}/inspections/plans/new/")
    officer.fill("#id_number", "JH-B1")
    officer.fill("#id_title", "浏览器里的抽查计划")
    officer.check("input[name=matters][value='T-SJ-01']")
    officer.fill("#id_ratio", "50")
    officer.fill("#id_period_start", start.isoformat())
    officer.fill("#id_period_end", end.isoformat())
    officer.click("button:has-text('保存')")
    officer.wait_for_selector("[data-testid='plan-status']")
    plan = Plan.objects.get(number="JH-B1")

    # The head freezes it (the hash goes to the ledger) and draws.
    head.goto(f"{base}/inspections/plans/{plan.pk}/")
    head.click("[data-testid='freeze']")
    assert "已冻结" in head.inner_text("[data-testid='plan-status']")
    head.click("[data-testid='draw']")
    assert "已抽取" in head.inner_text("[data-testid='plan-status']")
    assert head.locator("[data-testid='assignment']").count() == 3

    # The team inspects a drawn target and records the result (谁检查、谁录入); if the officer
    # was drawn for none, the head (who may act on any) does it.
    mine = Assignment.objects.filter(plan=plan, team=w.officer.officer).order_by("position")
    first = mine.first() or Assignment.objects.filter(plan=plan).order_by("position").first()
    assert first is not None
    if not mine.exists():
        officer = head
    officer.goto(f"{base}/inspections/assignments/{first.pk}/")
    officer.click("[data-testid='start']")
    officer.wait_for_selector("[data-testid='inspection-case']")
    officer.select_option("#id_outcome", "clear")
    officer.fill("#id_findings", "台账齐全，未发现问题。")
    officer.click("[data-testid='record']")
    assert "未发现问题" in officer.inner_text("[data-testid='outcome']")

    # Anyone sees the plan, the seed, the certificate link and the result on the portal.
    public = browser.new_page()
    public.goto(f"{base}/gongshi/choucha/jihua/")
    public.click(f"a:has-text('{plan.number}')")
    seed = public.inner_text("[data-testid='seed']")
    assert len(seed) == 64
    assert public.locator("[data-testid='certificate']").count() == 1
    row = public.locator("[data-testid='result']", has_text=first.target.name)
    assert "未发现问题" in row.inner_text()
    assert "台账齐全" in row.inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_joint_plan_of_two_agencies_from_the_form_to_the_portal(
    live_server: Any, browser: Any
) -> None:
    """联合抽查: the lead drafts it with the other agency of the district, freezes and draws;
    the other agency's head executes an assignment of its own library; the portal names it."""
    from sanxiang.accounts.models import Role
    from sanxiang.cases.testing import make_matter
    from sanxiang.catalog.models import MatterVersion
    from sanxiang.inspections.services import save_target
    from sanxiang.testing import make_user

    from .helpers import target_data

    w = World.build()
    random_matter(w)
    market = make_matter(w.other_agency, "inspection", code="T-SC-01")
    MatterVersion.objects.filter(matter=market).update(random_inspection=True)
    make_user("other2", Role.OFFICER, w.other_agency, certificate="T0010")
    other_head = make_user("otherhead", Role.HEAD, w.other_agency, certificate="T0011")
    make_targets(w, 4)
    for n in range(20, 24):
        save_target(actor=w.other_officer, data=target_data(n, matter_codes=["T-SC-01"]))
    base = live_server.url
    head, other = (signed_in_page(browser, base, u) for u in (w.head, other_head))
    start, end = period()

    head.goto(f"{base}/inspections/plans/new/")
    head.fill("#id_number", "LH-B1")
    head.fill("#id_title", "浏览器里的联合抽查")
    head.check("input[name=matters][value='T-SJ-01']")
    head.check("input[name=matters][value='T-SC-01']")
    head.fill("#id_ratio", "100")
    head.fill("#id_period_start", start.isoformat())
    head.fill("#id_period_end", end.isoformat())
    head.fill("#id_team_size", "3")
    head.check(f"input[name=joint_agencies][value='{w.other_agency.pk}']")
    head.select_option("#id_team_mix", "mixed")
    head.click("button:has-text('保存')")
    head.wait_for_selector("[data-testid='joint']")
    plan = Plan.objects.get(number="LH-B1")
    head.click("[data-testid='freeze']")
    head.click("[data-testid='draw']")
    assert "已抽取" in head.inner_text("[data-testid='plan-status']")
    assert head.locator("[data-testid='assignment']").count() == 8

    own = Assignment.objects.filter(plan=plan, target__agency=w.other_agency).order_by("pk")[0]
    other.goto(f"{base}/inspections/plans/{plan.pk}/")
    assert other.locator("[data-testid='freeze'], [data-testid='draw']").count() == 0
    other.goto(f"{base}/inspections/assignments/{own.pk}/")
    assert w.other_agency.name in other.inner_text("[data-testid='executing-agency']")
    other.click("[data-testid='start']")
    other.wait_for_selector("[data-testid='inspection-case']")
    other.select_option("#id_outcome", "clear")
    other.fill("#id_findings", "清真标识使用规范，未发现问题。")
    other.click("[data-testid='record']")
    assert "未发现问题" in other.inner_text("[data-testid='outcome']")

    public = browser.new_page()
    public.goto(f"{base}/gongshi/choucha/jihua/{plan.pk}/")
    row = public.locator("[data-testid='result']", has_text=own.target.name)
    assert w.other_agency.name in row.inner_text()
    assert "清真标识使用规范" in row.inner_text()
    assert "国办发〔2015〕58号" in public.inner_text("[data-testid='publication-rule']")
