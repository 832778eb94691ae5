"""The disclosure side of the transition engine: a decision made → a publication queued."""

from __future__ import annotations

from sanxiang.procedures.definitions import StageRole
from sanxiang.procedures.engine import GuardContext

from . import services


def queue_decision(context: GuardContext) -> None:
    """Runs in the case's transaction: entering the decision stage means the decision is made."""
    if context.enters(StageRole.DECISION):
        services.enqueue_decision(case=context.case, actor=context.actor)
