"""Step-bound documents (issue 10, item 2), a guard of the transition engine.

A step of a procedure definition may name documents it cannot be taken without
(``Step.requires``): the 事先告知书 before 告知, the 行政处罚决定书 delivered (a 送达回证 issued
after it) before 送达, the 当场行政处罚决定书 before it is handed over, the 现场笔录 of a
查封扣押. The guard reads the case's issued documents and refuses the step with
``document_required``, naming what is missing and the article; it writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from sanxiang.catalog.queries import in_force_on
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import Definition, Needs, StageRole, Step
from sanxiang.procedures.engine import GuardContext
from sanxiang.procedures.filing import file_needs

from .kinds import get_kind
from .models import IssuedDocument, StepRequirement

if TYPE_CHECKING:
    from sanxiang.cases.history import Entered

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


# --- One 送达回证 per party (issue 10, h10a item 4) ------------------------------------------
# 行政处罚法 第61条 serves the 决定书 by the 民事诉讼法's rules; 民事诉讼法 第87条: 送达诉讼文书必须
# 有送达回证，由受送达人在送达回证上记明收到日期，签名或者盖章 — one receipt per 受送达人. A
# document issued for one party (``issue_document(party_id=)``: the ``party`` of its
# ``document.issued`` entry) is delivered by that party's receipt; a document issued for every
# party names each party registered by then, and wants a receipt of each. A receipt issued for
# every party counts only where it names one party (it has one 受送达人 signature).
RECEIPT_BASIS = "民事诉讼法 第87条（行政处罚法 第61条依此送达）：每名受送达人一份送达回证"


@dataclass(frozen=True)
class _Issued:
    pk: int
    kind: str
    issued_at: datetime


@dataclass(frozen=True)
class _Party:
    pk: int
    name: str
    added_at: datetime | None


def addressed_parties(case_id: int) -> dict[int, int]:
    """The documents of the case issued for one party: document id → party id (the ledger's
    ``document.issued`` entries are the record of whom a document addressed)."""
    rows = Entry.objects.filter(case_id=case_id, event_type="document.issued").values_list(
        "payload", flat=True
    )
    out: dict[int, int] = {}
    for raw in rows:
        payload = json.loads(raw)
        if payload.get("party") is not None:
            out[int(payload["document"])] = int(payload["party"])
    return out


def _named(doc: _Issued, parties: list[_Party], addressed: dict[int, int]) -> set[int]:
    """The parties a document names: its one party, or every party registered before it."""
    if doc.pk in addressed:
        return {addressed[doc.pk]}
    return {p.pk for p in parties if p.added_at is None or p.added_at <= doc.issued_at}


def undelivered_parties(
    found: list[_Issued], receipts: list[_Issued], parties: list[_Party], addressed: dict[int, int]
) -> list[_Party]:
    """The parties named by one of ``found`` with no receipt of their own after the latest
    of ``found`` that names them."""
    lacking = []
    for party in parties:
        naming = [d.pk for d in found if party.pk in _named(d, parties, addressed)]
        if not naming:
            continue
        last = max(naming)
        if not any(r.pk > last and _named(r, parties, addressed) == {party.pk} for r in receipts):
            lacking.append(party)
    return lacking


def _parties(case_id: int) -> list[_Party]:
    from sanxiang.cases.models import Party

    rows = Party.objects.filter(case_id=case_id).order_by("pk")
    return [_Party(p.pk, p.name, p.added_at) for p in rows.only("pk", "name", "added_at")]


def _issued(case_id: int) -> list[_Issued]:
    """The case's issued documents in issue order (one query)."""
    return [
        _Issued(pk, kind, at)
        for kind, pk, at in IssuedDocument.objects.filter(case_id=case_id)
        .order_by("pk")
        .values_list("kind", "pk", "issued_at")
    ]


def lacking_receipts(
    case_id: int,
    kinds: tuple[str, ...],
    *,
    issued: list[_Issued] | None = None,
    otherwise: set[int] | None = None,
) -> tuple[int | None, list[_Party]]:
    """The latest document of ``kinds`` and the parties it was not yet delivered to (each
    party's own 送达回证, or the document delivered by other means); (None, []) if none.
    ``issued`` and ``otherwise``: the case's documents and those delivered by other means, when
    the caller has read them already."""
    issued = _issued(case_id) if issued is None else issued
    found = [d for d in issued if d.kind in kinds]
    if not found:
        return None, []
    last = max(d.pk for d in found)
    if last in (delivered_otherwise(case_id) if otherwise is None else otherwise):
        return last, []
    parties = _parties(case_id)
    receipts = [d for d in issued if d.kind == RECEIPT]
    if not parties:  # a case without parties: any receipt after the document
        return last, [] if any(r.pk > last for r in receipts) else [_Party(0, "", None)]
    return last, undelivered_parties(found, receipts, parties, addressed_parties(case_id))


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
    # In issue order: one query, whatever the number of needs (also for the per-party check).
    issued = _issued(case_id)
    receipts = [d.pk for d in issued if d.kind == RECEIPT]
    otherwise: set[int] | None = None  # asked of the other apps once, and only if needed
    lacking = []
    for need in requires:
        found = [d.pk for d in issued if d.kind in need.kinds]
        if not found:
            lacking.append(f"须先制发{_titles(need.kinds)}（{need.basis}）")
            continue
        if not need.delivered:
            continue
        last = max(found)
        if not any(r > last for r in receipts):
            if otherwise is None:
                otherwise = delivered_otherwise(case_id)
            if last not in otherwise:
                lacking.append(
                    f"{_titles(need.kinds)}须先送达并制发《送达回证》，或经当事人确认电子送达并已送达"
                    f"（{need.basis}）"
                )
            continue
        if otherwise is None:
            otherwise = delivered_otherwise(case_id)
        _, parties = lacking_receipts(case_id, need.kinds, issued=issued, otherwise=otherwise)
        names = "、".join(p.name for p in parties if p.name)
        if names:
            lacking.append(
                f"{_titles(need.kinds)}尚未向{names}送达：须为每名受送达人分别制发《送达回证》"
                f"（{RECEIPT_BASIS}；{need.basis}）"
            )
    return lacking


