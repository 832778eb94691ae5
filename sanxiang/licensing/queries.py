"""Reading a licence's terms: as entered (before the decision) and as decided."""

from __future__ import annotations

from datetime import date
from typing import Any

from sanxiang.cases import snapshots
from sanxiang.cases.models import Case, DecisionDraft, DraftSnapshot
from sanxiang.cases.services.extensions import extension_text
from sanxiang.documents.content import chinese_date

from .models import LicenceCategory, LicenceTerms
from .services import payload

SECTION = "licence"  # the draft snapshot's key


def terms_of(case: Case) -> LicenceTerms | None:
    return LicenceTerms.objects.filter(case=case).first()


def snapshot_section(draft: DecisionDraft) -> dict[str, str] | None:
    """The ``licence`` section of a draft's snapshot (``None`` keeps the key out, so drafts of
    other procedures and licences without terms hash as before). Only a licence case is asked:
    every draft save of every case builds a snapshot."""
    if draft.case.definition.category != "licence":
        return None
    terms = LicenceTerms.objects.filter(case_id=draft.case_id).first()
    return payload(terms) if terms is not None else None


def _section(data: dict[str, Any] | None) -> dict[str, str] | None:
    section = data.get(SECTION) if data else None
    return section if isinstance(section, dict) else None


def decided_terms(case: Case) -> dict[str, str] | None:
    """The terms the documents print and the 双公示 file reports: those of the snapshot the
    decision was made on (the latest saved before it); ``None`` when it holds none."""
    return _section(snapshots.for_documents(case))


def decided_terms_of(cases: list[Case]) -> dict[int, dict[str, str]]:
    """``decided_terms`` of decided cases in one query (the 双公示 file's rows), by case id;
    each snapshot's hash rechecked (``snapshots.data_of`` refuses a tampered row)."""
    wanted = {c.decided_snapshot: c.pk for c in cases if c.decided_snapshot}
    found: dict[int, dict[str, str]] = {}
    for snapshot in DraftSnapshot.objects.filter(hash__in=list(wanted)):
        section = _section(snapshots.data_of(snapshot))
        if section is not None:
            found[wanted[snapshot.hash]] = section
    return found


def category_label(code: str) -> str:
    return str(LicenceCategory(code).label) if code in LicenceCategory.values else ""


def term_text(terms: dict[str, str]) -> str:
    """ "2026年12月4日至2031年12月3日" or "自2026年12月4日起长期有效"."""

    start = chinese_date(date.fromisoformat(terms["valid_from"]))
    if not terms.get("valid_until"):
        return f"自{start}起长期有效"
    return f"{start}至{chinese_date(date.fromisoformat(terms['valid_until']))}"


def grant_paragraph(case: Case) -> str:
    """The 准予行政许可决定书's paragraph on what is granted (行政许可法 第39条)."""
    terms = decided_terms(case)
    if terms is None:
        return ""
    parts = [f"许可类别：{category_label(terms['category'])}", f"许可内容：{terms['content']}"]
    if terms.get("certificate_name"):
        parts.append(
            f"许可证件：《{terms['certificate_name']}》（编号：{terms['licence_number']}）"
        )
    parts.append(f"有效期限：{term_text(terms)}")
    return "；".join(parts) + "。"


def decided_view(case: Case) -> dict[str, str] | None:
    """The decided terms with their labels, for the case page."""
    terms = decided_terms(case)
    if terms is None:
        return None
    return {**terms, "category_label": category_label(terms["category"]), "term": term_text(terms)}


# 行政许可法 第42条: the licence's 二十日 (working days) extended by 十日 once, the reason told.
EXTENSION_RULE = "decide"


def extension_paragraph(case: Case) -> str:
    """What the 延长行政许可期限通知书 prints (``label：value`` lines; empty: not extended)."""
    return extension_text(case, EXTENSION_RULE)
