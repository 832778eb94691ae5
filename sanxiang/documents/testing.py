"""Test helpers other apps may use to take a step as an officer would: first issue the
documents the step requires (``Step.requires``, checked by ``guards.required_documents``),
through the issuing service; before a decision, put the party's written waiver on record
(``record_defence``) where a 陈述申辩 or 听证 period still runs (``cases.order``); then
transition.

The guards stay on: a helper does what the law asks, it does not switch a rule off. Only the PDF
bytes are a stand-in (WeasyPrint takes about half a second a document; the templates are tested
for real in documents/tests/test_templates.py), unless ``real_pdf=True``.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from typing import Any
from unittest import mock

from django.utils import timezone

from sanxiang.cases import order
from sanxiang.cases.history import had_role
from sanxiang.cases.models import Case, DecisionDraft
from sanxiang.cases.services import DraftData, record_defence, save_draft, transition
from sanxiang.cases.testing import settle
from sanxiang.procedures.filing import file_needs

from .models import IssuedDocument
from .queries import issuable_kinds
from .services import issue_document, issue_for_step


def quick_pdf(content: Any) -> bytes:
    return b"%PDF-1.7\n% test stand-in\n" + content.sha256().encode()


def issue_required(
    actor: Any, case_id: int, target: str, *, real_pdf: bool = False
) -> list[IssuedDocument]:
    """Issue what the step from the case's stage to ``target`` still lacks; return them."""
    patch = (
        nullcontext()
        if real_pdf
        else mock.patch("sanxiang.documents.services.render_pdf", quick_pdf)
    )
    with patch:
        return issue_for_step(actor=actor, case_id=case_id, target=target)


WAIVER_NOTE = "当事人签署书面放弃声明，已附卷（测试数据）"


def waive_periods(actor: Any, case_id: int, target: str, *, on: date | None = None) -> list[str]:
    """Record the party's written waiver of each period that holds the step back; return the
    kinds recorded (none when the step is not a decision or the periods have run)."""
    case = Case.objects.get(pk=case_id)
    waits = case.definition.waits
    if not waits or not case.definition.has_role(target, *{w.before for w in waits}):
        return []
    day = on or timezone.localdate()
    recorded = []
    for period in order.periods(case):
        if period.holds_back(day):
            kind = period.rule.answered_by[-1]  # the written waiver
            # Dated the step's day, unless that is before the 告知 (a back-dated test decision).
            when = on if on is not None and on >= period.starts_on else None
            record_defence(actor=actor, case_id=case_id, kind=kind, on=when, note=WAIVER_NOTE)
            recorded.append(kind)
    return recorded


def issue_file_needs(actor: Any, case_id: int, target: str = "") -> list[IssuedDocument]:
    """Issue the documents the case file will need (``procedures.filing``) that the case's stage
    offers and it has not yet issued, as an officer fills in the 立案审批表 at 立案: what the
    archive guard (``guards.complete_file``) will ask for. A decision only once drafted."""
    case = Case.objects.get(pk=case_id)
    offered = {k.code: k for k in issuable_kinds(case)}
    issued = set(IssuedDocument.objects.filter(case=case).values_list("kind", flat=True))
    done = []
    with mock.patch("sanxiang.documents.services.render_pdf", quick_pdf):
        for need in file_needs(case.procedure):
            kinds = need.needs.kinds
            # Only what the file will need on the way the case goes: not the 事先告知书 of a
            # case closed at 审查 without a penalty (it never enters 告知).
            after = need.after
            ahead = after is None or had_role(case, after)
            entering = after is not None and case.definition.has_role(target, after)
            if target and not ahead and not entering:
                continue
            if issued & set(kinds):
                continue
            kind = next((offered[k] for k in kinds if k in offered), None)
            drafted = getattr(case, "draft", None) is not None
            if kind is not None and (drafted or not kind.decision):
                done.append(issue_document(actor=actor, case_id=case_id, kind=kind.code))
                issued.add(kind.code)
    return done


# The intended penalty a test case's officer drafts before the 告知 when the test wrote none
# (行政处罚法 第44条: the 事先告知书 states 拟作出的行政处罚内容及事实、理由、依据; without
# the provision violated and the one applied it is refused, documents.services).
NOTICE_DRAFT = DraftData(
    kind="warning",
    legal_basis="《宗教事务条例》第七十一条（测试数据）",
    violated_provision="《宗教事务条例》第四十一条（测试数据）",
)


def draft_before_notice(actor: Any, case_id: int, target: str) -> bool:
    """Save ``NOTICE_DRAFT`` when the step needs a 事先告知书 and the case has no draft yet."""
    case = Case.objects.get(pk=case_id)
    step = case.definition.step(case.stage, target)
    needs_notice = step is not None and any("penalty_notice" in n.kinds for n in step.requires)
    if not needs_notice or DecisionDraft.objects.filter(case_id=case_id).exists():
        return False
    save_draft(actor=actor, case_id=case_id, data=NOTICE_DRAFT)
    return True


def take_step(
    actor: Any,
    case_id: int,
    target: str,
    *,
    on: date | None = None,
    note: str = "",
    waive: bool = True,
    pay: bool = True,
) -> Case:
    """Issue the step's required documents (and, with ``waive``, record the party's written
    waiver of a running period; with ``pay``, before 结案 the payment of the fine still owed:
    ``cases.testing.settle``), then take the step through the transition service."""
    draft_before_notice(actor, case_id, target)
    issue_file_needs(actor, case_id, target)
    issue_required(actor, case_id, target)
    if waive:
        waive_periods(actor, case_id, target, on=on)
    if pay:
        settle(actor, case_id, target, on=on)
    return transition(actor=actor, case_id=case_id, target=target, on=on, note=note)


def walk(actor: Any, case_id: int, targets: list[str], **kwargs: Any) -> Case:
    """``take_step`` through ``targets`` in order (one actor: e.g. the head, who may take all)."""
    case = Case.objects.get(pk=case_id)
    for target in targets:
        case = take_step(actor, case_id, target, **kwargs)
    return case
