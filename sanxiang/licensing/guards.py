"""No grant without what it grants: entering a licence case's decision with a 准予行政许可 draft
requires the licence's terms, and the saved draft must hold them (its snapshot is what the
decision is made on; ``cases.services.transitions`` refuses a draft saved before they changed)."""

from __future__ import annotations

from sanxiang.cases.models import DecisionDraft, DecisionKind
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import StageRole
from sanxiang.procedures.engine import GuardContext

from .models import LicenceTerms


def terms_before_grant(context: GuardContext) -> None:
    if context.definition.category != "licence" or not context.enters(StageRole.DECISION):
        return
    kind = DecisionDraft.objects.filter(case=context.case).values_list("kind", flat=True).first()
    if kind != DecisionKind.LICENCE_GRANT:
        return
    if not LicenceTerms.objects.filter(case=context.case).exists():
        raise DomainError(
            "licence_terms_required",
            "准予行政许可前，须登记许可类别、许可内容和有效期限（颁发证件的，写明证件名称和编号），"
            "并重新保存决定草稿（《中华人民共和国行政许可法》第三十九条）。",
        )
