"""The execution's side of ``verify_ledger``'s state check (``ledger.reconcile``).

``case.payment_recorded`` and ``case.execution_recorded`` name each payment and execution
record with its figures; the tables must hold exactly those rows with those figures (a payment
inserted, deleted or changed behind the application is named). And a case the table shows
closed while the ledger does not, with its fine unpaid by the ledger's payments and no 终结 or
court enforcement on record, is named as such: the stage check of ``reconcile.py`` reports the
stage, this says why it matters (结案 with the fine unpaid, issue 10 item 7).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler
from sanxiang.procedures.definitions import CLOSED_ROLES, DEFINITIONS

from .execution_models import ExecutionKind, ExecutionRecord, Payment
from .models import Case, DecisionDraft, DecisionKind

EVENT_TYPES = ("case.transition", "case.payment_recorded", "case.execution_recorded")
ENDS = {ExecutionKind.TERMINATED, ExecutionKind.ENFORCEMENT_CONCLUDED}


def _compare(
    table: str, pk: int, fact: Fact, expected: dict[str, Any], held: dict[str, Any]
) -> Iterable[Divergence]:
    for name, value in expected.items():
        if str(held.get(name) or "") != str(value or ""):
            yield Divergence(
                table,
                str(pk),
                name,
                fact.seq,
                f"账本记载为“{value or '无'}”，表中为“{held.get(name) or '无'}”",
            )


def _rows(
    table: str, ledgered: dict[int, Fact], held: dict[int, dict[str, Any]], fields: tuple[str, ...]
) -> Iterable[Divergence]:
    for pk, fact in sorted(ledgered.items()):
        row = held.get(pk)
        if row is None:
            yield Divergence(table, str(pk), "id", fact.seq, "账本记载的记录在表中不存在")
            continue
        expected = {f: fact.payload.get(f) for f in fields}
        expected["case_id"] = fact.case_id
        yield from _compare(table, pk, fact, expected, row)
    for pk in sorted(held.keys() - ledgered.keys()):
        yield Divergence(table, str(pk), "id", None, "表中的记录在账本中没有登记条目")


def _closed(
    last_target: dict[int, tuple[str, Fact]], paid: dict[int, Decimal], ended: set[int]
) -> Iterable[Divergence]:
    """Cases the table shows closed and the ledger does not, with the fine unpaid by the
    ledger's payments (the 加处罚款 aside: this check stays one pass over the entries)."""
    closed = {s.code for d in DEFINITIONS.values() for s in d.stages if s.role in CLOSED_ROLES}
    suspects: dict[int, Fact | None] = {}
    for pk, procedure, stage in Case.objects.filter(stage__in=closed).values_list(
        "pk", "procedure", "stage"
    ):
        definition = DEFINITIONS.get(procedure)
        if definition is None or not definition.is_closed(stage):
            continue
        ledgered = last_target.get(pk)
        if ledgered is not None and definition.is_closed(ledgered[0]):
            continue
        suspects[pk] = ledgered[1] if ledgered else None
    if not suspects:
        return
    for case_id, fine, kind, together in DecisionDraft.objects.filter(
        case_id__in=list(suspects)
    ).values_list("case_id", "fine_amount", "kind", "penalty_kinds"):
        if fine is None or (kind != DecisionKind.FINE and f",{DecisionKind.FINE}," not in together):
            continue
        if case_id in ended or paid.get(case_id, Decimal(0)) >= fine:
            continue
        fact = suspects[case_id]
        yield Divergence(
            "cases_case",
            str(case_id),
            "stage",
            fact.seq if fact else None,
            f"表中案件已结案，但账本记载的处罚决定尚未执行完毕（罚款{fine}元未缴清，"
            "亦无终结执行或强制执行完毕的记载）",
        )


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    payments: dict[int, Fact] = {}
    records: dict[int, Fact] = {}
    last_target: dict[int, tuple[str, Fact]] = {}
    paid: dict[int, Decimal] = {}
    ended: set[int] = set()
    for fact in facts:
        case_id = fact.case_id
        if case_id is None:
            continue
        if fact.event_type == "case.transition":
            last_target[case_id] = (str(fact.payload.get("target", "")), fact)
        elif fact.event_type == "case.payment_recorded" and "payment" in fact.payload:
            payments[int(fact.payload["payment"])] = fact
            paid[case_id] = paid.get(case_id, Decimal(0)) + Decimal(str(fact.payload["amount"]))
        elif fact.event_type == "case.execution_recorded" and "record" in fact.payload:
            records[int(fact.payload["record"])] = fact
            if fact.payload.get("kind") in ENDS:
                ended.add(case_id)
    held_payments: dict[int, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in Payment.objects.values("pk", "case_id", "receipt_number", "amount", "paid_on")
    }
    yield from _rows(
        "cases_payment", payments, held_payments, ("receipt_number", "amount", "paid_on")
    )
    held_records: dict[int, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in ExecutionRecord.objects.values("pk", "case_id", "kind", "on", "due_on", "reason")
    }
    yield from _rows("cases_executionrecord", records, held_records, ("kind", "on", "reason"))
    yield from _closed(last_target, paid, ended)


RECONCILER = Reconciler("cases.execution", EVENT_TYPES, check)
