"""Draft a publication from a decided case: the 摘要 and the masked full text.

Structured fields are masked by rule (DOMAIN.md, "Mask"): a natural-person party appears as
surname + 某, an organisation keeps its name and 统一社会信用代码; no address, phone or ID
number of a natural person is copied into a structured field at all. Free text goes through
``disclosure.masking.spans_for``: the rules of ``sanxiang.lib.masking`` with the names of every
natural person of the case, and what the case knows of them (ID number, phone, address).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanxiang.cases.models import DecisionKind
from sanxiang.cases.queries import other_people
from sanxiang.catalog.models import MatterVersion
from sanxiang.catalog.queries import in_force_on
from sanxiang.lib.canonical import canonical_bytes
from sanxiang.lib.errors import DomainError
from sanxiang.lib.masking import mask_text

from . import masking
from .models import RuleCategory

# Penalty kinds in legal order of severity (行政处罚法 第9条), lightest first; the 年报 counts
# a case with several penalties once, under the heaviest.
KIND_LABELS = {kind.value: str(kind.label) for kind in DecisionKind}
NATURAL = "natural"


@dataclass(frozen=True)
class Draft:
    category: str
    procedure: str
    doc_number: str
    party: str
    party_is_natural: bool
    matter_name: str
    outcome: str
    agency_name: str
    decided_on: date
    amount: Decimal | None
    source_text: str
    masked_text: str
    has_minor: bool
    warning_only: bool
    names: tuple[str, ...]


def masked_name(name: str) -> str:
    """A natural person's name as published: surname + 某 (张三 → 张某)."""
    masked = mask_text(name, names=[name])
    return masked if masked != name else (name[:1] + "某" if name else name)


def natural_names(parties: list[Any], others: Sequence[Any] = ()) -> tuple[str, ...]:
    """Names of the natural persons of a case: natural-person parties, legal representatives
    (负责人, 经营者) and ``others`` (委托代理人, witnesses: ``cases.queries.other_people``)."""
    names = [p.name for p in parties if p.kind == NATURAL]
    names += [p.legal_representative for p in parties if getattr(p, "legal_representative", "")]
    names += [o.name for o in others]
    return tuple(n.strip() for n in names if n and n.strip())


def party_label(parties: list[Any]) -> str:
    return "、".join(masked_name(p.name) if p.kind == NATURAL else p.name for p in parties)


def outcome_of(draft: Any) -> str:
    """处罚内容 / 决定内容, amounts in yuan with two places."""
    if draft is None:
        return "—"
    parts = []
    for kind in (draft.kind, *getattr(draft, "additional_kinds", ())):
        if kind not in ("fine", "confiscation"):
            parts.append(KIND_LABELS.get(kind, kind))
    if draft.fine_amount:
        parts.append(f"罚款人民币{draft.fine_amount:,.2f}元")
    elif draft.kind == "fine":
        parts.append("罚款")
    if draft.confiscation_value:
        parts.append(f"没收违法所得、非法财物价值人民币{draft.confiscation_value:,.2f}元")
    elif draft.kind == "confiscation":
        parts.append(KIND_LABELS["confiscation"])
    return "；".join(parts)


def amount_of(draft: Any) -> Decimal | None:
    """罚没金额: the fine plus the confiscated value, taken from the decision draft."""
    if draft is None:
        return None
    values = [v for v in (draft.fine_amount, draft.confiscation_value) if v]
    return sum(values, Decimal("0.00")) if values else None


def rule_category(matter_category: str) -> str:
    if matter_category in (RuleCategory.PENALTY, RuleCategory.LICENCE):
        return matter_category
    return RuleCategory.OTHER


def matter_version(case: Any, on: date) -> MatterVersion | None:
    version = MatterVersion.objects.filter(in_force_on(on), matter_id=case.matter_id).first()
    return version or MatterVersion.objects.filter(matter_id=case.matter_id).last()


# Document kinds (documents app) that carry a decision's 文号.
DECISION_DOCUMENTS = (
    "penalty_decision",
    "no_penalty_decision",
    # 行政处罚法 第52条: the 简易程序's decision, numbered, handed over on the spot.
    "on_the_spot_decision",
    "licence_grant",
    "licence_refusal",
    "seizure_decision",
)


def decision_document(case: Any) -> Any | None:
    """The case's latest issued, numbered decision document (决定书), or None until one is."""
    from sanxiang.documents.models import IssuedDocument

    return (
        IssuedDocument.objects.filter(case_id=case.pk, kind__in=DECISION_DOCUMENTS)
        .exclude(number="")
        .order_by("-issued_at", "-pk")
        .first()
    )


def decision_number(case: Any) -> str:
    """The decision's 文号: the issued decision document's number; until one is issued the
    case number stands in, and ``publish`` looks again."""
    doc = decision_document(case)
    return str(doc.number) if doc else str(case.number)


