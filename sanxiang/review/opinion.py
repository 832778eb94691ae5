"""The 法制审核意见书 as a PDF (WeasyPrint, Noto Serif CJK SC).

"Signed" here means: the reviewer's name and the time of the opinion are printed on it, and the
PDF's SHA-256 is recorded in the ledger entry of the opinion (``review.opinion``), which the
Merkle log then covers. Anyone holding the PDF can hash it and find it in the log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from . import checklist

# Where the 意见书 are stored (``lib.orphans`` sweeps what no round references).
OBJECT_PREFIX = "review/opinions"


@dataclass(frozen=True)
class RenderedOpinion:
    content: bytes
    sha256: str


def render(
    *,
    case: Any,
    round_: Any,
    reviewer_name: str,
    agreed: bool,
    marks: list[checklist.Mark],
    opinion: str,
    required_changes: str,
    at: datetime,
    number: str = "",
) -> RenderedOpinion:
    from weasyprint import HTML

    context = {
        "case": case,
        "round": round_,
        "reviewer_name": reviewer_name,
        "agreed": agreed,
        "points": [(checklist.LABELS[m.code], m) for m in marks],
        "opinion": opinion,
        "required_changes": required_changes,
        "at": timezone.localtime(at),
        "number": number,
        "decision": _decision_summary(round_.draft),
        "parties": _parties(round_.draft.get("parties")),
    }
    html = render_to_string("review/opinion_pdf.html", context)
    content = HTML(string=html).write_pdf()
    return RenderedOpinion(content=content, sha256=hashlib.sha256(content).hexdigest())


def _kind_label(code: str) -> str:
    from sanxiang.cases.models import DecisionKind

    try:
        return str(DecisionKind(code).label)
    except ValueError:
        return code


def _decision_summary(draft: dict[str, Any]) -> str:
    """罚款人民币150,000.00元（大写：…），没收违法所得、没收非法财物（价值…）: the kind once."""
    kind = _kind_label(draft.get("kind", ""))  # the round's snapshot holds the label already
    fine, confiscation = _yuan(draft.get("fine_amount")), _yuan(draft.get("confiscation_value"))
    parts = [] if (kind == "罚款" and fine) else [kind]
    if fine:
        parts.append(f"罚款{fine}")
    if confiscation:
        parts.append(f"没收违法所得、没收非法财物（价值{confiscation}）")
    return "，".join(parts)


def _yuan(value: Any) -> str:
    """Amounts as every document writes them: 人民币150,000.00元（大写：壹拾伍万元整）."""
    from decimal import Decimal, InvalidOperation

    from sanxiang.documents.content import yuan

    if value in (None, ""):
        return ""
    try:
        return yuan(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def _parties(parties: Any) -> str:
    if isinstance(parties, list):
        names = [p.get("name", "") if isinstance(p, dict) else str(p) for p in parties]
        return "、".join(n for n in names if n)
    return str(parties or "")


def store(rendered: RenderedOpinion, *, case_id: int, round_number: int) -> str:
    """Save under a content-addressed name; returns the storage name."""
    name = f"{OBJECT_PREFIX}/{case_id}/round-{round_number}-{rendered.sha256[:16]}.pdf"
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(rendered.content))


def referenced_objects(names: set[str]) -> set[str]:
    """Which of ``names`` a review round points at (for ``lib.orphans``)."""
    from .models import ReviewRound

    rows = ReviewRound.objects.filter(opinion_pdf__in=names).values_list("opinion_pdf", flat=True)
    return set(rows)
