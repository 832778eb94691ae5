"""The 执法工作手册 as DOCX (officials edit DOCX; DESIGN.md), from the same data as the PDF.

Sections are ``Heading 1`` paragraphs (matters ``Heading 2``), so the table of contents is a
real Word ``TOC`` field over them; its cached text lists the seven sections and the document
asks the word processor to update fields (page numbers) on opening (``w:updateFields``), since
pagination belongs to the program that lays the pages out. Flowcharts are given as their steps
in a table (the drawn chart is in the PDF: python-docx embeds raster images only).
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Noto Serif CJK SC"


def _east_asian(style: Any, size: float) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)


def _field(paragraph: Any, instruction: str, cached: list[str]) -> None:
    """A complex field (begin, instruction, separate, cached result, end)."""

    def char(kind: str) -> Any:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            element.set(qn("w:dirty"), "true")
        run._r.append(element)
        return run

    char("begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    paragraph.add_run()._r.append(text)
    char("separate")
    for n, line in enumerate(cached):
        run = paragraph.add_run(line)
        if n < len(cached) - 1:
            run.add_break()
    char("end")


def _update_on_open(document: Any) -> None:
    settings = document.settings.element
    flag = OxmlElement("w:updateFields")
    flag.set(qn("w:val"), "true")
    settings.append(flag)


def _table(document: Any, header: list[str], rows: list[list[str]], empty: str) -> None:
    if not rows:
        document.add_paragraph(empty)
        return
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    document.add_paragraph()


def _yes(value: bool) -> str:
    return "审核" if value else "不审核"


def _matters(document: Any, ctx: dict[str, Any]) -> None:
    for m in ctx["matters"]:
        document.add_heading(f"{m.matter.code} {m.name}（{m.get_category_display()}）", level=2)
        basis = "；".join(f"《{b['law']}》{b['article']}：{b['text']}" for b in m.legal_basis)
        limit = "—"
        if m.time_limit:
            limit = f"{m.time_limit}{'个工作日' if m.time_limit_unit == 'working' else '日'}"
        rows = [["设定依据", basis], ["承办机构", m.handling_unit], ["法定时限", limit]]
        for label, attr in (
            ("办理条件", "conditions"),
            ("申请材料", "materials"),
            ("办理流程", "process"),
            ("监督方式", "supervision"),
            ("救济渠道", "remedy"),
        ):
            if getattr(m, attr, ""):
                rows.append([label, str(getattr(m, attr))])
        _table(document, ["项目", "内容"], rows, "")
    if not ctx["matters"]:
        document.add_paragraph("尚未登记执法事项。")


def _flowcharts(document: Any, ctx: dict[str, Any]) -> None:
    for definition in ctx["definitions"]:
        document.add_heading(definition.label, level=2)
        rows = [
            [
                definition.label_of(s.source),
                definition.label_of(s.target),
                s.label,
            ]
            for s in definition.steps
        ]
        _table(document, ["环节", "转入", "步骤"], rows, "—")
    if not ctx["definitions"]:
        document.add_paragraph("—")


def _review(document: Any, ctx: dict[str, Any]) -> None:
    c = ctx["catalogue"]
    if c is None:
        document.add_paragraph("尚未制定法制审核目录清单（按平台默认标准执行）。")
        return
    rows = [
        ["罚款数额（个人，达到即审核）", f"{c.fine_natural} 元"],
        ["罚款数额（单位，达到即审核）", f"{c.fine_organisation} 元"],
        ["没收违法所得、非法财物价值（超过即审核）", f"{c.confiscation_value} 元"],
        [
            "暂扣或者吊销许可证件 / 责令停产停业 / 降低资质等级",
            f"{_yes(c.licence_revocation)} / {_yes(c.suspension)} / "
            f"{_yes(c.qualification_lowering)}",
        ],
        ["经过听证程序 / 超出裁量基准", f"{_yes(c.hearing_held)} / {_yes(c.outside_benchmark)}"],
        [
            "不予行政许可 / 撤回行政许可",
            f"{_yes(c.licence_refusal)} / {_yes(c.licence_withdrawal)}",
        ],
        ["审核时限", f"{c.review_days} 个工作日（经负责人批准可延长 {c.extension_days} 个工作日）"],
        ["版本", f"第{c.number}版，{c.valid_from:%Y年%-m月%-d日}起施行"],
    ]
    _table(document, ["情形", "标准"], rows, "")
    document.add_paragraph(
        "审核流程：承办机构报送 → 法制审核机构审核（主体、资格、程序、事实证据、依据、裁量、权限、"
        "文书、是否移送）→ 出具书面审核意见 → 负责人决定或集体讨论（行政处罚法 第五十八条）。"
    )


def _lists(document: Any, code: str, ctx: dict[str, Any]) -> None:
    if code == "benchmarks":
        rows = [
            [
                b.matter.code,
                b.get_circumstance_display(),
                b.description,
                f"{b.fine_min}—{b.fine_max}",
                f"{b.lighter_factors} {b.reduced_factors}".strip(),
            ]
            for b in ctx["benchmarks"]
        ]
        header = ["事项", "情节", "情节描述", "罚款幅度（元）", "从轻、减轻情形"]
        _table(document, header, rows, "尚未制定裁量基准。")
    elif code == "av":
        rows = [
            [
                line.get_category_display(),
                line.stage_label,
                line.get_level_display(),
                line.scene,
                f"{line.valid_from:%Y-%m-%d}",
            ]
            for line in ctx["av_lines"]
        ]
        header = ["执法类别", "环节", "要求", "记录情形", "生效日期"]
        _table(document, header, rows, "尚未制定音像记录事项清单。")
    elif code == "inspections":
        rows = [
            [
                m.name,
                m.inspection_target,
                m.inspection_content,
                f"{m.inspection_ratio or '—'}%",
                m.inspection_method,
                m.inspection_frequency,
            ]
            for m in ctx["inspections"]
        ]
        _table(document, ["事项", "抽查对象", "抽查内容", "比例", "方式", "频次"], rows, "—")
    elif code == "publication":
        rows = [
            [
                r.get_category_display(),
                f"{r.days} 个工作日",
                f"{r.period_days} 天（自然人 {r.natural_person_period_days} 天）",
                r.basis,
            ]
            for r in ctx["rules"]
        ] or [
            ["行政许可、行政处罚", "7 个工作日", "按本机关规定", "国办发〔2018〕118号"],
            ["其他行政执法决定", "20 个工作日", "按本机关规定", "国办发〔2018〕118号"],
        ]
        _table(document, ["决定类别", "公示时限", "公示期限", "依据"], rows, "")
        document.add_paragraph(
            "被变更、撤销、确认违法或者确认无效的行政处罚决定，应当在三日内撤回公示"
            "（行政处罚法 第四十八条）。上一年度行政执法数据于每年1月31日前公开。"
        )


def render_docx(ctx: dict[str, Any]) -> bytes:
    """The 手册 of ``ctx`` (``handbook._context``) as DOCX bytes."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    _east_asian(document.styles["Normal"], 11)
    for level, size in ((1, 15), (2, 12)):
        _east_asian(document.styles[f"Heading {level}"], size)
    agency = ctx["agency"]
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{agency.name}\n行政执法工作手册")
    run.bold, run.font.size = True, Pt(24)
    cover = document.add_paragraph(f"第{ctx['version']}版 · {ctx['date']}")
    cover.alignment = WD_ALIGN_PARAGRAPH.CENTER
    bureau = agency.supervised_by.name if agency.supervised_by_id else "执法监督机关"
    document.add_paragraph(f"依据本机关在三项制度执法监督平台中的现行数据生成，报{bureau}备案。")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    heading = document.add_paragraph("目录")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(document.add_paragraph(), r'TOC \o "1-1" \h \z \u', [t for _, t in ctx["sections"]])
    for code, label in ctx["sections"]:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(label, level=1)
        if code == "matters":
            _matters(document, ctx)
        elif code == "flowcharts":
            _flowcharts(document, ctx)
        elif code == "review":
            _review(document, ctx)
        else:
            _lists(document, code, ctx)
    _update_on_open(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
