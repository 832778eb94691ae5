from __future__ import annotations

import io
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from docx import Document

from sanxiang.documents.builders import build
from sanxiang.documents.content import capital_yuan
from sanxiang.documents.kinds import all_kinds, get_kind
from sanxiang.documents.render_docx import render_docx
from sanxiang.documents.render_pdf import html_of, render_pdf
from sanxiang.documents.samples import demo_sheet

from .helpers import pdf_text, squeeze

ISSUED = date(2026, 4, 8)
SHEET = demo_sheet()
COMPANY = "盘锦某文化传播有限公司"
# What each document must say besides its title and the agency: a party, the case, the law.
KEY_TEXT = {
    "filing_approval": [COMPANY, "91211103MA0Y12345X", "兴民宗立字〔2026〕第3号", "投诉举报"],
    "inspection_record": [COMPANY, "王明", "21110300001", "现场检查情况"],
    "inquiry_record": [COMPANY, "如实回答询问的义务"],
    "evidence_preservation": [COMPANY, "第五十六条", "七日内"],
    "preservation_decision": [COMPANY, "第五十六条", "七日内及时作出处理决定", "解除先行登记保存"],
    "seizure_decision": [
        COMPANY,
        "第二十四条",
        "三十日",
        "兴隆台区人民政府",
        "1. 宗教宣传册《某某》（32开，彩色印刷），1200册，存放于本局物证保管室",
        "2. 宣传光盘，85张",
    ],
    "penalty_notice": [COMPANY, "陈述、申辩", "五日内", "人民币20,000.00元"],
    "hearing_notice": [COMPANY, "要求举行听证", "七日前"],
    "hearing_summons": [
        COMPANY,
        "2026年4月2日09:30",
        "本局三楼听证室",
        "赵刚",
        "第六十四条第（二）项",
        "非本案调查人员",
    ],
    "hearing_record": [COMPANY, "听证纪律"],
    "collective_discussion": [
        COMPANY,
        "2026年4月7日",
        "张局长、李副局长、王科长",
        "同意按拟定意见作出决定",
        "第五十七条第二款",
    ],
    "statement_record": [COMPANY, "陈述、申辩的权利"],
    "penalty_decision": [
        COMPANY,
        "91211103MA0Y12345X",
        "辽宁省盘锦市兴隆台区某路88号",
        "组织12名公民出境",
        "《宗教事务条例》第七十条第一款",
        "罚款人民币20,000.00元（大写：贰万元整）",
        "十五日内",
        "第六十七条",
        "六十日内向兴隆台区人民政府申请行政复议",
        "六个月内",
        "兴民宗告字〔2026〕第1号",
        "2026年4月8日",
        "对应罚款幅度为10,000.00元至30,000.00元",
    ],
    "no_penalty_decision": [
        COMPANY,
        "违法行为轻微并及时改正，没有造成危害后果",
        "依据《中华人民共和国行政处罚法》第三十三条第一款",
        "当事人已于当日撤除全部宣传品",
        "决定不予行政处罚",
        "第三十三条第三款",
        "进行教育",
        "六十日内",
    ],
    "address_confirmation": [COMPANY, "送达地址", "第六十一条"],
    "delivery_receipt": [COMPANY, "兴民宗告字〔2026〕第1号", "送达方式"],
    "case_transfer": [COMPANY, "盘锦市公安局兴隆台分局", "非法经营数额巨大", "第二十七条第一款"],
    "inquiry_notice": [COMPANY, "第五十五条", "如实回答询问"],
    "licence_rejection": [COMPANY, "第三十二条第一款", "不予受理"],
    "rectification_order": [
        COMPANY,
        "第二十八条第一款",
        "组织12名公民出境",
        "《宗教事务条例》第七十条",
    ],
    "closing_approval": [COMPANY, "建议结案", "兴民宗立字〔2026〕第3号"],
    "payment_reminder": [COMPANY, "第五十四条", "十日内", "罚款人民币20,000.00元", "百分之三"],
    "enforcement_application": [COMPANY, "第五十三条", "第五十五条", "申请人民法院强制执行"],
    "acceptance_notice": [COMPANY, "予以受理", "第三十二条"],
    "supplement_notice": [COMPANY, "一次告知", "补正"],
    "licence_grant": [COMPANY, "准予行政许可", "十日内"],
    "licence_refusal": [COMPANY, "不予行政许可", "第三十八条第二款", "六十日内"],
    "on_the_spot_decision": [
        COMPANY,
        "第五十一条、第五十二条",
        "罚款人民币20,000.00元",
        "十五日内",
        "六十日内向兴隆台区人民政府申请行政复议",
        "王明",
    ],
    "site_record": [COMPANY, "第十八条", "现场情况", "见证人"],
    # h10b: 延长许可期限, 查封、扣押
    "licence_extension_notice": [
        COMPANY,
        "第四十二条第一款",
        "需实地核查场所安全条件",
        "延长10个工作日",
        "2026年4月16日",
        "2026年4月1日",
    ],
    "seizure_inventory": [COMPANY, "宗教宣传册《某某》", "1200册", "一式二份", "第二十四条第三款"],
    "seizure_extension": [
        COMPANY,
        "涉案宣传品来源需协查",
        "延长30日",
        "2026年6月7日",
        "第二十五条",
    ],
    "seizure_release": [COMPANY, "当事人没有违法行为", "第二十八条第一款", "立即退还财物"],
    "on_spot_report": [COMPANY, "第十九条", "二十四小时内", "2026年4月8日10:30", "不当场扣押"],
}


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def content_of(code: str):
    kind = get_kind(code)
    assert kind is not None
    number = f"兴民宗{kind.word}字〔2026〕第5号" if kind.numbered else ""
    link = "https://gs.example/gongshi/verify/?doc=x&sha256=y" if kind.decision else ""
    return build(kind, SHEET, number=number, issued_on=ISSUED, verification_url=link)


