"""Every write to a case. Views, the API, commands and tests call these functions only.

A package for size; import from ``sanxiang.cases.services`` (the names below are the contract).
"""

from .closing import pending_request, request_closing, return_closing
from .common import local_today, matter_category, may_take, parse_amount
from .config import BenchmarkData, save_benchmark, set_deadline_setting
from .defence import record_defence
from .drafts import (
    KINDS_BY_CATEGORY,
    SUMMARY_FINE_LIMIT,
    DraftData,
    check_summary_limit,
    fingerprint,
    save_draft,
)
from .execution import (
    apply_for_enforcement,
    approve_arrangement,
    conclude_enforcement,
    record_payment,
    terminate_execution,
)
from .extensions import extend_deadline
from .opening import (
    MINIMUM_TEAM,
    Limitation,
    check_limitation,
    open_case,
    open_online_application,
)
from .parties import (
    AgentData,
    PartyData,
    WitnessData,
    add_party,
    add_witness,
    appoint_agent,
    change_party,
    remove_party,
    withdraw_agent,
)
from .pauses import pause_deadline, resume_deadline
from .team import add_member, decide_recusal, request_recusal
from .transitions import allowed_message, transition

__all__ = [
    "KINDS_BY_CATEGORY",
    "MINIMUM_TEAM",
    "SUMMARY_FINE_LIMIT",
    "AgentData",
    "BenchmarkData",
    "DraftData",
    "Limitation",
    "PartyData",
    "WitnessData",
    "add_member",
    "add_party",
    "add_witness",
    "allowed_message",
    "apply_for_enforcement",
    "appoint_agent",
    "approve_arrangement",
    "change_party",
    "check_limitation",
    "check_summary_limit",
    "conclude_enforcement",
    "decide_recusal",
    "extend_deadline",
    "fingerprint",
    "local_today",
    "matter_category",
    "may_take",
    "open_case",
    "open_online_application",
    "parse_amount",
    "pause_deadline",
    "pending_request",
    "record_defence",
    "record_payment",
    "remove_party",
    "request_closing",
    "request_recusal",
    "resume_deadline",
    "return_closing",
    "save_benchmark",
    "save_draft",
    "set_deadline_setting",
    "terminate_execution",
    "transition",
    "withdraw_agent",
]
