"""The case page's 不予处罚 and 集体讨论 forms in a real browser (h10a items 1 and 5): the head
records the ground at 审查, issues the 不予行政处罚决定书 and its 送达回证 from the documents
panel and closes the case by the 不予行政处罚 step; on a grave case the head records the
heads' 集体讨论 from the case page."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, save_draft
from sanxiang.cases.testing import company, open_test_case
from sanxiang.disclosure.models import Publication
from sanxiang.documents.testing import take_step
from sanxiang.review.models import Discussion
from sanxiang.review.tests.helpers import case_at_defence
from sanxiang.testing import PASSWORD, World, current_code, watch_errors

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_ends_a_case_in_no_penalty_and_convenes_a_discussion(live_server, page):
    world = World.build()
    case = open_test_case(world, parties=[company()], title="某公司散发宗教宣传品案")
    take_step(world.head, case.pk, "investigation")
    take_step(world.officer, case.pk, "case_review")
    save_draft(
        actor=world.officer,
        case_id=case.pk,
        data=DraftData(kind="no_penalty", legal_basis="《宗教事务条例》第七十一条"),
    )
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/accounts/login/?next=/cases/{case.pk}/")
    page.fill("input[name=username]", world.head.username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", current_code(world.head))
    page.click("button:has-text('登录')")
    form = page.locator("#case-no-penalty form")
    form.locator("select[name=ground]").select_option("minor_corrected")
    form.locator("textarea[name=reasons]").fill("当事人于检查当日撤除全部宣传品，未造成影响")
    form.locator("button[data-action=prepare-no-penalty]").click()
    page.wait_for_selector("[data-testid=no-penalty-prepared]")
    assert "没有造成危害后果" in page.inner_text("#case-no-penalty")
    if os.environ.get("SANXIANG_SCREENSHOTS"):
        page.screenshot(path=os.environ["SANXIANG_SCREENSHOTS"] + "-1.png", full_page=True)
    panel = page.locator("#documents-panel")
    panel.locator("button[value=no_penalty_decision]").click()
    page.wait_for_selector("#documents-panel >> text=测民宗不罚字〔")
    panel.locator("button[value=delivery_receipt]").click()
    page.wait_for_selector("#documents-panel li strong:has-text('送达回证')")
    page.click("#case-stage button:has-text('不予行政处罚')")
    page.wait_for_selector("#case-stage button:has-text('归档')")
    assert Case.objects.get(pk=case.pk).stage == "closing"
    assert "不予行政处罚：审查 → 结案" in page.inner_text("body")
    # 双公示 publishes 行政处罚 decisions; a 不予处罚 is not one and is not queued.
    assert not Publication.objects.filter(case=case).exists()

    grave = case_at_defence(world, "5000", circumstance="grave")
    page.goto(f"{live_server.url}/cases/{grave.pk}/")
    discussion = page.locator("#case-collective form")
    discussion.locator("input[name=held_on]").fill(timezone.localdate().isoformat())
    discussion.locator("textarea[name=attendees]").fill("负责人甲、副局长乙、法制科长丙")
    discussion.locator("select[name=outcome]").select_option("decide")
    discussion.locator("textarea[name=minutes]").fill("一致同意按拟定意见罚款。")
    discussion.locator("button[data-action=convene-discussion]").click()
    page.wait_for_selector("[data-testid=collective-discussions]")
    assert Discussion.objects.filter(review__case=grave, round=None).count() == 1
    if os.environ.get("SANXIANG_SCREENSHOTS"):
        page.screenshot(path=os.environ["SANXIANG_SCREENSHOTS"] + "-2.png", full_page=True)
    assert errors == []
