"""移送司法机关 (行政处罚法 第27条): a case whose facts suspect a crime is handed to the organ
that investigates it. The officer names the receiving organ and the grounds
(``prepare_transfer``, one ledger entry ``case.transfer_prepared``: the ledger is the record);
the 案件移送书 prints the latest (``transfer_text``, registered with the documents app), and the
head's step from 审查 into 结案 requires that document (procedures.definitions).
"""

from __future__ import annotations

import json

from django.db import transaction

from sanxiang.accounts.models import Role, User
from sanxiang.ledger.models import Entry
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import StageRole

from .models import Case
from .queries import get_case_for
from .services.common import may_take

EVENT = "case.transfer_prepared"


@transaction.atomic(durable=True)
def prepare_transfer(*, actor: User, case_id: int, organ: str, grounds: str) -> None:
    """Record the organ a case is to be handed to and why, while the case is under review."""
    case = get_case_for(actor, case_id, write=True)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以拟制案件移送书。")
    if not case.definition.has_role(case.stage, StageRole.REVIEW):
        raise DomainError(
            "conflict", f"案件处于“{case.stage_label}”，只能在审查阶段决定移送司法机关。"
        )
    organ, grounds = organ.strip(), grounds.strip()
    if not organ:
        raise ValidationFailed("请填写接收移送的司法机关。", field="organ")
    if not grounds:
        raise ValidationFailed("请写明涉嫌犯罪的事实和理由（行政处罚法 第27条）。", field="grounds")
    append(
        event_type=EVENT,
        payload={"number": case.number, "organ": organ, "grounds": grounds},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )


def transfer_text(case: Case) -> str:
    """What the 案件移送书 prints (documents ``register_sheet_text``): ``label：value`` lines."""
    raw = (
        Entry.objects.filter(case_id=case.pk, event_type=EVENT)
        .order_by("-id")
        .values_list("payload", flat=True)
        .first()
    )
    if raw is None:
        return ""
    payload = json.loads(raw)
    return f"接收机关：{payload['organ']}\n移送理由：{payload['grounds']}"
