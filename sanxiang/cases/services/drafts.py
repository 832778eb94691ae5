"""The decision draft: kinds per procedure, 简易程序 limits, 裁量基准, its snapshot.

Each save stores an immutable snapshot of the whole draft (``cases.snapshots``); the draft's
``fingerprint`` is that snapshot's hash, which the review reviews and the decision records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import StageRole

from .. import snapshots
from ..models import (
    PENALTY_KINDS,
    Case,
    Circumstance,
    DecisionDraft,
    DecisionKind,
    DiscretionBenchmark,
    DiscretionBenchmarkVersion,
    PartyKind,
    allowed_kinds,
    threshold_class,
)
from ..queries import benchmark_on, get_case_for, had_role
from .common import local_today, may_take, parse_amount

# 行政处罚法 第51条: 当场处罚 only for a warning, or a fine up to 200 元 (person) / 3,000 元 (unit).
SUMMARY_FINE_LIMIT = {PartyKind.NATURAL: Decimal("200"), PartyKind.ORGANISATION: Decimal("3000")}


KINDS_BY_CATEGORY = {
    "penalty": {*PENALTY_KINDS, DecisionKind.NO_PENALTY, DecisionKind.OTHER},
    "licence": {
        DecisionKind.LICENCE_GRANT,
        DecisionKind.LICENCE_REFUSAL,
        DecisionKind.LICENCE_ANNULMENT,
        DecisionKind.LICENCE_WITHDRAWAL,
    },
    "coercion": {DecisionKind.SEAL, DecisionKind.DETAIN, DecisionKind.FREEZE, DecisionKind.SEIZURE},
}
# A category with no list of its own (行政确认, 裁决 … added as new procedures) decides "其他".
OTHER_KINDS = {DecisionKind.OTHER}


@dataclass(frozen=True)
class DraftData:
    kind: str
    fine_amount: Decimal | str | None = None
    confiscation_value: Decimal | str | None = None
    legal_basis: str = ""
    violated_provision: str = ""
    circumstance: str = ""
    outside_reason: str = ""
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Penalties imposed together with ``kind`` (并处), e.g. 罚款 with 没收违法所得.
    additional_kinds: tuple[str, ...] | list[str] = ()


def check_summary_limit(case: Case, kind: str, fine: Decimal | None) -> None:
    """行政处罚法 第51条: 当场处罚 only for a warning or a small fine, else ordinary procedure."""
    if kind == DecisionKind.WARNING:
        return
    if kind != DecisionKind.FINE:
        raise ValidationFailed("简易程序只能给予警告或者罚款。", field="kind")
    kinds = {threshold_class(k) for k in case.parties.values_list("kind", flat=True)}
    party_kind = PartyKind.ORGANISATION if PartyKind.ORGANISATION in kinds else PartyKind.NATURAL
    limit = SUMMARY_FINE_LIMIT[party_kind]
    if fine is not None and fine > limit:
        who = "法人或者其他组织" if party_kind == PartyKind.ORGANISATION else "公民"
        raise ValidationFailed(
            f"简易程序对{who}当场罚款不得超过{limit:,.0f}元，请转为普通程序。",
            field="fine_amount",
        )


def fingerprint(draft: DecisionDraft) -> str:
    """The draft's snapshot hash as it would be now: every field, the text and the parties."""
    return snapshots.current_hash(draft)


def _benchmark(
    case: Case, circumstance: str
) -> DiscretionBenchmark | DiscretionBenchmarkVersion | None:
    """The line in force today (the draft is checked now; the decision again on its day)."""
    if not circumstance:
        return None
    if circumstance not in Circumstance.values:
        raise ValidationFailed("违法情节无效。", field="circumstance")
    return benchmark_on(case.matter_id, circumstance, local_today())


def _additional_kinds(case: Case, data: DraftData) -> str:
    """The further penalties (并处) as ",a,b," in the statute's order; "" when none."""
    extra = set(data.additional_kinds) - {data.kind}
    if not extra:
        return ""
    if data.kind not in PENALTY_KINDS or not extra <= set(PENALTY_KINDS):
        raise ValidationFailed("只有行政处罚决定可以并处其他处罚种类。", field="additional_kinds")
    if case.definition.on_the_spot:
        raise ValidationFailed("简易程序只能给予警告或者罚款，不能并处。", field="additional_kinds")
    return "," + ",".join(k for k in PENALTY_KINDS if k in extra) + ","


def _needs_circumstance(case: Case, data: DraftData) -> bool:
    """A fine is checked against its band; so is every penalty once the matter's lines name
    the kinds they allow (a 警告 too is given under a circumstance of the 裁量基准)."""
    if data.kind == DecisionKind.FINE:
        return case.matter.benchmarks.exists()
    if data.kind in PENALTY_KINDS:
        return case.matter.benchmarks.exclude(penalty_kinds="").exists()
    return False


