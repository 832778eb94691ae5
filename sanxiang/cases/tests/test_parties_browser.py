"""A case with two parties and an agent, opened and completed in a real browser (issue 10,
item 4): the opening form's second party, the agent form, and the 当事人 section."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from sanxiang.cases.models import Case, PartyAgent
from sanxiang.cases.testing import make_matter, org_credit_code, resident_id
from sanxiang.testing import World, signed_in_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def register_lawyer(page, party_id: int) -> None:
    """On the case page: register 钱律师 as the party's agent with 特别授权 (hearing, receiving
    documents) and a paper 授权委托书, through the agent form."""
    page.click(f'[data-party="{party_id}"] a:has-text("登记委托代理人")')
    page.fill("input[name=name]", "钱律师")
    page.fill("input[name=id_number]", resident_id(date(1985, 6, 1), 31))
    page.fill("input[name=relation]", "律师（辽宁某律师事务所）")
    page.select_option("select[name=authority]", "special")
    page.check("input[name=powers][value=hearing]")
    page.check("input[name=powers][value=receive]")
    page.fill("input[name=letter_reference]", "授权委托书（卷内第5页）")
    page.click("main form button.btn-primary")
    page.wait_for_selector(f'[data-party="{party_id}"] >> text=钱律师')


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_case_with_two_parties_and_an_agent_in_the_browser(live_server, browser):
    world = World.build()
    matter = make_matter(world.agency, "penalty", "PT-WEB")
    base = live_server.url
    officer = signed_in_page(browser, base, world.officer)

    officer.goto(f"{base}/cases/new/")
    officer.select_option("select[name=matter]", str(matter.pk))
    officer.select_option("select[name=procedure]", "penalty_ordinary")
    officer.fill("input[name=title]", "某公司与某小吃店共同违规组织宗教活动案")
    officer.select_option("select[name=source]", "inspection")
    officer.fill("textarea[name=facts]", "检查发现共同组织宗教活动。")
    officer.fill(
        "input[name=violation_on]", (timezone.localdate() - timedelta(days=20)).isoformat()
    )
    officer.check(f"input[name=team][value='{world.officer.officer.pk}']")
    officer.check(f"input[name=team][value='{world.officer2.officer.pk}']")
    officer.select_option("select[name=party_kind]", "organisation")
    officer.fill("input[name=party_name]", "盘锦某文化传播有限公司")
    officer.fill("input[name=party_credit_code]", org_credit_code(11))
    officer.fill("input[name=party_legal_representative]", "李大海")
    officer.select_option("select[name=party2_kind]", "individual_business")
    officer.fill("input[name=party2_name]", "兴隆台区某某小吃店")
    officer.fill("input[name=party2_id_number]", resident_id(date(1975, 3, 9), 21))
    officer.fill("input[name=party2_legal_representative]", "赵长江")
    officer.click("main form button")
    officer.wait_for_selector('[data-testid=current-stage][data-stage="filing"]')
    case = Case.objects.get(title="某公司与某小吃店共同违规组织宗教活动案")
    assert list(case.parties.values_list("kind", flat=True)) == [
        "organisation",
        "individual_business",
    ]

    company = case.parties.get(kind="organisation")
    register_lawyer(officer, company.pk)
    assert PartyAgent.objects.get().authority == "special"

    section = officer.locator("section[aria-labelledby=parties-heading]")
    text = section.inner_text()
    assert "个体工商户" in text and "经营者 赵长江" in text
    assert "特别授权（代为申请、参加听证、代为签收法律文书）" in text
    ARTIFACTS.mkdir(exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / "case-two-parties-and-agent.png"))
