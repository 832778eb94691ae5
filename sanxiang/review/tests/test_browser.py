"""The legal-review journey in a real browser: submit → problems found → resubmit → agree →
decide, each person in their own signed-in browser context."""

from __future__ import annotations

import os
from typing import Any

import pytest

from sanxiang.cases.models import Case
from sanxiang.testing import World, signed_in_page

from .helpers import MATERIALS, case_at_defence

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser


def fill_materials(page: Any) -> None:
    for name, value in MATERIALS.items():
        page.fill(f"#id_{name}", value)


@pytest.mark.django_db(transaction=True)
def test_submit_problems_found_resubmit_agree_decide(live_server: Any, browser: Any) -> None:
    w = World.build()
    case = case_at_defence(w)
    base = live_server.url
    people = (w.officer, w.head, w.reviewer)
    officer, head, reviewer = (signed_in_page(browser, base, u) for u in people)

    # The case unit submits the draft with its materials.
    officer.goto(f"{base}/review/cases/{case.pk}/submit/")
    fill_materials(officer)
    officer.click("button:has-text('报送')")
    officer.wait_for_url(f"{base}/review/cases/{case.pk}/")
    assert "待分配" in officer.inner_text("[data-testid='history-status-1']")

    # The head assigns the legal unit's reviewer from the queue.
    head.goto(f"{base}/review/")
    head.click(f"a:has-text('{case.number}')")
    head.select_option("#id_reviewer", str(w.reviewer.officer.pk))
    head.click("button:has-text('分配')")
    assert "审核中" in head.inner_text("[data-testid='round-status']")

    # The reviewer finds a problem with the discretion and says what must change.
    reviewer.goto(f"{base}/review/")
    reviewer.click(f"a:has-text('{case.number}')")
    reviewer.check("#id_discretion_passed_1")
    reviewer.fill("#id_discretion_problem", "从重处罚的事实依据不足")
    reviewer.check("#id_agree_1")
    reviewer.fill("#id_opinion", "裁量说理不足。")
    reviewer.fill("#id_required_changes", "补充从重处罚的事实依据，或调整罚款金额。")
    reviewer.click("button:has-text('出具审核意见')")
    assert "存在问题" in reviewer.inner_text("[data-testid='round-status']")

    # Deciding now is refused by the gate, on the case page itself.
    head.goto(f"{base}/cases/{case.pk}/")
    head.click("[data-target-stage='decision']")
    head.wait_for_selector("[data-error-code='legal_review_required']")
    assert Case.objects.get(pk=case.pk).stage == "defence"

    # The unit lowers the fine and resubmits.
    officer.goto(f"{base}/cases/{case.pk}/draft/")
    officer.fill("#id_fine_amount", "120000")
    officer.click("form button.btn-primary")
    officer.goto(f"{base}/review/cases/{case.pk}/submit/")
    fill_materials(officer)
    officer.fill("#id_response", "已按审核意见将罚款调整为12万元并补充说理。")
    officer.click("button:has-text('报送')")
    officer.wait_for_url(f"{base}/review/cases/{case.pk}/")
    assert "120000.00" in officer.content()

    # The same reviewer agrees on round 2.
    reviewer.goto(f"{base}/review/")
    reviewer.click(f"a:has-text('{case.number}')")
    reviewer.check("#id_agree_0")
    reviewer.fill("#id_opinion", "已按意见修改，同意。")
    reviewer.click("button:has-text('出具审核意见')")
    assert "同意" in reviewer.inner_text("[data-testid='round-status']")

    # The head decides.
    head.goto(f"{base}/cases/{case.pk}/")
    head.click("[data-target-stage='decision']")
    head.wait_for_selector("[data-testid='current-stage'][data-stage='decision']")
    assert Case.objects.get(pk=case.pk).stage == "decision"


@pytest.mark.django_db(transaction=True)
def test_the_assigned_reviewer_opens_the_evidence_from_the_review_page(
    live_server: Any, browser: Any
) -> None:
    """Issue 10 item 10: the evidence and 文书 beside the checklist, each opening logged."""
    from sanxiang.records.models import Access
    from sanxiang.records.tests.helpers import PDF, upload

    from .helpers import assigned

    w = World.build()
    case = case_at_defence(w)
    record = upload(w.officer, case, PDF, title="现场检查笔录（第1份）")
    upload(w.officer, case, PDF, label="trade_secret", title="进货价格清单")
    round_ = assigned(w, case)
    base = live_server.url
    reviewer = signed_in_page(browser, base, w.reviewer)
    reviewer.set_viewport_size({"width": 1400, "height": 1600})
    reviewer.goto(f"{base}/review/rounds/{round_.pk}/")
    files = reviewer.locator("[data-testid='review-case-file']")
    assert "进货价格清单" in files.inner_text()
    assert reviewer.locator("[data-testid='review-document']").count() >= 1
    shots = os.environ.get("SANXIANG_SCREENSHOTS")
    if shots:
        reviewer.screenshot(path=f"{shots}/review-case-file.png", full_page=True)
    reviewer.click(f"a:has-text('{record.title}')")
    assert "本次查看已记入全过程记录账本" in reviewer.inner_text("main")
    assert "第1轮法制审核" in reviewer.inner_text("[data-testid='record-grant']")
    assert Access.objects.filter(actor=w.reviewer, record=record).count() == 1
