"""PDF from the HTML template with WeasyPrint (A4, GB/T 9704-style layout, Noto Serif CJK)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import segno
from django.template.loader import render_to_string

from .content import Block, DocumentContent, Image, Table


@dataclass(frozen=True)
class _Shown:
    """A block as the template sees it (templates cannot call isinstance)."""

    block: Any
    is_table: bool
    is_image: bool = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.block, name)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1)


def _shown(blocks: tuple[Block, ...]) -> list[_Shown]:
    return [_Shown(b, isinstance(b, Table), isinstance(b, Image)) for b in blocks]


def html_of(doc: DocumentContent, *, seal: str = "") -> str:
    context = {
        "doc": doc,
        "seal": seal,
        "blocks": _shown(doc.blocks),
        "page_footer": _shown(doc.page_footer),
        "qr": qr_data_uri(doc.verification_url) if doc.verification_url else "",
    }
    return render_to_string("documents/pdf/document.html", context)


def render_pdf(doc: DocumentContent, *, seal: str = "") -> bytes:
    """The PDF; ``seal`` is the seal picture's data URI, drawn at the 落款 when the file is
    then signed with the agency's certificate (``sealing``)."""
    from weasyprint import HTML  # imported lazily: it loads Pango and fonts (~0.5 s)

    pdf: bytes = HTML(string=html_of(doc, seal=seal)).write_pdf()
    return pdf
