"""Step-bound documents (issue 10, item 2), a guard of the transition engine.

A step of a procedure definition may name documents it cannot be taken without
(``Step.requires``): the 事先告知书 before 告知, the 行政处罚决定书 delivered (a 送达回证 issued
after it) before 送达, the 当场行政处罚决定书 before it is handed over, the 现场笔录 of a
查封扣押. The guard reads the case's issued documents and refuses the step with
``document_required``, naming what is missing and the article; it writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import Definition, Needs, StageRole
from sanxiang.procedures.engine import GuardContext
from sanxiang.procedures.filing import file_needs

from .kinds import get_kind
from .models import IssuedDocument

RECEIPT = "delivery_receipt"

# Apps that deliver documents without a paper 送达回证 say which of a case's documents they have
# delivered: the applicant app's 电子送达 (行政处罚法 第61条第2款: with the party's signed
# 确认书, by 电子邮件 and the like), each recorded with the PDF's hash. documents imports none.
DeliveredOtherwise = Callable[[int], set[int]]
_delivered_otherwise: list[DeliveredOtherwise] = []


def register_delivery_evidence(fn: DeliveredOtherwise) -> DeliveredOtherwise:
    """``fn(case_id)`` returns the ids of the case's documents delivered by other means."""
    if fn not in _delivered_otherwise:
        _delivered_otherwise.append(fn)
    return fn


def delivered_otherwise(case_id: int) -> set[int]:
    delivered: set[int] = set()
    for fn in _delivered_otherwise:
        delivered |= fn(case_id)
    return delivered


def is_delivered(case_id: int, document_id: int, receipts: list[int]) -> bool:
    """A 送达回证 issued after the document, or the document delivered by other means."""
    return any(r > document_id for r in receipts) or document_id in delivered_otherwise(case_id)


def _titles(kinds: tuple[str, ...]) -> str:
    names = []
    for code in kinds:
        kind = get_kind(code)
        names.append(f"《{kind.title if kind else code}》")
    return "或".join(names)


def missing(case_id: int, requires: tuple[Needs, ...]) -> list[str]:
    """What of ``requires`` the case lacks, each as a Chinese sentence (empty: nothing)."""
    if not requires:
        return []
    # (kind, pk) in issue order: one query, whatever the number of needs.
    issued = list(
        IssuedDocument.objects.filter(case_id=case_id).order_by("pk").values_list("kind", "pk")
    )
    receipts = [pk for kind, pk in issued if kind == RECEIPT]
    otherwise: set[int] | None = None  # asked of the other apps once, and only if needed
    lacking = []
    for need in requires:
        found = [pk for kind, pk in issued if kind in need.kinds]
        if not found:
            lacking.append(f"须先制发{_titles(need.kinds)}（{need.basis}）")
            continue
        last = max(found)
        if not need.delivered or any(r > last for r in receipts):
            continue
        if otherwise is None:
            otherwise = delivered_otherwise(case_id)
        if last not in otherwise:
            lacking.append(
                f"{_titles(need.kinds)}须先送达并制发《送达回证》，或经当事人确认电子送达并已送达"
                f"（{need.basis}）"
            )
    return lacking


def required_documents(context: GuardContext) -> None:
    step = context.definition.step(context.source, context.target)
    if step is None:
        return
    lacking = missing(context.case.pk, step.requires)
    if lacking:
        raise DomainError("document_required", f"“{step.label}”：{'；'.join(lacking)}。")


def _path_needs(definition: Definition, entered: list[str]) -> list[Needs]:
    """The ``Step.requires`` of every step the case took (consecutive stages it entered)."""
    needs: list[Needs] = []
    for source, target in pairwise(entered):
        step = definition.step(source, target)
        if step is not None:
            needs.extend(n for n in step.requires if n not in needs)
    return needs


def file_lacking(case: Any, *, entering: str = "") -> list[str]:
    """What the case file lacks to be archived (立卷归档), each a Chinese sentence.

    The documents of ``procedures.filing.file_needs`` for the stages the case went through,
    and again those every step it took required (a case taken before a guard existed, or
    whose rows were altered, is caught here). ``entering``: a stage about to be entered.
    """
    from sanxiang.cases.history import stages_entered

    definition = case.definition
    entered = stages_entered(case)
    if entering:
        entered.append(entering)
    roles = {definition.role_of(code) for code in entered}
    needs = _path_needs(definition, entered)
    for need in file_needs(case.procedure):
        applies = need.after is None or need.after in roles
        # One sentence per document: a step already asked for it (delivered, if so) says it.
        covered = any(
            n.kinds == need.needs.kinds and n.delivered >= need.needs.delivered for n in needs
        )
        if applies and not covered:
            needs.append(need.needs)
    lacking = missing(case.pk, tuple(needs))
    return list(dict.fromkeys(lacking))


def complete_file(context: GuardContext) -> None:
    """归档 is refused while the file lacks a document it must hold, naming every one."""
    if not context.enters(StageRole.ARCHIVED):
        return
    lacking = file_lacking(context.case, entering=context.target)
    if lacking:
        raise DomainError(
            "file_incomplete",
            f"案卷不完整，不能归档：{'；'.join(lacking)}。请补齐后再归档（已有的可在案卷页查看）。",
        )
