"""A 警告 penalty case taken from 立案 to 归档 in a real browser (officer and head side by side)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import transition
from sanxiang.cases.testing import make_matter, open_test_case, resident_id
from sanxiang.testing import World, signed_in_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def step(page: Any, target: str) -> None:
    """Click the htmx transition button and wait until the stage panel shows the new stage."""
    page.click(f'button[data-target-stage="{target}"]')
    page.wait_for_selector(f'[data-testid=current-stage][data-stage="{target}"]')
    # The flowchart was swapped out of band with the new stage highlighted.
    page.wait_for_selector(f'#case-flowchart [data-stage="{target}"][aria-current="step"]')


def issue(page: Any, kind: str) -> None:
    """Issue a document from the case page's documents panel and wait until it is listed."""
    before = page.locator("#documents-panel li strong").count()
    page.click(f'#documents-panel button[name=kind][value="{kind}"]')
    page.wait_for_function(
        "n => document.querySelectorAll('#documents-panel li strong').length > n", arg=before
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_warning_case_goes_from_filing_to_archive_in_the_browser(live_server, browser):
    world = World.build()
    matter = make_matter(world.agency, "penalty", "CF-WEB")
    base = live_server.url
    officer = signed_in_page(browser, base, world.officer)
    head = signed_in_page(browser, base, world.head)

    officer.goto(f"{base}/cases/new/")
    officer.select_option("select[name=matter]", str(matter.pk))
    officer.select_option("select[name=procedure]", "penalty_ordinary")
    officer.fill("input[name=title]", "某宗教活动场所未按规定备案案")
    officer.select_option("select[name=source]", "inspection")
    officer.fill("textarea[name=facts]", "日常检查发现未按规定备案。")
    # 行政处罚法 第36条: the day the act happened (within two years of its discovery).
    officer.fill(
        "input[name=violation_on]", (timezone.localdate() - timedelta(days=20)).isoformat()
    )
    officer.check(f"input[name=team][value='{world.officer.officer.pk}']")
    officer.check(f"input[name=team][value='{world.officer2.officer.pk}']")
    officer.select_option("select[name=party_kind]", "natural")
    officer.fill("input[name=party_name]", "钱某")
    officer.fill("input[name=party_id_number]", resident_id(date(1979, 6, 1)))
    officer.click("main form button")
    officer.wait_for_selector('[data-testid=current-stage][data-stage="filing"]')
    case = Case.objects.get(title="某宗教活动场所未按规定备案案")
    url = f"{base}/cases/{case.pk}/"
    # The 立案审批表 goes into the file (归档 wants it: procedures/filing.py).
    issue(officer, "filing_approval")

    # The officer may not approve the filing (行政处罚法 第54条); the head does.
    assert officer.locator('button[data-target-stage="investigation"]').count() == 0
    head.goto(url)
    head.fill("#transition-note", "同意立案")
    step(head, "investigation")

    officer.goto(url)
    step(officer, "case_review")
    # The intended penalty is drafted first: the 事先告知书 states it with the provision violated
    # and the one applied (行政处罚法 第44条; 第59条 keeps the two apart).
    officer.click("text=起草决定")
    officer.select_option("select[name=kind]", "warning")
    officer.fill("textarea[name=legal_basis]", "《宗教事务条例》第六十五条")
    officer.fill("[name=violated_provision]", "《宗教事务条例》第四十一条")
    officer.click("main form button")
    officer.wait_for_selector("text=决定草稿已保存")
    officer.goto(url)
    # 行政处罚法 第44条: no 告知 without the 事先告知书; the stage offers it.
    officer.click('button[data-target-stage="notice"]')
    officer.wait_for_selector("#transition-errors [data-error-code=document_required]")
    assert "行政处罚事先告知书" in officer.inner_text("#transition-errors")
    issue(officer, "penalty_notice")
    step(officer, "notice")
    step(officer, "defence")

    # The same day as the 告知: the 陈述申辩 period runs (第45条, 第62条), the head is refused,
    # and the page shows the period with its article.
    head.goto(url)
    assert "第45条" in head.inner_text("[data-period=defence]")
    head.click('button[data-target-stage="decision"]')
    head.wait_for_selector("#transition-errors [data-error-code=period_running]")
    assert "陈述申辩期限尚未届满" in head.inner_text("#transition-errors")
    ARTIFACTS.mkdir(exist_ok=True)
    head.locator("#case-stage").screenshot(path=str(ARTIFACTS / "case-period-running.png"))
    # The party waives in writing; the officer records it, and the decision goes.
    officer.goto(url)
    officer.click("text=记录陈述申辩或书面放弃")
    officer.select_option("#defence-kind", "waiver")
    officer.fill("#defence-note", "当事人签署放弃陈述申辩声明书1页")
    officer.click("[data-action=record-defence]")
    officer.wait_for_selector('[data-period=defence][data-holds-back="false"]')
    head.goto(url)
    step(head, "decision")
    officer.goto(url)
    # 第61条: delivered with the 决定书 and its 送达回证.
    issue(officer, "penalty_decision")
    issue(officer, "delivery_receipt")
    step(officer, "delivery")
    # 结案 is the head's (结案审批表): the officer asks, the head finds it in 待办 and signs.
    officer.fill("#closing-request-note", "警告已送达，无需执行")
    officer.locator("#case-stage").screenshot(path=str(ARTIFACTS / "case-closing-ask.png"))
    officer.click("[data-testid=request-closing]")
    officer.wait_for_selector("[data-testid=closing-pending]")
    head.goto(f"{live_server.url}/inbox/")
    ARTIFACTS.mkdir(exist_ok=True)
    head.screenshot(path=str(ARTIFACTS / "inbox-closing-request.png"), full_page=True)
    head.click("text=结案审批（无需执行，结案）")
    head.wait_for_selector("#closing-request [data-testid=closing-pending]")
    head.locator("#case-stage").screenshot(path=str(ARTIFACTS / "case-closing-request.png"))
    step(head, "closing")
    officer.goto(url)
    step(officer, "archived")

    # Opened, 8 steps, the 报请结案, the draft, the waiver, 4 documents, and the decision's 公示
    # that disclosure queued: the timeline is the ledger, so another app's step shows without
    # timeline code of its own.
    assert officer.locator("#case-timeline li").count() == 17
    assert "列入公示计划" in officer.inner_text("#case-timeline")
    ARTIFACTS.mkdir(exist_ok=True)
    officer.screenshot(path=str(ARTIFACTS / "case-archived.png"), full_page=True)
    case.refresh_from_db()
    assert case.stage == "archived" and case.decided_on and case.closed_on


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_stale_page_shows_the_refusal_in_the_stage_panel(live_server, browser):
    world = World.build()
    matter = make_matter(world.agency, "inspection", "JC-WEB")
    case = open_test_case(world, procedure="inspection", matter=matter)
    page = signed_in_page(browser, live_server.url, world.officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    # Let the page's own requests (the nav's 待办 count, loaded by htmx) finish first: on the
    # tests' shared-cache SQLite a read in flight locks the table the other officer writes.
    page.wait_for_load_state("networkidle")
    transition(actor=world.officer2, case_id=case.pk, target="investigation")
    page.click('button[data-target-stage="investigation"]')
    page.wait_for_selector("#transition-errors [data-error-code=conflict]")
    assert "请刷新" in page.inner_text("#transition-errors")