# --- The agency's own step-bound documents (issue 10, item 2: overridable per agency) --------
# An agency adds requirements (``StepRequirement``, stricter than the law); the definition's
# ``Step.requires`` always stand (a row cannot remove one). The refusal cites the agency's basis.


def _in_force_for(case: Any, on: date | None) -> Any:
    return StepRequirement.objects.filter(
        in_force_on(on or timezone.localdate()),
        agency_id=case.agency_id,
        procedure=case.procedure,
    ).filter(Q(matter__isnull=True) | Q(matter_id=case.matter_id))


def agency_rows(case: Any, step: Step, on: date | None = None) -> list[tuple[str, str, bool]]:
    """(kind, basis, delivered) of the agency's rows for ``step`` in force on ``on`` (today)
    for the case's matter. Read on every transition: three columns, no join."""
    rows = _in_force_for(case, on).filter(source=step.source, target=step.target)
    return list(rows.order_by("pk").values_list("kind", "basis", "delivered"))


def agency_rows_leaving(case: Any) -> list[tuple[str, bool]]:
    """(kind, delivered) of the agency's rows in force today on the steps leaving the case's
    stage: the stage offers these documents (and the 送达回证 where delivery is asked)."""
    return list(
        _in_force_for(case, None).filter(source=case.stage).values_list("kind", "delivered")
    )


def step_needs(case: Any, step: Step, on: date | None = None) -> tuple[Needs, ...]:
    """What ``step`` requires of ``case``: the law's (``Step.requires``), then the agency's
    (its rows are the case's agency's, so the basis names ``case.agency``)."""
    added = tuple(
        Needs((kind,), f"{case.agency.name}增设：{basis}", delivered)
        for kind, basis, delivered in agency_rows(case, step, on)
    )
    return step.requires + added


def required_documents(context: GuardContext) -> None:
    steps = context.definition.steps_between(context.source, context.target)
    if not steps:
        return
    refusals = []
    for step in steps:
        lacking = missing(context.case.pk, step_needs(context.case, step, context.on))
        if not lacking:
            return  # one of the steps between the stages has all it needs
        refusals.append(f"“{step.label}”：{'；'.join(lacking)}")
    # Two steps join the stages (审查 → 结案 by 移送 or by 不予处罚): either will do.
    raise DomainError("document_required", f"{'；或'.join(refusals)}。")


def step_taken(definition: Definition, case_id: int, source: str, target: str) -> Step | None:
    """The step ``source → target`` whose documents the case holds (the first if none does)."""
    steps = definition.steps_between(source, target)
    if len(steps) > 1:
        for step in steps:
            if step.requires and not missing(case_id, step.requires):
                return step
    return steps[0] if steps else None


def _path_needs(definition: Definition, entered: list[str], case_id: int) -> list[Needs]:
    """The ``Step.requires`` of every step the case took (consecutive stages it entered)."""
    needs: list[Needs] = []
    for source, target in pairwise(entered):
        step = step_taken(definition, case_id, source, target)
        if step is not None:
            needs.extend(n for n in step.requires if n not in needs)
    return needs


def _agency_path_needs(case: Any, entered: list[Entered]) -> list[Needs]:
    """The agency's rows that applied to a step the case took: for the stages the step joined,
    in force on its day and registered before it was taken — what the guard asked then (a row
    added later does not reach back; ``valid_from``/``valid_to`` cannot be set in the past)."""
    rows = list(
        StepRequirement.objects.filter(agency_id=case.agency_id, procedure=case.procedure)
        .filter(Q(matter__isnull=True) | Q(matter_id=case.matter_id))
        .order_by("pk")
    )
    needs: list[Needs] = []
    for before, step in pairwise(entered):
        day = step.on or timezone.localdate()
        for row in rows:
            applied = (
                (row.source, row.target) == (before.stage, step.stage)
                and row.created_at <= step.at
                and row.valid_from <= day
                and (row.valid_to is None or row.valid_to > day)
            )
            need = Needs((row.kind,), f"{case.agency.name}增设：{row.basis}", row.delivered)
            if applied and need not in needs:
                needs.append(need)
    return needs


def file_lacking(case: Any, *, entering: str = "", on: date | None = None) -> list[str]:
    """What the case file lacks to be archived (立卷归档), each a Chinese sentence.

    The documents of ``procedures.filing.file_needs`` for the stages the case went through,
    and again those every step it took required, the law's and the agency's (a case taken
    before a guard existed, or whose rows were altered, is caught here). ``entering``: a stage
    about to be entered, on ``on`` (today).
    """
    from sanxiang.cases.history import Entered, stages_entered_at

    definition = case.definition
    dated = stages_entered_at(case)
    if entering:
        dated.append(Entered(entering, on, timezone.now()))
    entered = [e.stage for e in dated]
    roles = {definition.role_of(code) for code in entered}
    needs = _path_needs(definition, entered, case.pk)
    needs.extend(n for n in _agency_path_needs(case, dated) if n not in needs)
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
    lacking = file_lacking(context.case, entering=context.target, on=context.on)
    if lacking:
        raise DomainError(
            "file_incomplete",
            f"案卷不完整，不能归档：{'；'.join(lacking)}。请补齐后再归档（已有的可在案卷页查看）。",
        )
