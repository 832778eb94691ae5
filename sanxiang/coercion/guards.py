"""The order of a 查封、扣押 case (行政强制法), as guards of the transition engine (no writes).

- ``reported_before_approval``: a measure carried out on the spot (第19条) has its report to the
  head on file (the 当场实施行政强制措施报告) before the head makes up the approval.
- ``ended_before_closing``: a case in which something was seized is not closed until the
  measure ended (第27-28条): 没收 by a decision, or 解除 by the 解除查封扣押决定书.
"""

from __future__ import annotations

from sanxiang.documents.models import IssuedDocument
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import StageRole
from sanxiang.procedures.engine import GuardContext

from .models import OnSpotReport, Outcome, SeizureOutcome
from .services import RELEASE_BASIS, REPORT_BASIS, measure_taken


def _coercion(context: GuardContext) -> bool:
    return bool(context.definition.category == "coercion")


def reported_before_approval(context: GuardContext) -> None:
    if not _coercion(context) or not context.leaves(StageRole.FILING):
        return
    if not OnSpotReport.objects.filter(case=context.case).exists():
        return
    if not IssuedDocument.objects.filter(case=context.case, kind="on_spot_report").exists():
        raise DomainError(
            "document_required",
            f"本案系当场实施，须先制发《当场实施行政强制措施报告》（{REPORT_BASIS}）。",
        )


def ended_before_closing(context: GuardContext) -> None:
    if not _coercion(context) or not context.enters(StageRole.CLOSING):
        return
    if not measure_taken(context.case):
        return
    outcome = SeizureOutcome.objects.filter(case=context.case).first()
    if outcome is None:
        raise DomainError(
            "seizure_not_released",
            "查封、扣押的场所、设施或者财物尚未解除，也未依法没收，不能结案"
            f"（行政强制法 第27条；{RELEASE_BASIS}）。",
        )
    if outcome.outcome == Outcome.RELEASE and not IssuedDocument.objects.filter(
        case=context.case, kind="seizure_release"
    ):
        raise DomainError(
            "document_required",
            f"须先制发《解除查封扣押决定书》并交付当事人（{RELEASE_BASIS}）。",
        )
