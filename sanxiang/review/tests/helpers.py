"""Building blocks of the review tests: a 150,000 元 company case ready for decision."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.test import override_settings

from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.testing import take_step, waive_periods
from sanxiang.review import checklist, services
from sanxiang.testing import WorldTestCase

MATERIALS = {
    "case_file": "立案审批表、现场检查笔录、询问笔录（共32页）",
    "evidence_list": "1. 现场照片12张；2. 租赁合同1份；3. 询问笔录2份",
    "discretion_reasoning": "违法情节较重，在裁量基准幅度内从重处罚。",
}
BASIS = "《宗教事务条例》第七十一条"
VIOLATED = "《宗教事务条例》第四十一条"
TEXT = "当事人为违法宗教活动提供场所，依据《宗教事务条例》第七十一条，决定罚款。"


def draft(world: Any, case: Case, amount: str = "150000", **kwargs: Any) -> None:
    data = {
        "kind": "fine",
        "fine_amount": amount,
        "legal_basis": BASIS,
        "violated_provision": VIOLATED,
        "text": TEXT,
    } | kwargs
    save_draft(actor=world.officer, case_id=case.pk, data=DraftData(**data))


def case_at_defence(
    world: Any, amount: str = "150000", *, on: date | None = None, **kwargs: Any
) -> Case:
    """A penalty case against a company, at 陈述申辩, with a drafted fine of ``amount``
    (opened and taken there on ``on``, today by default)."""
    case = open_test_case(
        world,
        parties=[company()],
        title="某文化传播有限公司为违法宗教活动提供条件案",
        opened_on=on,
    )
    transition(actor=world.head, case_id=case.pk, target="investigation", on=on)
    take_step(world.officer, case.pk, "case_review", on=on)
    # Drafted before the 告知, whose 事先告知书 states it (行政处罚法 第44条).
    draft(world, case, amount, **kwargs)
    for target in ("notice", "defence"):
        take_step(world.officer, case.pk, target, on=on)
    # The party waived its 陈述申辩 (and, in 第63条's scope, the hearing) in writing, so the
    # decision waits only for the legal review these tests are about.
    waive_periods(world.officer, case.pk, "decision")
    return Case.objects.get(pk=case.pk)


def all_passed() -> list[checklist.Mark]:
    return [checklist.Mark(code, True) for code in checklist.CODES]


def with_problem(code: str = "discretion", problem: str = "罚款幅度说理不足") -> list:
    return [checklist.Mark(c, c != code, problem if c == code else "") for c in checklist.CODES]


def submitted(world: Any, case: Case) -> Any:
    return services.submit(actor=world.officer, case_id=case.pk, materials=MATERIALS)


def assigned(world: Any, case: Case) -> Any:
    round_ = submitted(world, case)
    return services.assign(
        actor=world.head, round_id=round_.pk, reviewer_id=world.reviewer.officer.pk
    )


def passed(world: Any, case: Case) -> Any:
    round_ = assigned(world, case)
    return services.review(
        actor=world.reviewer,
        round_id=round_.pk,
        marks=all_passed(),
        agree=True,
        opinion_text="事实清楚，证据充分，适用依据正确，程序合法，裁量适当。",
    )


def failed(world: Any, round_: Any) -> Any:
    return services.review(
        actor=world.reviewer,
        round_id=round_.pk,
        marks=with_problem(),
        agree=False,
        opinion_text="裁量说理不足。",
        required_changes="补充从重处罚的事实依据。",
    )


# The people of a class are built with a fast hasher: Argon2 for seven users costs seconds a class.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ReviewTestCase(WorldTestCase):
    pass
