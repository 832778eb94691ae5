"""待办 in a real browser: the head, a reviewer and an officer each find what the events of the
day left for them, follow the item to the exact place to act, and the item is gone after."""

import os
from pathlib import Path

import pytest

from sanxiang.cases.testing import open_test_case
from sanxiang.review.tests.helpers import assigned, case_at_defence, failed, submitted
from sanxiang.testing import World, signed_in_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_inbox(page, base):
    page.goto(f"{base}/")

    badge = page.get_by_test_id("inbox-count")
    badge.wait_for()  # the count in the navigation arrives by htmx after the page
    count = int(badge.inner_text().split("项")[0])
    page.get_by_role("link", name="待办").first.click()
    page.get_by_role("heading", name="待办").first.wait_for()
    return count


def test_each_role_finds_its_work_and_acts_on_it(browser, live_server):
    world = World.build()
    base = live_server.url
    case = open_test_case(world, title="未经批准举行宗教活动案")
    waiting_review = case_at_defence(world)
    submitted(world, waiting_review)
    returned = case_at_defence(world)
    failed(world, assigned(world, returned))

    # The head: filing approvals (and the decision on the cases at 陈述申辩), reviews to assign.
    head = signed_in_page(browser, base, world.head)
    assert open_inbox(head, base) >= 4
    body = head.locator("main")
    assert body.get_by_role("heading", name="待我审批").is_visible()
    assert body.get_by_role("heading", name="待分配的审核").is_visible()
    assert head.evaluate("document.documentElement.scrollWidth") <= 1280, "no sideways scroll"
    ARTIFACTS.mkdir(exist_ok=True)
    head.screenshot(path=str(ARTIFACTS / "inbox-head.png"), full_page=True)
    head.get_by_role("link", name="批准立案：未经批准举行宗教活动案").click()
    head.wait_for_url(f"{base}/cases/{case.pk}/#case-stage")
    head.get_by_role("button", name="批准立案").click()
    head.locator('[data-testid="current-stage"][data-stage="investigation"]').wait_for()
    head.goto(f"{base}/inbox/")
    assert head.get_by_role("link", name="批准立案：未经批准举行宗教活动案").count() == 0

    # The reviewer of the 法制股: the round waiting for assignment, taken from the inbox.
    reviewer = signed_in_page(browser, base, world.reviewer)
    open_inbox(reviewer, base)
    reviewer.get_by_role("heading", name="待分配的审核").wait_for()
    reviewer.screenshot(path=str(ARTIFACTS / "inbox-reviewer.png"), full_page=True)
    reviewer.locator("main").get_by_role("link", name="法制审核：").first.click()
    reviewer.wait_for_url(f"{base}/review/rounds/*/")
    assert (
        reviewer.get_by_role("heading", name="审核人员").count()
        + reviewer.locator("#id_reviewer").count()
        >= 1
    )

    # The officer: the case returned by review, with what must change, linked to the opinion.
    officer = signed_in_page(browser, base, world.officer)
    open_inbox(officer, base)
    section = officer.locator('[data-section="review.returned"]')
    section.wait_for()
    assert "补充从重处罚的事实依据" in section.inner_text()
    officer.screenshot(path=str(ARTIFACTS / "inbox-officer.png"), full_page=True)
    section.get_by_role("link").first.click()
    officer.wait_for_url(f"{base}/review/rounds/*/")
    assert "补充从重处罚的事实依据" in officer.content()


def test_the_head_filters_the_case_list_and_the_filter_stays_in_the_url(browser, live_server):
    from sanxiang.cases.testing import company

    world = World.build()
    base = live_server.url
    open_test_case(world, title="某公司违法案", parties=[company("某文化传播有限公司")])
    open_test_case(world, title="张某违法案")
    head = signed_in_page(browser, base, world.head)
    head.goto(f"{base}/cases/")
    head.get_by_label("当事人（名称或统一社会信用代码/证件号）").fill("文化传播")
    head.get_by_role("button", name="筛选").click()
    head.wait_for_url("**/cases/?*party=*")
    rows = head.locator("tbody tr")
    assert rows.count() == 1 and "某公司违法案" in rows.first.inner_text()
    # The date is typed in Chinese order; the calendar button opens the browser's own picker.
    assert head.get_by_label("立案日期起").get_attribute("placeholder") == "年-月-日"
    assert head.get_by_role("button", name="选择日期").count() == 4
    ARTIFACTS.mkdir(exist_ok=True)
    head.screenshot(path=str(ARTIFACTS / "case-list-filtered.png"), full_page=True)
    head.get_by_label("立案日期起").fill("2026年12月3日")
    head.get_by_label("立案日期止").fill("2026/1/1")
    head.get_by_role("button", name="筛选").click()
    head.get_by_test_id("filter-errors").wait_for()
    assert "晚于截止日" in head.get_by_test_id("filter-errors").inner_text()


def test_the_officer_reads_a_notification_from_the_bell(browser, live_server):
    from sanxiang.ledger.services import integrate
    from sanxiang.workbench import notifications

    world = World.build()
    base = live_server.url
    returned = case_at_defence(world)
    failed(world, assigned(world, returned))
    integrate()
    notifications.dispatch()  # what the task worker does every SANXIANG_NOTIFY_SECONDS
    officer = signed_in_page(browser, base, world.officer)
    officer.get_by_test_id("unread-count").wait_for()
    officer.get_by_role("link", name="通知").click()
    officer.get_by_role("heading", level=1).filter(has_text="通知").wait_for()
    assert "法制审核退回" in officer.locator("main").inner_text()
    assert officer.evaluate("document.documentElement.scrollWidth") <= 1280, "no sideways scroll"
    ARTIFACTS.mkdir(exist_ok=True)
    officer.screenshot(path=str(ARTIFACTS / "notifications.png"), full_page=True)
    officer.get_by_role("button", name="全部标为已读").click()
    officer.get_by_role("heading", level=1).filter(has_text="通知").wait_for()
    assert officer.get_by_test_id("unread-count").count() == 0
