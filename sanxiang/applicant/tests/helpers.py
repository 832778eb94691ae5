"""A penalty case with two parties (a company and a person) at a chosen stage."""

from __future__ import annotations

from typing import Any

from sanxiang.cases.models import Case, Party
from sanxiang.cases.testing import company, open_test_case, person

from ..services import create_link


def two_party_case(world: Any, stage: str = "investigation") -> Case:
    case = open_test_case(
        world, parties=[company(), person("王小明")], title="某公司违规组织宗教活动"
    )
    Case.objects.filter(pk=case.pk).update(stage=stage)  # test data: placed at a stage
    return Case.objects.get(pk=case.pk)


def company_of(case: Case) -> Party:
    return case.parties.get(kind="organisation")


def person_of(case: Case) -> Party:
    return case.parties.get(kind="natural")


def link_for(world: Any, case: Case, party: Party, **kwargs: Any) -> str:
    return create_link(actor=world.officer, case_id=case.pk, party_id=party.pk, **kwargs).token
