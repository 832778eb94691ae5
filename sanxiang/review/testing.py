"""A test helper for other apps: take a major case through a passing legal review, so that a
test walking it to ``decision`` meets the gate the way production does (行政处罚法 第58条)."""

from __future__ import annotations

from typing import Any

from . import checklist, services
from .models import ReviewRound

MATERIALS = {
    "case_file": "案卷材料（测试）",
    "evidence_list": "证据清单（测试）",
    "discretion_reasoning": "裁量说明（测试）",
    "hearing_record": "听证笔录（测试）",
}


def pass_review(world: Any, case: Any) -> ReviewRound:
    """``world.officer`` (on the team) submits the current draft, ``world.head`` assigns
    ``world.reviewer``, who agrees on all nine points. Uses the real services."""
    round_ = services.submit(actor=world.officer, case_id=case.pk, materials=MATERIALS)
    round_ = services.assign(
        actor=world.head, round_id=round_.pk, reviewer_id=world.reviewer.officer.pk
    )
    return services.review(
        actor=world.reviewer,
        round_id=round_.pk,
        marks=[checklist.Mark(code, True) for code in checklist.CODES],
        agree=True,
        opinion_text="同意（测试）",
    )
