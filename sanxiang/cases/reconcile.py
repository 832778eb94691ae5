"""The cases' side of ``verify_ledger``'s state check (``ledger.reconcile``).

Replaying ``case.opened`` and ``case.transition`` gives each case's stage (and, with the
pauses and resumptions, its deadline clocks: ``clocks.py``); the decision entry
names the snapshot decided on; ``case.draft_saved`` names every snapshot. The tables must
agree: the stage, ``decided_snapshot``, each snapshot row (present, hashing to its address),
and, once decided, the live draft and parties must still be what the decided snapshot holds
(a fine, text or party changed behind the application is named field by field).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sanxiang.ledger.reconcile import (
    Divergence,
    ExpectedTrigger,
    Fact,
    Reconciler,
    pg_function_body,
)
from sanxiang.ledger.triggers import sqlite_triggers
from sanxiang.procedures.definitions import DEFINITIONS, StageRole, stage_has_role

from . import clocks, snapshots
from .models import Case, DecisionDraft, DraftSnapshot

# A payment that settles the fine stops the 缴纳罚款 clock and says so (services/execution.py);
# the court application stops the court clocks, and the 送达回证 of a 催告书 (the documents
# app's entry) starts the 催告 period (execution_clocks.py).
CLOCK_TYPES = (
    "case.deadline_paused",
    "case.deadline_resumed",
    # The head's extension (行政许可法 第42条, 行政强制法 第25条: services/extensions.py).
    "case.deadline_extended",
    # 行政强制法 第27条: the goods confiscated end the 查封扣押 clock (coercion/services.py).
    "coercion.confiscated",
    "case.payment_recorded",
    "case.execution_recorded",
    # Also a document a DeadlineRule names (行政处罚法 第56条: 先行登记保存, deadlines.py).
    "document.issued",
)
# A party corrected after the decision (services/parties.py) is compared with the correction's
# ledgered state by party_reconcile.py, not with the decided snapshot.
CORRECTED = "case.party_corrected"
EVENT_TYPES = ("case.opened", "case.transition", "case.draft_saved", CORRECTED, *CLOCK_TYPES)


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    opened: dict[int, Fact] = {}
    last_step: dict[int, Fact] = {}
    decided: dict[int, Fact] = {}
    saved: dict[str, Fact] = {}
    corrected: set[int] = set()
    for fact in facts:
        if fact.case_id is None:
            continue
        if fact.event_type == "case.opened":
            opened[fact.case_id] = fact
        elif fact.event_type == "case.transition":
            last_step[fact.case_id] = fact
            if _decides(opened.get(fact.case_id), fact):
                decided[fact.case_id] = fact
        elif fact.event_type == "case.draft_saved" and fact.payload.get("snapshot"):
            saved[fact.payload["snapshot"]] = fact
        elif fact.event_type == CORRECTED and fact.case_id in decided:
            corrected.add(fact.case_id)
    cases = {
        pk: (procedure, stage, snapshot)
        for pk, procedure, stage, snapshot in Case.objects.values_list(
            "pk", "procedure", "stage", "decided_snapshot"
        )
    }
    for pk in sorted(cases.keys() - opened.keys()):
        yield Divergence("cases_case", str(pk), "id", None, "案件在账本中没有立案条目")
    for pk, fact in sorted(opened.items()):
        if pk not in cases:
            yield Divergence(
                "cases_case", str(pk), "id", fact.seq, "账本中已立案的案件在表中不存在"
            )
            continue
        procedure, stage, decided_snapshot = cases[pk]
        step = last_step.get(pk)
        definition = DEFINITIONS.get(fact.payload.get("procedure", procedure))
        expected = (
            step.payload["target"] if step else (definition.initial.code if definition else "")
        )
        if expected and stage != expected:
            yield Divergence(
                "cases_case",
                str(pk),
                "stage",
                (step or fact).seq,
                f"账本记载的阶段为“{expected}”，表中为“{stage}”",
            )
        decision = decided.get(pk)
        ledgered = decision.payload.get("snapshot", "") if decision else ""
        if decided_snapshot != ledgered:
            yield Divergence(
                "cases_case",
                str(pk),
                "decided_snapshot",
                decision.seq if decision else None,
                f"账本记载的决定所依草稿为“{ledgered or '无'}”，表中为“{decided_snapshot or '无'}”",
            )
    yield from _snapshots(saved, decided, corrected)
    yield from clocks.check(facts)


def _decides(opened: Fact | None, step: Fact) -> bool:
    """Whether a transition entered the decision stage of the case's procedure (as opened)."""
    procedure = str(opened.payload.get("procedure", "")) if opened else ""
    return stage_has_role(procedure, str(step.payload.get("target", "")), StageRole.DECISION)


