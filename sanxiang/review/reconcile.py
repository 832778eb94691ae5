"""The review's side of ``verify_ledger``'s state check (``ledger.reconcile``).

Replaying the review entries gives, per case, whether it was found major and each round's
status and reviewed snapshot hash; the tables must agree. A decision entry of a major case
must be covered by a passed round on exactly the snapshot it decided (行政处罚法 第58条).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence

from sanxiang.ledger.reconcile import (
    Divergence,
    ExpectedTrigger,
    Fact,
    Reconciler,
    pg_function_body,
)
from sanxiang.ledger.triggers import sqlite_triggers
from sanxiang.procedures.definitions import StageRole, stage_has_role

from .models import CaseReview, ReviewRound

EVENT_TYPES = (
    "review.marked_major",
    "review.flagged_major",
    "review.submitted",
    "review.resubmitted",
    "review.assigned",
    "review.reassigned",
    "review.opinion",
    "case.opened",
    "case.transition",
)
_MAJOR = {"review.marked_major", "review.flagged_major"}


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    major: dict[int, Fact] = {}
    rounds: dict[tuple[int, int], dict[str, object]] = {}
    passed: dict[int, dict[str, Fact]] = {}  # case -> snapshot hash -> passing opinion
    decisions: list[Fact] = []
    procedures: dict[int, str] = {}  # case -> procedure, from its 立案 entry
    for fact in facts:
        case_id = fact.case_id
        if case_id is None:
            continue
        p = fact.payload
        if fact.event_type in _MAJOR:
            major.setdefault(case_id, fact)
        elif fact.event_type in {"review.submitted", "review.resubmitted"}:
            status = "assigned" if p.get("reviewer") else "submitted"
            rounds[(case_id, p["round"])] = {
                "status": status,
                "fingerprint": p.get("fingerprint"),
                "seq": fact.seq,
            }
        elif fact.event_type in {"review.assigned", "review.reassigned"}:
            rounds.setdefault((case_id, p["round"]), {})
            rounds[(case_id, p["round"])].update(status="assigned", seq=fact.seq)
        elif fact.event_type == "review.opinion":
            rounds.setdefault((case_id, p["round"]), {})
            rounds[(case_id, p["round"])].update(status=p["outcome"], seq=fact.seq)
            if p["outcome"] == "passed":
                passed.setdefault(case_id, {})[p.get("fingerprint", "")] = fact
        elif fact.event_type == "case.opened":
            procedures[case_id] = str(p.get("procedure", ""))
        elif fact.event_type == "case.transition" and stage_has_role(
            procedures.get(case_id, ""), str(p.get("target", "")), StageRole.DECISION
        ):
            decisions.append(fact)
    yield from _major(major)
    yield from _rounds(rounds)
    for decision in decisions:
        case_id = decision.case_id
        if case_id not in major:
            continue
        snapshot = decision.payload.get("snapshot", "")
        cover = passed.get(case_id or 0, {}).get(snapshot)
        if not snapshot or cover is None or (cover.seq or 0) > (decision.seq or 0):
            yield Divergence(
                "cases_case",
                str(case_id),
                "stage",
                decision.seq,
                "重大执法决定的决定条目没有覆盖其草稿快照的法制审核通过意见",
            )


def _major(major: dict[int, Fact]) -> Iterable[Divergence]:
    files = dict(CaseReview.objects.values_list("case_id", "major"))
    for case_id, fact in sorted(major.items()):
        if not files.get(case_id):
            yield Divergence(
                "review_casereview",
                f"case={case_id}",
                "major",
                fact.seq,
                "账本记载本案为重大执法决定，表中未标记为重大",
            )
    for case_id, is_major in sorted(files.items()):
        if is_major and case_id not in major:
            yield Divergence(
                "review_casereview", f"case={case_id}", "major", None, "表中标记为重大，账本无记载"
            )


def _rounds(rounds: dict[tuple[int, int], dict[str, object]]) -> Iterable[Divergence]:
    table = {
        (case_id, number): (pk, status, fingerprint)
        for pk, case_id, number, status, fingerprint in ReviewRound.objects.values_list(
            "pk", "review__case_id", "number", "status", "fingerprint"
        )
    }
    for key in sorted(table.keys() - rounds.keys()):
        yield Divergence(
            "review_reviewround", str(table[key][0]), "id", None, "审核轮次在账本中没有提交条目"
        )
    for key, replayed in sorted(rounds.items()):
        seq = replayed.get("seq")
        seq = seq if isinstance(seq, int) else None
        if key not in table:
            yield Divergence(
                "review_reviewround",
                f"case={key[0]}/round={key[1]}",
                "id",
                seq,
                "账本记载的审核轮次在表中不存在",
            )
            continue
        pk, status, fingerprint = table[key]
        if replayed.get("status") and status != replayed["status"]:
            yield Divergence(
                "review_reviewround",
                str(pk),
                "status",
                seq,
                f"账本记载的审核状态为“{replayed['status']}”，表中为“{status}”",
            )
        if replayed.get("fingerprint") and fingerprint != replayed["fingerprint"]:
            yield Divergence(
                "review_reviewround", str(pk), "fingerprint", seq, "审核轮次所审草稿摘要与账本不符"
            )


RECONCILER = Reconciler("review", EVENT_TYPES, check)


def expected_triggers(vendor: str) -> list[ExpectedTrigger]:
    """The decision gate as migration 0003 installs it."""
    migration = importlib.import_module("sanxiang.review.migrations.0003_gate_on_decided_snapshot")
    if vendor == "sqlite":
        return sqlite_triggers([migration.SQLITE_CREATE])
    if vendor == "postgresql":
        body = pg_function_body(migration.POSTGRES_CREATE[0])
        return [ExpectedTrigger("review_decision_gate", "cases_case", body, ("UPDATE",))]
    return []
