"""The party's answer to the 告知, put on record (行政处罚法 第45条, 第62条, 第64条)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from sanxiang.accounts.models import Role, User
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import StageRole

from .. import order
from ..queries import get_case_for
from .common import local_today, may_take


@transaction.atomic(durable=True)
def record_defence(
    *, actor: User, case_id: int, kind: str, on: date | None = None, note: str = ""
) -> None:
    """Record that the party stated its defence, or waived it (or the hearing) in writing.

    Only after the 告知 and before the decision; the entry (``case.defence_recorded``) is what
    ends the waiting periods of ``cases.order`` early.
    """
    case = get_case_for(actor, case_id, write=True)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以记录陈述申辩。")
    if kind not in order.ANSWERS:
        raise ValidationFailed("记录类型无效。", field="kind")
    definition = case.definition
    if not definition.has_role(case.stage, StageRole.NOTICE, StageRole.DEFENCE, StageRole.HEARING):
        raise DomainError(
            "conflict",
            f"案件处于“{case.stage_label}”，只能在告知之后、作出决定之前记录陈述申辩或放弃。",
        )
    notified = order.notice_day(case, definition)
    day = on or local_today()
    if notified is None or day < notified:
        raise ValidationFailed("记录日期不能早于告知日期。", field="on")
    if day > local_today():
        raise ValidationFailed("记录日期不能晚于今天。", field="on")
    if kind in {"waiver", "hearing_waiver"} and not note.strip():
        raise ValidationFailed("书面放弃须注明放弃书的情况（如签收日期、页数）。", field="note")
    append(
        event_type="case.defence_recorded",
        payload={"number": case.number, "kind": kind, "on": day, "note": note.strip()},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
