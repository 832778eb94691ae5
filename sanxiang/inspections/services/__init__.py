"""The write paths of 双随机、一公开 (each a durable transaction with its ledger entry)."""

from .execution import record_follow_up, record_result, start_inspection
from .plans import PlanData, freeze_plan, perform_draw, request_redraw, save_plan
from .targets import TargetData, declare_conflict, import_targets, save_target

__all__ = [
    "PlanData",
    "TargetData",
    "declare_conflict",
    "freeze_plan",
    "import_targets",
    "perform_draw",
    "record_follow_up",
    "record_result",
    "request_redraw",
    "save_plan",
    "save_target",
    "start_inspection",
]
