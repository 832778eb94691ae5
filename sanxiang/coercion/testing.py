"""Test set-up: a 查封、扣押 case's 清单 and draft recorded as officers would (services only)."""

from __future__ import annotations

from typing import Any

from sanxiang.cases.services import DraftData, save_draft

from .models import SeizureItem
from .services import ItemData, set_items

ITEMS = (
    ItemData("宗教宣传册《某某》", "1200", "册", "32开，彩色印刷", "本局物证保管室"),
    ItemData("宣传光盘", "85", "张", "", "本局物证保管室"),
)


def record_items(
    actor: Any, case_id: int, items: tuple[ItemData, ...] = ITEMS
) -> list[SeizureItem]:
    return set_items(actor=actor, case_id=case_id, items=items)


def prepare_seizure(actor: Any, case_id: int) -> None:
    """The 清单 and the decision draft a 查封、扣押 needs before the head approves it."""
    record_items(actor, case_id)
    save_draft(
        actor=actor,
        case_id=case_id,
        data=DraftData(
            kind="seizure",
            violated_provision="《宗教事务条例》第四十五条第二款",
            legal_basis="《宗教事务条例》第六十八条",
            text="扣押涉嫌非法的宗教宣传品。",
        ),
    )
