"""The 双随机 side of ``verify_ledger``'s state check (``ledger.reconcile``).

A frozen plan must still hold the input whose hash its freeze entry recorded; a drawn round the
certificate whose hash its draw entry recorded; a recorded result the outcome its entry names.
A drawn round's assignments must be the certificate's picks (targets, order, teams), and a
recorded result's findings, dates and receiving body what its entry says. So a list edited, a
certificate rewritten, a target or inspector swapped or a result changed behind the
application after the fact is named with the ledger entry that says otherwise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

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
            continue
        yield from _assignments(pk, json.loads(text), fact)


def _assignments(draw_pk: int, certificate: dict, fact: Fact) -> Iterable[Divergence]:
    """The round's assignments are the certificate's picks: the same targets in the same
    order with the same teams (a target or an inspector swapped in the table is named)."""
    picks = certificate["result"]["selected"]
    rows = {
        a.position: a
        for a in Assignment.objects.filter(draw_id=draw_pk)
        .select_related("target")
        .prefetch_related("team")
    }
    for position, pick in enumerate(picks, start=1):
        row = rows.pop(position, None)
        if row is None:
            yield Divergence(
                "inspections_assignment",
                f"{draw_pk}/{position}",
                "position",
                fact.seq,
                f"证书抽中的第{position}号（{pick['target']}）在抽查任务表中缺失",
            )
            continue
        if row.target.draw_id != pick["target"]:
            yield Divergence(
                "inspections_assignment",
                str(row.pk),
                "target",
                fact.seq,
                f"检查对象与抽取证书不符：证书为 {pick['target']}",
            )
        team = sorted(o.certificate_no for o in row.team.all())
        if row.team_order != pick["team"] or team != sorted(pick["team"]):
            yield Divergence(
                "inspections_assignment",
                str(row.pk),
                "team",
                fact.seq,
                f"检查组与抽取证书不符：证书为 {'、'.join(pick['team'])}",
            )
    for row in rows.values():
        yield Divergence(
            "inspections_assignment",
            str(row.pk),
            "position",
            fact.seq,
            "抽查任务不在抽取证书的结果中（抽取后被添加）",
        )


def _results(facts: Sequence[Fact]) -> Iterable[Divergence]:
    recorded = {
        f.payload["assignment"]: f for f in facts if f.event_type == "inspection.result_recorded"
    }
    rows = Assignment.objects.filter(pk__in=recorded).values_list(
        "pk", "outcome", "findings", "inspected_on", "rectify_by", "referred_to"
    )
    for pk, outcome, findings, inspected_on, rectify_by, referred_to in rows:
        fact = recorded[pk]
        if outcome != fact.payload.get("outcome"):
            yield Divergence(
                "inspections_assignment",
                str(pk),
                "outcome",
                fact.seq,
                f"检查结果与账本记载不符：账本为“{fact.payload.get('outcome')}”",
            )
        # What is published beside the outcome: the findings, the dates, the receiving body.
        fields = [
            ("findings", findings, "检查情况"),
            ("inspected_on", _day(inspected_on), "检查完成日期"),
            ("rectify_by", _day(rectify_by), "整改期限"),
        ]
        if fact.payload.get("outcome") == "referral":
            fields.append(("referred_to", referred_to, "移送机关"))
        for name, value, label in fields:
            if name in fact.payload and value != (fact.payload[name] or ""):
                yield Divergence(
                    "inspections_assignment",
                    str(pk),
                    name,
                    fact.seq,
                    f"{label}与账本记载不符：账本为“{fact.payload[name] or '（空）'}”",
                )


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    # Entries written before these payloads named their rows are skipped (no row key).
    keyed = [f for f in facts if any(k in f.payload for k in ("plan_id", "draw", "assignment"))]
    yield from _plans([f for f in keyed if "plan_id" in f.payload])
    yield from _draws([f for f in keyed if "draw" in f.payload])
    yield from _results([f for f in keyed if "assignment" in f.payload])


RECONCILER = Reconciler("inspections", EVENT_TYPES, check)