# Kinds that cannot both be imposed for one act: the second makes the first void or empty.
CONFLICTING_KINDS = (
    (DecisionKind.LICENCE_SUSPENSION, DecisionKind.LICENCE_REVOCATION, "吊销的许可证件无从暂扣"),
    (DecisionKind.QUALIFICATION_LOWERING, DecisionKind.LICENCE_REVOCATION, "吊销后无资质可降"),
    (DecisionKind.SUSPENSION, DecisionKind.CLOSURE, "责令关闭的不再责令停产停业"),
    (DecisionKind.PRODUCTION_RESTRICTION, DecisionKind.CLOSURE, "责令关闭的不再限制生产经营"),
)


def _check_kinds(
    kinds: list[str], bench: DiscretionBenchmark | DiscretionBenchmarkVersion | None
) -> None:
    """The penalties of one draft (its kind and 并处) against each other and against the
    裁量基准 line of the circumstance chosen, which names the kinds the matter's 罚则 allows
    for it (行政处罚法 第9条; 第34条: 裁量基准 to be followed)."""
    labels = dict(DecisionKind.choices)
    for first, second, why in CONFLICTING_KINDS:
        if first in kinds and second in kinds:
            raise DomainError(
                "penalty_kinds_conflict",
                f"“{labels[first]}”与“{labels[second]}”不能对同一违法行为同时给予：{why}。",
                field="additional_kinds",
            )
    allowed = allowed_kinds(bench) if bench is not None else []
    outside = [k for k in kinds if allowed and k not in allowed]
    if bench is not None and outside:
        raise DomainError(
            "penalty_kind_outside_benchmark",
            f"裁量基准“{bench.get_circumstance_display()}”情节只规定了"
            f"{'、'.join(str(labels[k]) for k in allowed)}，不能给予"
            f"{'、'.join(str(labels[k]) for k in outside)}"
            "（行政处罚法第三十四条：按裁量基准处罚）。",
            field="kind" if outside[0] == kinds[0] else "additional_kinds",
        )


def _draft_values(case: Case, data: DraftData) -> dict[str, Any]:
    """Check a draft against the procedure, 简易程序 limits and the 裁量基准; return its fields."""
    if data.kind not in KINDS_BY_CATEGORY.get(case.definition.category, OTHER_KINDS):
        raise ValidationFailed("该程序不能作出此种决定。", field="kind")
    fine = parse_amount(data.fine_amount, "fine_amount")
    conf = parse_amount(data.confiscation_value, "confiscation_value")
    if data.kind == DecisionKind.FINE and not fine:
        raise ValidationFailed("罚款决定须填写罚款金额。", field="fine_amount")
    if case.definition.on_the_spot:
        check_summary_limit(case, data.kind, fine)
    bench = _benchmark(case, data.circumstance)
    if bench is None and _needs_circumstance(case, data):
        raise ValidationFailed("本事项有裁量基准，请选择违法情节。", field="circumstance")
    additional = _additional_kinds(case, data)
    if data.kind in PENALTY_KINDS:  # the kinds first: a band that allows no fine has no range
        _check_kinds([data.kind, *(k for k in additional.split(",") if k)], bench)
    outside = (
        bench is not None and fine is not None and not bench.fine_min <= fine <= bench.fine_max
    )
    reason = data.outside_reason.strip()
    if outside and bench is not None and not reason:
        raise ValidationFailed(
            f"罚款超出裁量基准（{bench.fine_min:,.2f}—{bench.fine_max:,.2f}元），须书面说明理由。",
            field="outside_reason",
        )
    return {
        "kind": data.kind,
        "penalty_kinds": additional,
        "fine_amount": fine,
        "confiscation_value": conf,
        "legal_basis": data.legal_basis.strip(),
        "violated_provision": data.violated_provision.strip(),
        "circumstance": data.circumstance,
        "benchmark_min": bench.fine_min if bench else None,
        "benchmark_max": bench.fine_max if bench else None,
        "outside_benchmark": outside,
        "outside_reason": reason if outside else "",
        "text": data.text,
        "updated_at": timezone.now(),
    }


@transaction.atomic(durable=True)
def save_draft(*, actor: User, case_id: int, data: DraftData) -> DecisionDraft:
    """Save the decision draft; a fine outside the 裁量基准 needs a written reason (flagged)."""
    case = get_case_for(actor, case_id, write=True)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以起草决定。")
    if had_role(case, StageRole.DECISION):
        raise DomainError("conflict", "决定已作出，草稿不能再修改。")
    values = _draft_values(case, data)
    draft = DecisionDraft.objects.select_for_update().filter(case=case).first()
    if draft is None:
        draft = DecisionDraft(case=case, revision=1, **values)
    else:
        for name, value in values.items():
            setattr(draft, name, value)
        draft.revision += 1
    # The snapshot is taken from the draft in memory, so the row is written once, with the
    # fingerprint of exactly what it holds.
    snapshot = snapshots.take(draft)
    draft.fingerprint = snapshot.hash
    draft.save()
    append(
        event_type="case.draft_saved",
        payload={
            "number": case.number,
            "revision": draft.revision,
            "kind": draft.kind,
            "fine_amount": draft.fine_amount,
            "outside_benchmark": draft.outside_benchmark,
            "fingerprint": draft.fingerprint,
            "snapshot": snapshot.hash,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return draft
