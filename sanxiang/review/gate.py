"""The legal-review gate, plugged into the transition engine (行政处罚法 第58条).

``decision_gate`` is a guard: it refuses entry into the decision stage for a major case whose latest
review round is not passed on the current draft (``legal_review_required``); it does not write.
``after_transition`` runs in the transition's transaction: it keeps the sticky ``major`` mark
the database trigger reads, and records which passed round let a decision through.
"""

from __future__ import annotations

from django.utils import timezone

from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import StageRole
from sanxiang.procedures.engine import GuardContext

from . import queries, services
from .models import DecisionGate


def decision_gate(context: GuardContext) -> None:
    if not context.enters(StageRole.DECISION):
        return
    verdict = queries.gate_verdict(context.case)
    if not verdict.allowed:
        raise DomainError("legal_review_required", verdict.message)


def after_transition(context: GuardContext) -> None:
    case = context.case
    # The catalogue rules read the draft and whether a hearing was held; manual flags mark the
    # case when they are made. Without a draft, only entering the hearing can make it major,
    # so most early transitions cost one query here instead of four.
    if context.enters(StageRole.HEARING) or queries.has_draft(case):
        reasons = queries.rule_reasons(case)
        if reasons:
            services.mark_major(case, actor=context.actor, reasons=reasons)
    if not context.enters(StageRole.DECISION):
        return
    verdict = queries.gate_verdict(case)
    if not verdict.major or verdict.round is None:
        return
    DecisionGate.objects.create(
        case=case,
        round=verdict.round,
        fingerprint=verdict.round.fingerprint,
        actor=context.actor,
        at=timezone.now(),
    )
    append(
        event_type="review.gate_passed",
        payload={
            "number": case.number,
            "round": verdict.round.number,
            "fingerprint": verdict.round.fingerprint,
            "reasons": verdict.reasons,
        },
        actor=context.actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
