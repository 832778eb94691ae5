"""The execution panel in a real browser: a fine paid late, in part, then in full with its
加处罚款, and the case closed (issue 10, item 7)."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sanxiang.cases import execution as ex
from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, save_draft
from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.testing import take_step
from sanxiang.lib.workdays import is_working_day
from sanxiang.testing import World, signed_in_page

from .test_browser import ARTIFACTS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_late_fine_is_paid_with_its_surcharge_and_the_case_closes(live_server, browser):
    world = World.build()
    today = timezone.localdate()
    delivered = today - timedelta(days=30)
    opened = delivered - timedelta(days=14)
    case = open_test_case(
        world, parties=[company()], title="某公司违规组织宗教活动", opened_on=opened
    )
    for target, actor, on in [
        ("investigation", world.head, opened),
        ("case_review", world.officer, opened),
        ("notice", world.officer, opened + timedelta(days=1)),
        ("defence", world.officer, opened + timedelta(days=1)),
    ]:
        take_step(actor, case.pk, target, on=on)
    save_draft(
        actor=world.officer,
        case_id=case.pk,
        data=DraftData(
            violated_provision="《宗教事务条例》第四十一条",
            kind="fine",
            fine_amount="5000",
            legal_basis="《宗教事务条例》第七十一条",
        ),
    )
    take_step(world.head, case.pk, "decision", on=delivered - timedelta(days=2))
    take_step(world.officer, case.pk, "delivery", on=delivered)
    take_step(world.officer, case.pk, "execution", on=delivered)
    due = delivered + timedelta(days=15)
    while not is_working_day(due):
        due += timedelta(days=1)
    late = (today - due).days

    officer = signed_in_page(browser, live_server.url, world.officer)
    url = f"{live_server.url}/cases/{case.pk}/"
    officer.goto(url)
    panel = officer.locator("#case-execution")
    assert "第67条第3款" in panel.inner_text() and "第72条" in panel.inner_text()
    assert due.isoformat() in panel.locator("[data-field=due_on]").inner_text()
    surcharge = min(Decimal("5000") * Decimal("0.03") * late, Decimal("5000"))
    assert f"{surcharge:,.2f}" in panel.locator("[data-field=surcharge]").inner_text()

    # A partial payment made three days after the deadline: the surcharge stops growing only
    # once the fine is paid, so it runs on.
    officer.fill("#pay-receipt_number", "21001234567801")
    officer.fill("#pay-amount", "2000")
    officer.fill("#pay-paid_on", (due + timedelta(days=3)).isoformat())
    officer.click("[data-action=record-payment]")
    officer.wait_for_selector("text=缴款已登记")
    assert "2,000.00" in officer.inner_text("#case-execution [data-field=paid]")

    # Paying more than is owed today is refused with the article, and nothing is recorded.
    owed = ex.schedule(Case.objects.get(pk=case.pk)).outstanding
    officer.click("text=登记缴款")
    officer.fill("#pay-receipt_number", "21001234567802")
    officer.fill("#pay-amount", str(owed + Decimal("0.01")))
    officer.fill("#pay-paid_on", today.isoformat())
    officer.click("[data-action=record-payment]")
    officer.wait_for_selector("text=payment_exceeds_due")
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / "case-execution-late.png"))

    # 报请结案 is refused while anything is owed; it names what.
    officer.click("[data-testid=request-closing]")
    officer.wait_for_selector("#transition-errors [data-error-code=execution_incomplete]")
    assert "加处罚款" in officer.inner_text("#transition-errors")

    officer.goto(url)
    officer.click("text=登记缴款")
    officer.fill("#pay-receipt_number", "21001234567803")
    officer.fill("#pay-amount", str(owed))
    officer.fill("#pay-paid_on", today.isoformat())
    officer.click("[data-action=record-payment]")
    officer.wait_for_selector('#case-execution[data-executed="true"]')
    panel.screenshot(path=str(ARTIFACTS / "case-execution-paid.png"))
    # Paid in full: the officer asks for 结案 and the head signs it.
    officer.click("[data-testid=request-closing]")
    officer.wait_for_selector("[data-testid=closing-pending]")
    head = signed_in_page(browser, live_server.url, world.head)
    head.goto(url)
    head.click('button[data-target-stage="closing"]')
    head.wait_for_selector('[data-testid=current-stage][data-stage="closing"]')
    assert Case.objects.get(pk=case.pk).stage == "closing"