def document_text(doc: Any) -> str:
    """The published full text of an issued decision: its body paragraphs (facts, provisions
    violated and applied, kinds, remedies) exactly as served, one per line, before masking.

    From ``documents.queries.issued_decision_body``: the same function (``builders.
    decision_body``) that wrote them into the PDF, checked against the content hash ledgered
    at issue; a ``DomainError`` when the document can no longer be shown as served.
    """
    from sanxiang.documents.queries import issued_decision_body

    return "\n".join(issued_decision_body(doc))


def source_text_of(case: Any) -> tuple[str, Any | None]:
    """(unmasked full text, the decision document it is taken from).

    The issued 决定书's body once there is one (issue 10 item 11: what the portal shows is what
    was served). Until then, or when the document no longer rebuilds as served, the draft's
    text stands in for the queue and the staff preview, as the case number stands in for the
    文号; ``services.publish`` takes the document's text again under its lock, and refuses
    when a document exists but cannot be shown as served.
    """
    doc = decision_document(case)
    if doc is not None:
        try:
            return document_text(doc), doc
        except DomainError:
            pass
    draft = getattr(case, "draft", None)
    return (draft.text if draft is not None else "") or case.facts or "", None


def draft_for(case: Any) -> Draft:
    parties = list(case.parties.all())
    draft = getattr(case, "draft", None)
    decided_on = case.decided_on or timezone.localdate()
    version = matter_version(case, decided_on)
    names = natural_names(parties, other_people(case))
    text, _ = source_text_of(case)
    kinds = {draft.kind} if draft is not None else set()
    return Draft(
        category=rule_category(version.category if version else "other"),
        procedure=case.procedure,
        doc_number=decision_number(case),
        party=party_label(parties),
        party_is_natural=any(p.kind == NATURAL for p in parties),
        matter_name=version.name if version else str(case.title),
        outcome=outcome_of(draft),
        agency_name=case.agency.name,
        decided_on=decided_on,
        amount=amount_of(draft),
        source_text=text,
        # The same spans as the staff preview and every later remask (``masking.spans_for``).
        masked_text=masking.masked_text(text, masking.spans_for(text, case, ())),
        has_minor=any(p.is_minor for p in parties),
        warning_only=kinds == {"warning"} and not amount_of(draft),
        names=names,
    )


# 文号 are written with 〔〕 (GB/T 9704), but people type [2026], 【2026】, (2026) or （2026）.
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "【": "〔", "】": "〕", "(": "〔", ")": "〕"})


def search_fold(text: str) -> str:
    """The form both the stored search text and a query are compared in: NFKC (full-width
    letters and digits become ASCII, （） become ()), lower case, every bracket pair as 〔〕."""
    return unicodedata.normalize("NFKC", text).lower().translate(_BRACKETS)


def search_text_of(*parts: str) -> str:
    """What the portal search matches: folded (``search_fold``) so LIKE serves every spelling."""
    return search_fold(" ".join(p for p in parts if p))


def content_of(item: Any) -> dict[str, Any]:
    """The published content of an item, as hashed into its ``disclosure.published`` entry."""
    return {
        "doc_number": item.doc_number,
        "party": item.party,
        "matter": item.matter_name,
        "outcome": item.outcome,
        "agency": item.agency_name,
        "decided_on": item.decided_on,
        "amount": item.amount,
        "text": item.masked_text,
    }


def content_sha256(item: Any) -> str:
    return hashlib.sha256(canonical_bytes(content_of(item))).hexdigest()


def content_field_digests(item: Any) -> dict[str, str]:
    """One digest per published field, ledgered beside the content hash, so that the state
    check (``disclosure.reconcile``) can name the field changed behind the application."""
    return {
        name: hashlib.sha256(canonical_bytes({name: value})).hexdigest()
        for name, value in content_of(item).items()
    }


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str  # "" for plain text, else the kind of a masked span
    original: str = ""
    why: str = ""
    start: int = 0
    end: int = 0
    override_id: int | None = None
    is_minor: bool = False


def preview_segments(text: str, spans: list[masking.Span]) -> list[Segment]:
    """The masked text cut into plain and masked segments, for the staff preview highlight."""
    segments: list[Segment] = []
    pos = 0
    for span in spans:
        if span.start > pos:
            segments.append(Segment(text[pos : span.start], ""))
        segments.append(
            Segment(
                span.replacement,
                span.kind,
                text[span.start : span.end],
                span.why,
                span.start,
                span.end,
                span.override_id,
                span.is_minor,
            )
        )
        pos = span.end
    if pos < len(text):
        segments.append(Segment(text[pos:], ""))
    return segments
