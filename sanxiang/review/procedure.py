"""The 法制审核 procedure as data: the published 法制审核流程图 is drawn from it.

The review is not a case procedure (it runs inside a case, between 审查/陈述申辩 and 决定), so
it is not in ``procedures.definitions.DEFINITIONS``; it uses the same ``Definition`` so the
same renderer draws it. ``stages_entered`` reads the ledger entries the review services write
and says which stage each one enters: the tests walk the services and check that every entry
moves along a step of this definition, so the chart and the procedure that runs cannot drift
apart.

Sources: 行政处罚法 第58条 (no decision without a passing review; the first-time reviewer holds
the 法律职业资格), 第57条 (集体讨论); 国办发〔2018〕118号 (review points, written opinion,
revise and resubmit); the review period is the agency's 目录清单 setting (default 7 working
days, extendable by 3 with the head's approval).
"""

from __future__ import annotations

from typing import Any

from sanxiang.procedures.definitions import DeadlineRule, Definition, Stage, Step, validate

OFFICER = frozenset({"officer"})
HEAD = frozenset({"head"})
REVIEWER = frozenset({"reviewer"})
HEAD_OR_REVIEWER = frozenset({"head", "reviewer"})

LEGAL_REVIEW = Definition(
    code="legal_review",
    label="重大执法决定法制审核",
    category="review",
    stages=(
        Stage("submitted", "承办机构报送审核"),
        Stage("assigned", "法制审核人员审核"),
        Stage("passed", "同意，出具审核意见书"),
        Stage("failed", "存在问题，提出书面意见"),
        # Listed before the discussion so that the chart draws it under 同意, not across.
        Stage("decision", "负责人作出决定", final=True),
        Stage("discussion", "负责人集体讨论"),
        Stage("no_decision", "不予作出该决定", final=True),
    ),
    steps=(
        Step(
            "submitted",
            "assigned",
            "分配或领取审核",
            HEAD_OR_REVIEWER,
            documents=("法制审核送审材料", "决定草稿"),
        ),
        Step("assigned", "passed", "九项要点均合格", REVIEWER, documents=("法制审核意见书",)),
        Step("assigned", "failed", "发现问题", REVIEWER, documents=("法制审核意见书",)),
        Step("passed", "decision", "作出决定", HEAD, head_approval=True),
        Step("failed", "submitted", "按意见修改后重新报审", OFFICER),
        Step("failed", "discussion", "有异议或多次未通过", OFFICER),
        Step("discussion", "submitted", "统一意见后重新报审", HEAD, head_approval=True),
        Step("discussion", "no_decision", "决定不予作出", HEAD, head_approval=True),
    ),
    deadlines=(
        DeadlineRule(
            "review",
            "出具法制审核意见",
            "submitted",
            7,
            "working",
            "本机关法制审核目录清单：自报送之日起七个工作日内出具审核意见，"
            "经负责人批准可延长三个工作日",
            ("passed", "failed"),
        ),
    ),
)


def stages_entered(event_type: str, payload: dict[str, Any]) -> tuple[str, ...]:
    """The stages of ``LEGAL_REVIEW`` that a review ledger entry enters, in order; empty for an
    entry that moves nothing (a reassignment, an extension, the catalogue, a major flag).

    A resubmission goes back to the previous round's reviewer at once (``services._submit``):
    it enters 报送 and then 审核 in the same entry.
    """
    if event_type in {"review.submitted", "review.resubmitted"}:
        return ("submitted", "assigned") if payload.get("reviewer") else ("submitted",)
    if event_type == "review.assigned":
        return ("assigned",)
    if event_type == "review.opinion":
        return ("passed",) if payload.get("outcome") == "passed" else ("failed",)
    if event_type in {"review.disputed", "review.escalated"}:
        return ("discussion",)
    if event_type == "review.discussion":
        return ("no_decision",) if payload.get("outcome") == "no_decision" else ("submitted",)
    if event_type == "review.gate_passed":
        return ("decision",)
    return ()


validate(LEGAL_REVIEW)
