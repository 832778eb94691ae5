"""Which rule of the 法制审核目录清单 makes a drafted decision major.

Pure: takes the catalogue's figures and the facts of the draft, returns the reasons in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

NATURAL = "natural"
ORGANISATION = "organisation"


class Catalogue(Protocol):
    fine_natural: Decimal
    fine_organisation: Decimal
    confiscation_value: Decimal
    licence_revocation: bool
    suspension: bool
    qualification_lowering: bool
    hearing_held: bool
    outside_benchmark: bool
    licence_refusal: bool
    licence_withdrawal: bool
    seizure_auction: bool


@dataclass(frozen=True)
class DraftFacts:
    kind: str
    fine_amount: Decimal | None = None
    confiscation_value: Decimal | None = None
    party_kinds: frozenset[str] = field(default_factory=frozenset)
    outside_benchmark: bool = False
    hearing_held: bool = False
    text: str = ""
    # Penalties imposed together with ``kind`` (并处): each is judged as if it were the kind.
    additional_kinds: tuple[str, ...] = ()


def yuan(amount: Decimal) -> str:
    """150000.00 → "150,000.00元" (for messages)."""
    return f"{amount:,.2f}元"


def _fine_reasons(cat: Catalogue, facts: DraftFacts) -> Iterable[str]:
    fine = facts.fine_amount
    if fine is None or fine <= 0:
        return
    # With no party recorded yet the lower (个人) threshold applies: the cautious reading.
    kinds = facts.party_kinds or frozenset({NATURAL})
    if ORGANISATION in kinds and fine >= cat.fine_organisation:
        yield f"对单位罚款{yuan(fine)}，达到目录清单标准（{yuan(cat.fine_organisation)}）"
    elif NATURAL in kinds and fine >= cat.fine_natural:
        yield f"对个人罚款{yuan(fine)}，达到目录清单标准（{yuan(cat.fine_natural)}）"


def evaluate(cat: Catalogue, facts: DraftFacts) -> list[str]:
    """The catalogue rules the draft meets, each as a sentence naming the rule."""
    reasons = list(_fine_reasons(cat, facts))
    value = facts.confiscation_value
    # "达到" everywhere: ≥, as for fines (the catalogue's figures are the smallest major ones).
    if value is not None and value >= cat.confiscation_value:
        reasons.append(
            f"没收违法所得、非法财物价值{yuan(value)}，达到目录清单标准"
            f"（{yuan(cat.confiscation_value)}）"
        )
    by_kind = {
        "licence_suspension": (cat.licence_revocation, "暂扣许可证件"),
        "licence_revocation": (cat.licence_revocation, "吊销许可证件"),
        "production_restriction": (cat.suspension, "限制开展生产经营活动"),
        "suspension": (cat.suspension, "责令停产停业"),
        "closure": (cat.suspension, "责令关闭"),
        "practice_restriction": (cat.suspension, "限制从业"),
        "qualification_lowering": (cat.qualification_lowering, "降低资质等级"),
        "licence_refusal": (cat.licence_refusal, "不予行政许可"),
        "licence_annulment": (cat.licence_withdrawal, "撤销行政许可"),
        "licence_withdrawal": (cat.licence_withdrawal, "撤回行政许可"),
    }
    for kind in (facts.kind, *facts.additional_kinds):
        enabled, label = by_kind.get(kind, (False, ""))
        if enabled:
            reasons.append(f"拟作出{label}决定")
    # The draft has no "auction" kind: a seizure (or other) draft whose text disposes of the
    # seized goods by auction (拍卖) is what the catalogue means by it.
    seizures = {"seizure", "seal", "detain", "freeze", "other"}
    if cat.seizure_auction and facts.kind in seizures and "拍卖" in facts.text:
        reasons.append("拟拍卖查封、扣押的财物")
    if cat.hearing_held and facts.hearing_held:
        reasons.append("案件经过听证程序")
    if cat.outside_benchmark and facts.outside_benchmark:
        reasons.append("拟作出的处罚超出裁量基准范围")
    return reasons
