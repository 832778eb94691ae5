"""A whole 一般程序 case in a real browser (issue 10, done when): two parties and an agent, a
询问笔录 taken on the tablet and signed on screen, a decision of 罚款 并处 警告 and 没收违法所得,
the hearing the party asked for, noticed 7 working days ahead and held, its 听证笔录 sealed, the
legal review, the decision, its delivery with the 送达回证, a late payment with its 加处罚款, and
结案 signed by the head.

The steps that only move the case on (approvals, documents issued for a step) go through the same
services the pages call, dated in the past, so that the payment can be late today; everything the
issue names as a person's act is done on the page.
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from sanxiang.cases import execution as ex
from sanxiang.cases.hearings import earliest_hearing_day
from sanxiang.cases.models import Case, DecisionDraft, PartyAgent
from sanxiang.cases.testing import company, open_test_case, person
from sanxiang.documents.models import IssuedDocument
from sanxiang.documents.queries import read_file
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import take_step
from sanxiang.documents.tests.helpers import pdf_text, squeeze
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.workdays import is_working_day
from sanxiang.review.testing import pass_review
from sanxiang.testing import World, sign_in_page, signed_in_page, watch_errors
from sanxiang.transcripts import services as transcripts
from sanxiang.transcripts.models import Status, Transcript
from sanxiang.transcripts.tests.helpers import inquiry, sign_all
from sanxiang.transcripts.tests.test_browser import draw_signature

from .test_parties_browser import register_lawyer

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
TABLET = {"width": 1024, "height": 768}
ANSWER = "活动是我们公司组织的，张某负责联系场地，收取了每人三百元。"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_a_whole_ordinary_case_from_the_inquiry_to_the_heads_closing(live_server, browser):
    world = World.build()
    base = live_server.url
    today = timezone.localdate()
    delivered = today - timedelta(days=30)
    decided = delivered - timedelta(days=2)
    opened = delivered - timedelta(days=40)
    case = open_test_case(
        world,
        parties=[company(), person("张某")],
        title="某公司违规组织宗教活动",
        opened_on=opened,
    )
    take_step(world.head, case.pk, "investigation", on=opened)
    firm = case.parties.get(kind="organisation")

    # The officer registers the company's 委托代理人 on its form (行政处罚法 第64条第（五）项).
    officer = browser.new_page(viewport=TABLET, locale="zh-CN", has_touch=True)
    errors = watch_errors(officer)
    sign_in_page(officer, base, world.officer)
    officer.goto(f"{base}/cases/{case.pk}/")
    register_lawyer(officer, firm.pk)
    assert PartyAgent.objects.get(party=firm).authority == "special"

    # The 询问笔录, entered on the tablet the day after 立案 and signed on the canvas by
    # everyone present (the person asked, a witness, the two officers), then sealed.
    officer.click("#transcripts-panel a:has-text('新建笔录')")
    officer.fill("#started_at", f"{opened + timedelta(days=1)}T09:30")
    officer.fill("#ended_at", f"{opened + timedelta(days=1)}T10:10")
    officer.fill("#place", "测试区民族和宗教事务局询问室")
    asked = case.parties.get(kind="natural")
    officer.select_option("select[name=person_party_0]", str(asked.pk))
    officer.fill("#q_0", "请说明当天组织活动的情况。")
    officer.fill("#a_0", ANSWER)
    officer.select_option("select[name=person_role_1]", "witness")
    officer.fill("input[name=person_name_1]", "王见证")
    officer.click("button:has-text('保存草稿')")
    officer.wait_for_selector("[data-testid=transcript-status]:has-text('草稿')")
    signers = officer.locator(".sx-signers a:has-text('签名')")
    while signers.count():
        signers.first.click()
        officer.wait_for_selector("#signature-pad[data-ready]")
        draw_signature(officer)
        officer.click("#signature-submit")
        officer.wait_for_selector("[data-testid=transcript-status]")
    officer.click("button:has-text('签署封存并制发')")
    officer.wait_for_selector("[data-testid=transcript-status]:has-text('已签署封存')")
    record = Transcript.objects.get(case=case, kind="inquiry_record")
    assert record.status == Status.SEALED
    shot(officer, "walk-inquiry-sealed.png")

    take_step(world.officer, case.pk, "case_review", on=opened + timedelta(days=10))

    # 并处 (行政处罚法 第9条): 罚款 with 警告 and 没收违法所得, on the draft page.
    officer.goto(f"{base}/cases/{case.pk}/draft/")
    officer.select_option("select[name=kind]", "fine")
    officer.check("input[name=additional_kinds][value=warning]")
    officer.check("input[name=additional_kinds][value=confiscation]")
    officer.fill("input[name=fine_amount]", "5000")
    officer.fill("input[name=confiscation_value]", "9000")
    officer.fill("textarea[name=violated_provision]", "《宗教事务条例》第四十一条第二款")
    officer.fill("textarea[name=legal_basis]", "《宗教事务条例》第七十一条")
    officer.fill(
        "textarea[name=text]",
        "当事人未经批准组织公民参加宗教活动，收取费用共计九千元，事实清楚，证据确凿。",
    )
    officer.click("main form button.btn-primary")
    officer.wait_for_selector("text=草稿已保存")
    draft = DecisionDraft.objects.get(case=case)
    assert draft.kind == "fine" and draft.confiscation_value == Decimal("9000.00")
    assert set(draft.penalty_kinds.split(",")) >= {"warning", "confiscation"}

    # 告知, the party asks for a hearing (第63-64条), the hearing is held and its 笔录 sealed.
    take_step(world.officer, case.pk, "notice", on=opened + timedelta(days=12))
    take_step(world.officer, case.pk, "hearing", on=opened + timedelta(days=13))
    # The hearing scheduled on the case page: the 听证通知书 served that day, the hearing 7
    # working days later at the earliest (第64条), presided over by the head (not on the team).
    served = opened + timedelta(days=13)
    officer.goto(f"{base}/cases/{case.pk}/")
    officer.fill("#hearing-held_on", earliest_hearing_day(served).isoformat())
    officer.fill("#hearing-held_time", "09:30")
    officer.fill("#hearing-place", "测试区民族和宗教事务局听证室")
    officer.select_option("#hearing-presiding", str(world.head.officer.pk))
    officer.fill("#hearing-notified_on", served.isoformat())
    officer.click("[data-action=schedule-hearing]")
    officer.wait_for_selector("[data-testid=hearing-scheduled]")
    officer.locator("#case-hearing").screenshot(path=str(ARTIFACTS / "walk-hearing.png"))
    heard = inquiry(
        world,
        Case.objects.get(pk=case.pk),
        kind="hearing_record",
        questions=[
            ("当事人对调查人员提出的违法事实有无异议？", "代理人：对组织活动无异议，请求从轻处罚。")
        ],
        findings="调查人员提出违法事实、证据和处罚建议；当事人委托代理人钱律师陈述、申辩和质证。",
    )
    hearing = transcripts.create_transcript(actor=world.officer, case_id=case.pk, data=heard)
    sign_all(world, hearing)
    transcripts.seal(actor=world.officer, transcript_id=hearing.pk)

    # A decision after a hearing is major: no decision until the legal unit agreed (第58条).
    pass_review(world, Case.objects.get(pk=case.pk))
    take_step(world.head, case.pk, "decision", on=decided)
    # The 决定书 rendered for real (take_step's stand-in PDFs are for speed), then served.
    decision = issue_document(actor=world.officer, case_id=case.pk, kind="penalty_decision")
    take_step(world.officer, case.pk, "delivery", on=delivered)
    take_step(world.officer, case.pk, "execution", on=delivered)
    text = squeeze(pdf_text(read_file(decision, "pdf")))
    for words in ("某文化传播有限公司", "张某", "钱律师", "警告", "罚款", "没收违法所得"):
        assert words in text, words
    assert "违反了《宗教事务条例》第四十一条第二款的规定" in text
    assert IssuedDocument.objects.filter(case=case, kind="delivery_receipt").exists()

    # Paid late, in two parts: the second with the 加处罚款 of 3 % a day (第72条).
    due = delivered + timedelta(days=15)
    while not is_working_day(due):
        due += timedelta(days=1)
    officer.goto(f"{base}/cases/{case.pk}/")
    panel = officer.locator("#case-execution")
    late = (today - due).days
    surcharge = min(Decimal("5000") * Decimal("0.03") * late, Decimal("5000"))
    assert f"{surcharge:,.2f}" in panel.locator("[data-field=surcharge]").inner_text()
    officer.fill("#pay-receipt_number", "21001234567801")
    officer.fill("#pay-amount", "2000")
    officer.fill("#pay-paid_on", (due + timedelta(days=2)).isoformat())
    officer.click("[data-action=record-payment]")
    officer.wait_for_selector("text=缴款已登记")
    owed = ex.schedule(Case.objects.get(pk=case.pk)).outstanding
    assert owed > Decimal("3000")  # the rest of the fine and its surcharge
    officer.click("text=登记缴款")
    officer.fill("#pay-receipt_number", "21001234567802")
    officer.fill("#pay-amount", str(owed))
    officer.fill("#pay-paid_on", today.isoformat())
    officer.click("[data-action=record-payment]")
    officer.wait_for_selector('#case-execution[data-executed="true"]')

    # 结案: the officer asks, the head signs it (the 结案审批表 is the 负责人's).
    officer.click("[data-testid=request-closing]")
    officer.wait_for_selector("[data-testid=closing-pending]")
    head = signed_in_page(browser, base, world.head)
    head.goto(f"{base}/cases/{case.pk}/")
    head.click('button[data-target-stage="closing"]')
    head.wait_for_selector('[data-testid=current-stage][data-stage="closing"]')
    shot(head, "walk-closed.png")
    assert Case.objects.get(pk=case.pk).stage == "closing"
    # The ledger replays the whole case with the tables: nothing diverges.
    assert [d.line() for d in reconcile()] == []
    assert errors == []
