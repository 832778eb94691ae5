"""报请结案: the officer asks for 结案, the head closes the case or sends the request back.

结案 is the head's step (the 结案审批表 is signed by the 负责人; ``procedures.definitions``
refuses a definition whose step into 结案 is not a head approval). As with 立案, the officer
prepares and the head decides: the request puts the case in the head's 待办 (``cases.inbox``),
and the head's ``transition`` into 结案 settles it in the same transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_role
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures import engine

from ..models import Case, ClosingRequest, ClosingRequestStatus
from ..queries import get_case_for
from .common import local_today, may_take

OFFICERS = frozenset({Role.OFFICER})


def pending_request(case: Case) -> ClosingRequest | None:
    return ClosingRequest.objects.filter(case=case, status=ClosingRequestStatus.PENDING).first()


@transaction.atomic(durable=True)
def request_closing(
    *, actor: User, case_id: int, note: str = "", expected_stage: str | None = None
) -> ClosingRequest:
    """An officer of the case team asks the head for 结案 from the case's current stage.

    The step's guards run now (a decision not yet executed is refused here, not only when the
    head signs), so the head is asked only for a 结案 that can be taken."""
    case = get_case_for(actor, case_id, write=True)
    definition = case.definition
    if expected_stage is not None and expected_stage != case.stage:
        raise DomainError(
            "conflict", f"案件已处于“{definition.label_of(case.stage)}”，请刷新后再操作。"
        )
    if not may_take(actor, case, OFFICERS, head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员可以报请结案。")
    step = definition.closing_step(case.stage)
    if step is None:
        raise DomainError("transition_not_allowed", f"当前阶段“{case.stage_label}”不能报请结案。")
    engine.run_guards(
        engine.GuardContext(
            case=case,
            definition=definition,
            source=case.stage,
            target=step.target,
            actor=actor,
            on=local_today(),
        )
    )
    try:
        with transaction.atomic():
            request = ClosingRequest.objects.create(
                case=case,
                stage=case.stage,
                target=step.target,
                requested_by=actor,
                note=note.strip(),
            )
    except IntegrityError:
        raise DomainError("conflict", "本案已报请结案，正等待负责人审批。") from None
    append(
        event_type="case.closing_requested",
        payload={"number": case.number, "stage": case.stage, "step": step.label, "note": note},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return request


@transaction.atomic(durable=True)
def return_closing(*, actor: User, case_id: int, note: str) -> ClosingRequest:
    """The head sends a 结案 request back, saying why (the officer sees it on the case)."""
    case = get_case_for(actor, case_id, write=True)
    require_role(actor, Role.HEAD)
    if not note.strip():
        raise ValidationFailed("请填写退回理由。", field="note")
    request = pending_request(case)
    if request is None:
        raise DomainError("conflict", "本案没有待审批的结案申请。")
    updated = ClosingRequest.objects.filter(
        pk=request.pk, status=ClosingRequestStatus.PENDING
    ).update(
        status=ClosingRequestStatus.RETURNED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=note.strip(),
    )
    if updated != 1:
        raise DomainError("conflict", "该结案申请已处理，请刷新后再操作。")
    request.refresh_from_db()
    append(
        event_type="case.closing_returned",
        payload={"number": case.number, "request": request.pk, "note": note},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return request


def settle_request(*, case: Case, actor: User, closes: bool) -> int | None:
    """Inside ``transition``: a step into 结案 approves the waiting request; any other step
    leaves it behind (the case moved on). Returns the request settled, if any."""
    # Asked on every transition: the waiting request's id only (most cases have none).
    waiting = ClosingRequest.objects.filter(case=case, status=ClosingRequestStatus.PENDING)
    pk = next(iter(waiting.values_list("pk", flat=True)[:1]), None)
    if pk is None:
        return None
    status = ClosingRequestStatus.APPROVED if closes else ClosingRequestStatus.SUPERSEDED
    ClosingRequest.objects.filter(pk=pk, status=ClosingRequestStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=timezone.now()
    )
    return int(pk)
