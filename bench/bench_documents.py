"""DOCX and PDF generation of a 行政处罚决定书 (documents per second).

What is timed: building the document's content from a demo-like case sheet and rendering it, as
``issue_document`` does (no database: numbering and storage are measured by the tests).

Baselines, measured in the same run:
- PDF: rendering the same HTML template to a string with Django templates only (what the PDF
  costs on top of producing its HTML: layout, font subsetting and the QR code).
- DOCX: writing an empty python-docx document (what the document costs on top of loading the
  default template and zipping it).

``ratio`` is our throughput divided by the baseline's, so it is far below 1 by construction;
watch it for regressions. ``target`` is a practical goal (an officer clicking "issue" should not
wait): at least 2 PDFs and 20 DOCX files per second on one core.
"""

from __future__ import annotations

import io
import os
from datetime import date

from common import best_of, django_setup, emit

ROUNDS = int(os.environ.get("BENCH_DOCUMENTS_ROUNDS", "10"))


def main() -> None:
    django_setup()
    from docx import Document

    from sanxiang.documents.builders import build
    from sanxiang.documents.content import DocumentContent
    from sanxiang.documents.kinds import get_kind
    from sanxiang.documents.render_docx import render_docx
    from sanxiang.documents.render_pdf import html_of, render_pdf
    from sanxiang.documents.samples import demo_sheet

    kind = get_kind("penalty_decision")
    assert kind is not None
    sheet = demo_sheet()
    link = "http://127.0.0.1:8000/gongshi/verify/?doc=x&sha256=" + "0" * 64

    def content() -> DocumentContent:
        return build(
            kind,
            sheet,
            number="兴民宗罚决字〔2026〕第1号",
            issued_on=date(2026, 4, 8),
            verification_url=link,
        )

    def pdfs() -> None:
        for _ in range(ROUNDS):
            render_pdf(content())

    def html_strings() -> None:
        for _ in range(ROUNDS):
            html_of(content())

    def docxs() -> None:
        for _ in range(ROUNDS):
            render_docx(content())

    def empty_docxs() -> None:
        for _ in range(ROUNDS):
            Document().save(io.BytesIO())

    render_pdf(content())  # load Pango and the fonts once, as a running server has
    pdf_rate = ROUNDS / best_of(3, pdfs)
    html_rate = ROUNDS / best_of(3, html_strings)
    docx_rate = ROUNDS / best_of(3, docxs)
    empty_rate = ROUNDS / best_of(3, empty_docxs)
    emit(
        "documents_penalty_decision_pdf",
        value=pdf_rate,
        unit="docs/s",
        ratio=pdf_rate / html_rate,
        target="2docs/s",
    )
    emit(
        "documents_penalty_decision_docx",
        value=docx_rate,
        unit="docs/s",
        ratio=docx_rate / empty_rate,
        target="20docs/s",
    )


if __name__ == "__main__":
    main()
