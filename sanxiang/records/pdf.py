"""PDFs of the evidence store (WeasyPrint, with the Noto CJK font installed by `make setup`)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Record
from .queries import accesses_of, requests_of


def render_pdf(template: str, context: dict[str, Any]) -> tuple[bytes, int]:
    """The PDF bytes of a template and its page count."""
    from weasyprint import HTML  # imported late: loading Pango costs ~0.3 s per process

    html = render_to_string(template, {**context, "printed_at": timezone.localtime()})
    document = HTML(string=html).render()
    return document.write_pdf(), len(document.pages)


def access_history(record: Record) -> bytes:
    context = {
        "record": record,
        "accesses": list(accesses_of(record)),
        "requests": list(requests_of(record)),
    }
    return render_pdf("records/history_pdf.html", context)[0]
