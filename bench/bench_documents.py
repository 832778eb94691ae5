"""DOCX and PDF generation of a 行政处罚决定书 (documents per second).

What is timed: building the document's content from a demo-like case sheet and rendering it, as
``issue_document`` does (no database: numbering and storage are measured by the tests).

Baselines, measured in the same run:
- PDF: rendering the same HTML template to a string with Django templates only (what the PDF
  costs on top of producing its HTML: layout, font subsetting and the QR code).
- DOCX: writing an empty python-docx document (what the document costs on top of loading the
  default template and zipping it).

``ratio`` is our throughput divided by the baseline's, so it is far below 1 by construction;
``target`` is the regression floor for that ratio and ``goal`` the practical one (an officer
clicking "issue" should not wait): at least 2 PDFs and 20 DOCX files per second on one core.

3. Sealed: what ``issue_document`` renders for a sealed agency — the PDF with the seal picture,
   its PAdES signature (pyHanko, RSA-2048, a demo CA made for the run) and the DOCX — as a ratio
   to rendering the same PDF unsigned (issue 10: target ≥ 0.5). The ledger entry and the row are
   not in it (bench_ledger measures appends).
"""

from __future__ import annotations

import io
import os
import tempfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from common import best_of, django_setup, emit

ROUNDS = int(os.environ.get("BENCH_DOCUMENTS_ROUNDS", "10"))


def main() -> None:
    django_setup()
    from django.test import override_settings
    from docx import Document

    from sanxiang.documents import sealing
    from sanxiang.documents.builders import build
    from sanxiang.documents.content import DocumentContent
    from sanxiang.documents.kinds import get_kind
    from sanxiang.documents.render_docx import render_docx
    from sanxiang.documents.render_pdf import html_of, render_pdf
    from sanxiang.documents.samples import demo_sheet
    from sanxiang.documents.seal_image import seal_data_uri

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

    seals = Path(tempfile.mkdtemp(prefix="sx-bench-seals-"))
    ca_pem, ca_key = sealing.make_ca(seals)
    agency = SimpleNamespace(pk=1, name=sheet.agency_name, credit_code="")
    sealing.issue_agency_certificate(seals, agency, ca_cert_pem=ca_pem, ca_key_pem=ca_key)
    seal_picture = seal_data_uri(sheet.agency_name)

    def sealed() -> None:
        with override_settings(SANXIANG_SEAL_DIR=seals):
            signer = sealing.signer_for(agency)
            for _ in range(ROUNDS):
                doc = content()
                pdf = render_pdf(doc, seal=seal_picture)
                sealing.sign_pdf(pdf, signer, reason="基准", location=sheet.agency_name)
                render_docx(doc)

    render_pdf(content())  # load Pango and the fonts once, as a running server has
    pdf_rate = ROUNDS / best_of(3, pdfs)
    html_rate = ROUNDS / best_of(3, html_strings)
    docx_rate = ROUNDS / best_of(3, docxs)
    empty_rate = ROUNDS / best_of(3, empty_docxs)
    sealed_rate = ROUNDS / best_of(3, sealed)
    emit(
        "documents_penalty_decision_pdf",
        value=pdf_rate,
        unit="docs/s",
        ratio=pdf_rate / html_rate,
        target="0.01",
        goal="2docs/s",
    )
    emit(
        "documents_penalty_decision_docx",
        value=docx_rate,
        unit="docs/s",
        ratio=docx_rate / empty_rate,
        target="0.05",
        goal="20docs/s",
    )
    emit(
        "documents_sealed_decision_pdf_docx",
        value=sealed_rate,
        unit="docs/s",
        ratio=sealed_rate / pdf_rate,
        target="0.5",
    )


if __name__ == "__main__":
    main()
