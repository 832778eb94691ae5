"""The draft as the review sees it: a snapshot taken at each submission, and field-level diffs.

A passed review covers one snapshot hash (``cases.snapshots``): every field, the text included,
so a change to any of them needs a new round.
"""

from __future__ import annotations

import difflib
from typing import Any

LABELS = {
    "kind": "决定种类",
    "fine_amount": "罚款金额",
    "confiscation_value": "没收金额",
    "legal_basis": "法律依据",
    "violated_provision": "违反的条款",
    "parties": "当事人",
    "circumstance": "违法情节",
    "outside_benchmark": "超出裁量基准",
    "outside_reason": "超出基准理由",
    "text": "决定正文",
}


def _money(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def snapshot(draft: Any) -> dict[str, str]:
    """The draft's reviewable content as strings (stored with each round)."""
    parties = "；".join(
        f"{p.name}（{p.id_number or p.credit_code or '无证件号'}）"
        for p in draft.case.parties.order_by("pk")
    )
    return {
        "kind": draft.get_kind_display(),
        "fine_amount": _money(draft.fine_amount),
        "confiscation_value": _money(draft.confiscation_value),
        "legal_basis": draft.legal_basis,
        "violated_provision": draft.violated_provision,
        "parties": parties,
        "circumstance": draft.get_circumstance_display() if draft.circumstance else "",
        "outside_benchmark": "是" if draft.outside_benchmark else "否",
        "outside_reason": draft.outside_reason,
        "text": draft.text,
    }


def diff(before: dict[str, str], after: dict[str, str]) -> list[dict[str, Any]]:
    """Changed fields, each with its label, old and new value; the text also as a line diff."""
    changes: list[dict[str, Any]] = []
    for key, label in LABELS.items():
        old, new = before.get(key, ""), after.get(key, "")
        if old == new:
            continue
        change: dict[str, Any] = {
            "field": key,
            "label": label,
            "before": old,
            "after": new,
            "fingerprinted": True,
        }
        if key == "text":
            change["lines"] = list(
                difflib.unified_diff(
                    old.splitlines(), new.splitlines(), "上一轮", "本轮", lineterm="", n=1
                )
            )
        changes.append(change)
    return changes


def changed_labels(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [str(c["label"]) for c in diff(before, after) if c["fingerprinted"]]
