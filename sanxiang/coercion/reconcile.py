"""This app's side of ``verify_ledger``'s state check: each case's 清单, outcome and on-spot
report are what its last entries say, field by field, and no row exists without an entry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from .models import OnSpotReport, SeizureItem, SeizureOutcome
from .services import item_payload

EVENT_TYPES = (
    "coercion.items_set",
    "coercion.released",
    "coercion.confiscated",
    "coercion.on_spot_reported",
)


def _compare(
    table: str, row: str, fact: Fact | None, said: dict[str, Any], held: dict[str, Any]
) -> Iterable[Divergence]:
    if fact is None:
        yield Divergence(table, row, "id", None, "表中的记录在账本中没有登记条目")
        return
    for name in sorted(said.keys() | held.keys()):
        if str(said.get(name, "")) != str(held.get(name, "")):
            yield Divergence(
                table,
                row,
                name,
                fact.seq,
                f"账本记载为“{said.get(name) or '无'}”，表中为“{held.get(name) or '无'}”",
            )


def _items(lists: dict[int, Fact]) -> Iterable[Divergence]:
    held: dict[int, list[dict[str, Any]]] = {}
    for item in SeizureItem.objects.order_by("case_id", "position"):
        held.setdefault(item.case_id, []).append(item_payload(item, item.position))
    for case_id in sorted(lists.keys() | held.keys()):
        fact = lists.get(case_id)
        said = {str(i["position"]): i for i in (fact.payload["items"] if fact else [])}
        rows = {str(i["position"]): i for i in held.get(case_id, [])}
        for position in sorted(said.keys() | rows.keys(), key=int):
            where = f"case={case_id} 序号{position}"
            if position not in rows:
                yield Divergence(
                    "coercion_seizureitem",
                    where,
                    "id",
                    fact.seq if fact else None,
                    "账本记载的清单项目在表中不存在",
                )
                continue
            yield from _compare(
                "coercion_seizureitem", where, fact, said.get(position, {}), rows[position]
            )


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    lists: dict[int, Fact] = {}
    outcomes: dict[int, Fact] = {}
    reports: dict[int, Fact] = {}
    for fact in facts:
        if fact.case_id is None:
            continue
        if fact.event_type == "coercion.items_set":
            lists[fact.case_id] = fact
        elif fact.event_type in ("coercion.released", "coercion.confiscated"):
            outcomes[fact.case_id] = fact
        elif fact.event_type == "coercion.on_spot_reported":
            reports[fact.case_id] = fact
    yield from _items(lists)
    yield from _outcomes(outcomes)
    yield from _reports(reports)


def _outcomes(ledgered: dict[int, Fact]) -> Iterable[Divergence]:
    table = "coercion_seizureoutcome"
    names = ("outcome", "ground", "explanation", "decision_number", "on")
    for o in SeizureOutcome.objects.all():
        fact = ledgered.pop(o.case_id, None)
        said = {k: fact.payload.get(k) or "" for k in names} if fact is not None else {}
        held = {
            "outcome": o.outcome,
            "ground": o.ground,
            "explanation": o.explanation,
            "decision_number": o.decision_number,
            "on": o.decided_on.isoformat(),
        }
        yield from _compare(table, str(o.pk), fact, said, held)
    for case_id, fact in sorted(ledgered.items()):
        yield Divergence(table, f"case={case_id}", "id", fact.seq, "账本记载的处理结果在表中不存在")


def _reports(ledgered: dict[int, Fact]) -> Iterable[Divergence]:
    table = "coercion_onspotreport"
    names = ("carried_out_at", "reported_at", "circumstances")
    for r in OnSpotReport.objects.all():
        fact = ledgered.pop(r.case_id, None)
        said = {k: fact.payload.get(k, "") for k in names} if fact is not None else {}
        held = {
            "carried_out_at": timezone.localtime(r.carried_out_at).isoformat(),
            "reported_at": timezone.localtime(r.reported_at).isoformat(),
            "circumstances": r.circumstances,
        }
        yield from _compare(table, str(r.pk), fact, said, held)
    for case_id, fact in sorted(ledgered.items()):
        yield Divergence(table, f"case={case_id}", "id", fact.seq, "账本记载的报告在表中不存在")


RECONCILER = Reconciler("coercion", EVENT_TYPES, check)
