"""The 行政处罚决定书 holds what 行政处罚法 第59条 lists, each once (issue 10, item 5).

第59条: (一) 当事人的姓名或者名称、地址; (二) 违反法律、法规、规章的事实和证据; (三) 行政处罚的
种类和依据; (四) 行政处罚的履行方式和期限; (五) 申请行政复议、提起行政诉讼的途径和期限;
(六) 作出决定的行政机关名称和日期. Checked on the rendered PDF's text, as a reader sees it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from sanxiang.documents.builders import build
from sanxiang.documents.kinds import get_kind
from sanxiang.documents.render_pdf import render_pdf
from sanxiang.documents.samples import demo_sheet
from sanxiang.documents.sheet import CaseSheet

from .helpers import pdf_text, squeeze


def decision_text(sheet: CaseSheet) -> str:
    kind = get_kind("penalty_decision")
    assert kind is not None
    content = build(kind, sheet, number="兴民宗罚决字〔2026〕第1号", issued_on=date(2026, 4, 8))
    return squeeze(pdf_text(render_pdf(content)))


@pytest.fixture(scope="module")
def text() -> str:
    return decision_text(demo_sheet())


def test_the_party_is_named_with_its_address(text: str):
    assert "当事人：盘锦某文化传播有限公司" in text
    assert "住所：辽宁省盘锦市兴隆台区某路88号" in text


def test_the_provision_violated_and_the_provision_applied_are_both_named(text: str):
    assert "违反了《宗教事务条例》第四十一条第二款的规定" in text
    assert "依据《宗教事务条例》第七十条第一款" in text
    assert "相关规定" not in text


def test_the_kind_and_amount_are_stated_once(text: str):
    assert text.count("罚款人民币20,000.00元") == 1


def test_payment_says_how_and_within_what_period_citing_the_articles(text: str):
    assert "自收到本决定书之日起十五日内缴纳罚款" in text
    assert "缴纳方式：持本决定书及非税收入一般缴款书到中国工商银行盘锦兴隆台支行缴纳" in text
    assert "第六十七条、第七十二条" in text


def test_remedies_name_the_government_the_periods_and_their_articles(text: str):
    assert "六十日内向兴隆台区人民政府申请行政复议（《中华人民共和国行政复议法》第二十条）" in text
    assert "六个月内依法向人民法院提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）" in text
    assert text.count("申请行政复议") == 1


def test_the_agency_and_the_date_close_it(text: str):
    # GB/T 9704-2012 7.3.5.1: the 成文日期 in Arabic numerals, under the agency's name.
    assert "兴隆台区民族和宗教事务局2026年4月8日" in text


def test_a_title_ending_in_an_is_not_followed_by_a_second_an():
    sheet = replace(demo_sheet(), case_title="某文化传播有限公司为违法宗教活动提供条件案")
    text = decision_text(sheet)
    assert "为违法宗教活动提供条件一案" in text
    assert "案一案" not in text


def test_a_draft_with_no_provision_violated_leaves_a_blank_to_fill_not_a_vague_phrase():
    sheet = demo_sheet()
    assert sheet.draft is not None
    text = decision_text(replace(sheet, draft=replace(sheet.draft, violated_provision="")))
    assert "违反了＿＿＿＿＿＿的规定" in text


def test_the_free_text_of_a_fine_does_not_repeat_the_decision():
    sheet = demo_sheet()
    assert sheet.draft is not None
    repeated = replace(sheet.draft, text="决定对当事人罚款人民币贰万元。")
    text = decision_text(replace(sheet, draft=repeated))
    assert "决定对当事人罚款人民币贰万元" not in text
    other = replace(
        sheet.draft, kind="other", kind_label="其他", fine_amount=None, text="责令改正。"
    )
    assert "责令改正" in decision_text(replace(sheet, draft=other))


def test_the_closing_never_stands_alone_on_the_last_page():
    """Grow the facts a sentence at a time, so that the page break falls at every place of the
    last paragraphs in turn: the last page always carries body text besides the 落款
    (GB/T 9704-2012 7.3.5.1)."""
    base = demo_sheet()
    kind = get_kind("penalty_decision")
    assert kind is not None
    sentence = "当事人在上述期间多次组织相关活动，现场检查笔录、询问笔录和照片在卷佐证。"
    closing = squeeze("兴隆台区民族和宗教事务局2026年4月8日")
    for n in range(0, 24):
        sheet = replace(base, facts=base.facts + sentence * n)
        content = build(kind, sheet, number="兴民宗罚决字〔2026〕第1号", issued_on=date(2026, 4, 8))
        pages = [p for p in pdf_text(render_pdf(content)).split("\f") if p.strip()]
        last = squeeze(pages[-1]).replace(closing, "").replace("扫码核验文书真伪", "")
        body = "".join(ch for ch in last if not ch.isdigit() and ch not in "—-")
        assert len(body) > 20, f"the 落款 stands alone on page {len(pages)} (facts ×{n})"


def test_every_penalty_imposed_together_is_stated_in_the_order_of_article_9():
    sheet = demo_sheet()
    assert sheet.draft is not None
    draft = replace(
        sheet.draft,
        confiscation_value=Decimal("9000.00"),
        penalties=(("warning", "警告"), ("fine", "罚款"), ("confiscation", "没收违法所得…")),
    )
    text = decision_text(replace(sheet, draft=draft))
    warning, fine = text.index("1.警告；"), text.index("2.罚款人民币20,000.00元")
    confiscation = text.index("3.没收违法所得、没收非法财物（价值人民币9,000.00元")
    assert warning < fine < confiscation
    assert text.count("没收违法所得") == 1
