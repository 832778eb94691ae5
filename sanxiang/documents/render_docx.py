"""DOCX built in code with python-docx (no binary template to keep in git), same layout rules as
the PDF: A4, 版心 156 x 225 mm, red 版头, 3号 body, "— 1 —" page numbers in the footer."""

from __future__ import annotations

import base64
import io

import segno
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from .content import Block, DocumentContent, Image, Para, Table

RED = RGBColor(0xE6, 0x00, 0x00)
BODY_FONT = "仿宋"  # Word on the officers' PCs has 仿宋; LibreOffice falls back to Noto Serif CJK
TITLE_FONT = "方正小标宋简体"
ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
}


def _font(run_or_style: object, name: str, size: float, *, bold: bool = False) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = name
    font.size = Pt(size)
    font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        rfonts.set(qn(attr), name)


def _para(
    container: object,
    text: str,
    *,
    size: float = 16,
    font: str = BODY_FONT,
    align: str = "justify",
    indent: bool = False,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Paragraph:
    p: Paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    p.alignment = ALIGN[align]
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if size == 16:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28.9)  # 22 lines in the 225 mm 版心
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    for i, line in enumerate(text.split("\n")):
        run = p.add_run()
        if i:
            run.add_break()
        run.add_text(line)
        _font(run, font, size, bold=bold)
        if color is not None:
            run.font.color.rgb = color
    return p


def _red_rule(p: Paragraph) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "6"), ("w:color", "E60000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _page_number_footer(section: object) -> None:
    footer = section.footer  # type: ignore[attr-defined]
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), BODY_FONT, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        run = p.add_run()
        _font(run, BODY_FONT, 14)
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    _font(p.add_run(" —"), BODY_FONT, 14)


def _table(document: object, table: Table) -> None:
    t = document.add_table(rows=0, cols=4)  # type: ignore[attr-defined]
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(27), Mm(51), Mm(27), Mm(51))
    for row in table.rows:
        cells = t.add_row().cells
        t.rows[-1].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        t.rows[-1].height = Mm(24) if row.tall else Mm(9)
        pairs = list(row.cells)
        if len(pairs) == 1:
            merged = cells[1].merge(cells[3])
            targets = [(cells[0], merged)]
        else:
            targets = [(cells[0], cells[1]), (cells[2], cells[3])]
        for (label_cell, value_cell), (label, value) in zip(targets, pairs, strict=False):
            label_cell.paragraphs[0].text = ""
            _font(label_cell.paragraphs[0].add_run(label), BODY_FONT, 12)
            label_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            label_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            if not row.tall:
                value_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            first = True
            for line in value.split("\n"):
                p = value_cell.paragraphs[0] if first else value_cell.add_paragraph()
                first = False
                _font(p.add_run(line), BODY_FONT, 12)
    for row in t.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def _image(container: object, image: Image, *, size: float = 16) -> None:
    """The label, the picture inline (a drawn signature), the note; or the label and ``alt``."""
    p = _para(container, image.label, size=size, align="left")
    if image.png_base64:
        run = p.add_run()
        run.add_picture(io.BytesIO(base64.b64decode(image.png_base64)), height=Mm(image.height_mm))
    else:
        _font(p.add_run(image.alt), BODY_FONT, size)
    if image.note:
        _font(p.add_run("\u3000" + image.note), BODY_FONT, size)


def _blocks(container: object, blocks: tuple[Block, ...], *, size: float = 16) -> None:
    for block in blocks:
        if isinstance(block, Para):
            _para(
                container,
                block.text,
                size=size,
                align=block.align,
                indent=block.indent,
                bold=block.bold,
            )
        elif isinstance(block, Image):
            _image(container, block, size=size)
        else:
            _table(container, block)


def _page_footer(section: object, blocks: tuple[Block, ...]) -> None:
    """A 笔录's lines signed on every page: in the footer, above the page number."""
    footer = section.footer  # type: ignore[attr-defined]
    _blocks(footer, blocks, size=12)
    # the page number paragraph goes last
    first = footer.paragraphs[0]._p
    first.getparent().remove(first)
    footer._element.append(first)


def render_docx(doc: DocumentContent) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    _font(document.styles["Normal"], BODY_FONT, 16)
    if doc.letter:
        _para(document, doc.agency_name, size=30, font=TITLE_FONT, align="center", color=RED)
        number = _para(document, "\n" + doc.number if doc.number else "", align="center")
        _red_rule(number)
        _para(document, "", align="center")
        _para(document, doc.title, size=22, font=TITLE_FONT, align="center")
    else:
        _para(document, doc.agency_name, size=18, font=TITLE_FONT, align="center", bold=True)
        _para(document, doc.title, size=22, font=TITLE_FONT, align="center")
        if doc.number:
            _para(document, doc.number, size=12, align="right")
    _para(document, "", align="center")
    if doc.recipient:
        _para(document, doc.recipient, align="left")
    _blocks(document, doc.blocks)
    if doc.signature:
        _para(document, "")
        for line in doc.signature:
            _para(document, line + "\u3000" * 4, align="right")
        _para(document, doc.date_text + "\u3000" * 4, align="right")
    if doc.verification_url:
        png = io.BytesIO()
        segno.make(doc.verification_url, error="m").save(png, kind="png", scale=4, border=1)
        png.seek(0)
        document.add_picture(png, width=Mm(26))
        _para(document, "扫码核验文书真伪", size=8, align="left")
    for note in doc.notes:
        _para(document, note, size=12, align="left")
    _page_number_footer(section)
    if doc.page_footer:
        _page_footer(section, doc.page_footer)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
