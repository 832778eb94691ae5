"""Cases driven to a decision through the real services, for the disclosure tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from unittest import mock

from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, PartyData, save_draft
from sanxiang.cases.testing import (
    company,
    hold_hearing,
    make_matter,
    open_test_case,
    person,
    resident_id,
    working_days_before,
)
from sanxiang.catalog.models import Matter
from sanxiang.disclosure import services
from sanxiang.disclosure.models import Publication
from sanxiang.documents.queries import issuable_kinds
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import quick_pdf, take_step
from sanxiang.procedures.definitions import get_definition
from sanxiang.review.queries import major_reasons
from sanxiang.review.testing import pass_review
from sanxiang.testing import WorldTestCase

PATHS = {
    "penalty_ordinary": ["investigation", "case_review", "notice", "defence", "decision"],
    "penalty_summary": ["notice", "decision"],
    "licence": ["acceptance", "examination", "decision"],
    "coercion": ["decision"],
}
ID_NUMBER = resident_id(date(1980, 5, 17))
# The same number in full-width digits, as scanned decisions often have it.
FULL_WIDTH_ID = ID_NUMBER.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
DECISION_TEXT = (
    f"当事人张三，男，身份证号码：{FULL_WIDTH_ID}，住址：辽宁省盘锦市兴隆台区某路8号，"
    "联系电话 13912345678。经查，当事人于2026年3月在未经登记的场所组织宗教活动，证人王五证实。"
    "依据《宗教事务条例》第七十一条，决定给予罚款人民币5000.00元。"
)


def _matter(world: Any, procedure: str) -> Matter:
    category = get_definition(procedure).category
    return Matter.objects.filter(agency=world.agency, code=f"T-{category}").first() or make_matter(
        world.agency, category
    )


def decided_case(
    world: Any,
    *,
    procedure: str = "penalty_ordinary",
    parties: list[PartyData] | None = None,
    kind: str = "fine",
    fine: str | None = "5000.00",
    confiscation: str | None = None,
    text: str = DECISION_TEXT,
    on: date | None = None,
    opened_on: date | None = None,
    additional_kinds: tuple[str, ...] = (),
    path: list[str] | None = None,
    terms: dict[str, Any] | None = None,
    issue: bool = True,
) -> Case:
    """A case of ``world.agency`` taken to ``decision`` by its officer and head (a licence grant
    with the terms of ``licensing.testing.record_terms``, changed by ``terms``); with ``issue``,
    its 决定书 issued (the published text is the issued document's body, whose 经查明 paragraph
    holds ``text`` as the case's facts)."""
    parties = parties or [
        person("张三", address="辽宁省盘锦市兴隆台区某路8号", phone="13912345678")
    ]
    # Through a hearing: it is notified 7 working days before it is held (行政处罚法 第64条),
    # so the steps before the decision are dated that long before it.
    heard = path is not None and "hearing" in path
    notified = working_days_before(on or timezone.localdate(), 7) if heard else None
    case = open_test_case(
        world,
        procedure=procedure,
        matter=_matter(world, procedure),
        parties=parties,
        opened_on=opened_on or notified,
    )
    Case.objects.filter(pk=case.pk).update(facts=text)
    if procedure == "licence":
        fine = None
        if kind == "licence_grant":  # 行政许可法 第39条: what the grant confers, before the draft
            from sanxiang.licensing.testing import record_terms

            record_terms(world.officer, case.pk, **(terms or {}))
    if procedure == "coercion":  # 行政强制法 第24条: the 清单 the 查封扣押决定书 prints
        from sanxiang.coercion.testing import record_items

        record_items(world.officer, case.pk)
    save_draft(
        actor=world.officer,
        case_id=case.pk,
        data=DraftData(
            violated_provision="《宗教事务条例》第四十一条",
            kind=kind,
            fine_amount=Decimal(fine) if fine else None,
            confiscation_value=Decimal(confiscation) if confiscation else None,
            legal_basis="《宗教事务条例》第七十一条",
            circumstance="ordinary" if procedure.startswith("penalty") else "",
            text=text,
            additional_kinds=additional_kinds,
        ),
    )
    definition = get_definition(procedure)
    for target in path or PATHS[procedure]:
        step = definition.step(case.stage, target)
        assert step is not None, (case.stage, target)
        actor = world.head if step.head_approval else world.officer
        if target == "decision" and major_reasons(case):
            pass_review(world, case)  # 行政处罚法 第58条: no major decision without a review
        if target == "decision" and heard:
            hold_hearing(world, case.pk, notified_on=notified)
        case = take_step(actor, case.pk, target, on=on if target == "decision" else notified)
    if issue and kind == "no_penalty":
        # The 不予行政处罚决定书 states its ground (行政处罚法 第33条; cases.no_penalty).
        from sanxiang.cases.no_penalty import prepare_no_penalty

        prepare_no_penalty(
            actor=world.officer, case_id=case.pk, ground="minor_corrected", reasons="测试数据"
        )
    if issue:
        issue_decision(world, case)
    return case


def issue_decision(world: Any, case: Case) -> None:
    """Issue the decision document the case's stage offers (stand-in PDF)."""
    offered = [k for k in issuable_kinds(case) if k.decision]
    if offered:
        with mock.patch("sanxiang.documents.services.render_pdf", quick_pdf):
            issue_document(actor=world.officer, case_id=case.pk, kind=offered[0].code)


def queued(world: Any, **kwargs: Any) -> Publication:
    case = decided_case(world, **kwargs)
    return Publication.objects.get(case=case)


def published(world: Any, **kwargs: Any) -> Publication:
    item = queued(world, **kwargs)
    return services.publish(actor=world.head, publication_id=item.pk)


__all__ = ["company", "decided_case", "person", "published", "queued"]


class DisclosureTestCase(WorldTestCase):
    """The people of the tests (conftest hashes their passwords with a fast hasher)."""