def _chunks(values: list[Any], size: int = 900) -> Iterable[list[Any]]:
    """Slices small enough for one ``IN`` list (SQLite limits the variables of a statement)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _snapshots(
    saved: dict[str, Fact], decided: dict[int, Fact], corrected: set[int]
) -> Iterable[Divergence]:
    rows = {
        s.hash: s
        for chunk in _chunks(list(saved))
        for s in DraftSnapshot.objects.filter(hash__in=chunk)
    }
    for digest, fact in saved.items():
        row = rows.get(digest)
        if row is None:
            yield Divergence(
                "cases_draftsnapshot", digest, "hash", fact.seq, "账本记载的草稿快照已不存在"
            )
        elif hashlib.sha256(row.payload.encode("utf-8")).hexdigest() != digest:
            yield Divergence(
                "cases_draftsnapshot", digest, "payload", fact.seq, "草稿快照内容与其摘要不符"
            )
    drafts = {
        d.case_id: d
        for chunk in _chunks(list(decided))
        for d in DecisionDraft.objects.filter(case_id__in=chunk).select_related("case")
    }
    for case_id, fact in sorted(decided.items()):
        digest = fact.payload.get("snapshot", "")
        row = rows.get(digest) or DraftSnapshot.objects.filter(hash=digest).first()
        draft = drafts.get(case_id)
        if row is None or draft is None:
            if digest:
                yield Divergence(
                    "cases_draftsnapshot", digest, "hash", fact.seq, "已决定的草稿快照或草稿不存在"
                )
            continue
        decided_payload = json.loads(row.payload)
        if case_id in corrected:
            decided_payload.pop("parties", None)
        yield from _compare(decided_payload, snapshots.payload_of(draft), draft, fact)


def _compare(
    decided: dict[str, Any], live: dict[str, Any], draft: DecisionDraft, fact: Fact
) -> Iterable[Divergence]:
    for name, value in decided.get("draft", {}).items():
        if live["draft"].get(name) != value:
            yield Divergence(
                "cases_decisiondraft",
                str(draft.pk),
                name,
                fact.seq,
                f"决定后被改动：决定所依快照为“{value}”，表中为“{live['draft'].get(name)}”",
            )
    before = dict(enumerate(decided.get("parties", [])))
    now = dict(enumerate(live["parties"]))
    for index, party in before.items():
        current = now.get(index, {})
        for name, value in party.items():
            if current.get(name) != value:
                yield Divergence(
                    "cases_party",
                    f"{draft.case_id}/{index + 1}",
                    name,
                    fact.seq,
                    f"决定后当事人信息被改动：快照为“{value}”，表中为“{current.get(name)}”",
                )
    for name in sorted(set(decided) - {"draft", "parties"}):
        if live.get(name) != decided[name]:
            yield Divergence(
                "cases_decisiondraft", str(draft.pk), name, fact.seq, "决定后决定内容被改动"
            )


RECONCILER = Reconciler("cases", EVENT_TYPES, check)


def expected_triggers(vendor: str) -> list[ExpectedTrigger]:
    """The snapshot table's UPDATE guard as migration 0002 installs it."""
    migration = importlib.import_module("sanxiang.cases.migrations.0002_draft_snapshots")
    if vendor == "sqlite":
        return sqlite_triggers([migration.SQLITE_CREATE])
    if vendor == "postgresql":
        body = pg_function_body(migration.PG_CREATE[0])
        return [
            ExpectedTrigger(
                "cases_draftsnapshot_no_update", "cases_draftsnapshot", body, ("UPDATE",)
            )
        ]
    return []
