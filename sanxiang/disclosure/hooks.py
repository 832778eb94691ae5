"""The disclosure side of the transition engine: a decision made → a publication queued."""

from __future__ import annotations

from sanxiang.procedures.engine import GuardContext

from . import services

DECISION_STAGE = "decision"


def queue_decision(context: GuardContext) -> None:
    """Runs in the case's transaction: entering ``decision`` means the decision is made."""
    if context.target == DECISION_STAGE:
        services.enqueue_decision(case=context.case, actor=context.actor)