def test_every_kind_has_key_text_to_check():
    assert set(KEY_TEXT) == {k.code for k in all_kinds()}


@pytest.mark.parametrize("code", sorted(KEY_TEXT))
def test_each_template_renders_its_key_text_in_docx_and_pdf(code):
    doc = content_of(code)
    expected = [doc.title, "兴隆台区民族和宗教事务局", *KEY_TEXT[code]]
    if doc.number:
        expected.append(doc.number)
    in_docx = squeeze(docx_text(render_docx(doc)))
    pdf = render_pdf(doc)
    assert pdf.startswith(b"%PDF")
    in_pdf = squeeze(pdf_text(pdf))
    for text in expected:
        assert squeeze(text) in in_docx, f"{code} DOCX lacks {text}"
        assert squeeze(text) in in_pdf, f"{code} PDF lacks {text}"


def test_the_pdf_numbers_pages_with_dashes_at_the_foot():
    text = squeeze(pdf_text(render_pdf(content_of("penalty_decision"))))
    assert "—1—" in text and "—2—" in text


def test_a_decision_prints_a_verification_qr_code_and_a_form_does_not():
    assert "data:image/svg+xml" in html_of(content_of("penalty_decision"))
    assert "data:image/svg+xml" not in html_of(content_of("filing_approval"))


def test_the_pdf_embeds_a_real_cjk_font(tmp_path):
    path = tmp_path / "d.pdf"
    path.write_bytes(render_pdf(content_of("penalty_decision")))
    fonts = subprocess.run(  # noqa: S603 - fixed tool, our own temp file
        ["/usr/bin/pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert "Noto-Serif-CJK-SC" in fonts


def test_the_content_hash_ignores_the_link_that_carries_it():
    doc = content_of("penalty_decision")
    from dataclasses import replace

    assert replace(doc, verification_url="").sha256() == doc.sha256()


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("20000", "贰万元整"),
        ("5000.00", "伍仟元整"),
        ("10005", "壹万零伍元整"),
        ("100000005", "壹亿零伍元整"),
        ("1500.50", "壹仟伍佰元伍角"),
        ("100.05", "壹佰元零伍分"),
        ("0.30", "叁角"),
        ("0", "零元整"),
        ("1010", "壹仟零壹拾元整"),
    ],
)
def test_amounts_are_written_in_capital_numerals(amount, words):
    assert capital_yuan(Decimal(amount)) == words
