"""The 双随机 side of ``verify_ledger``'s state check (``ledger.reconcile``).

A frozen plan must still hold the input whose hash its freeze entry recorded; a drawn round the
certificate whose hash its draw entry recorded; a recorded result the outcome its entry names.
So a list edited, a certificate rewritten or a result changed behind the application after the
fact is named with the ledger entry that says otherwise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler
from sanxiang.lib import draw

from .models import Assignment, Draw, Plan

EVENT_TYPES = ("inspection.plan_frozen", "inspection.drawn", "inspection.result_recorded")


def _input_hash(text: str) -> str:
    try:
        return draw.hashes(json.loads(text))["input_sha256"]
    except (ValueError, KeyError, TypeError):
        return ""


def _plans(facts: Sequence[Fact]) -> Iterable[Divergence]:
    frozen = {f.payload["plan_id"]: f for f in facts if f.event_type == "inspection.plan_frozen"}
    rows = Plan.objects.filter(pk__in=frozen).values_list("pk", "input_sha256", "frozen_input")
    for pk, recorded, text in rows:
        fact = frozen[pk]
        expected = fact.payload.get("input_sha256")
        if recorded != expected:
            yield Divergence(
                "inspections_plan", str(pk), "input_sha256", fact.seq, "计划摘要被改动"
            )
        if _input_hash(text) != expected:
            yield Divergence(
                "inspections_plan", str(pk), "frozen_input", fact.seq, "冻结后的计划或名录被改动"
            )


def _draws(facts: Sequence[Fact]) -> Iterable[Divergence]:
    drawn = {f.payload["draw"]: f for f in facts if f.event_type == "inspection.drawn"}
    rows = Draw.objects.filter(pk__in=drawn).values_list("pk", "certificate", "certificate_sha256")
    for pk, text, digest in rows:
        fact = drawn[pk]
        expected = fact.payload.get("certificate_sha256")
        if digest != expected or hashlib.sha256(text.encode()).hexdigest() != expected:
            yield Divergence(
                "inspections_draw", str(pk), "certificate", fact.seq, "抽取证书与账本记载的摘要不符"
            )


def _results(facts: Sequence[Fact]) -> Iterable[Divergence]:
    recorded = {
        f.payload["assignment"]: f for f in facts if f.event_type == "inspection.result_recorded"
    }
    rows = Assignment.objects.filter(pk__in=recorded).values_list("pk", "outcome")
    for pk, outcome in rows:
        fact = recorded[pk]
        if outcome != fact.payload.get("outcome"):
            yield Divergence(
                "inspections_assignment",
                str(pk),
                "outcome",
                fact.seq,
                f"检查结果与账本记载不符：账本为“{fact.payload.get('outcome')}”",
            )


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    # Entries written before these payloads named their rows are skipped (no row key).
    keyed = [f for f in facts if any(k in f.payload for k in ("plan_id", "draw", "assignment"))]
    yield from _plans([f for f in keyed if "plan_id" in f.payload])
    yield from _draws([f for f in keyed if "draw" in f.payload])
    yield from _results([f for f in keyed if "assignment" in f.payload])


RECONCILER = Reconciler("inspections", EVENT_TYPES, check)
