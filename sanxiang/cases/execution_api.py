"""/api/v1/cases/{id}/execution and its writes: payments, 延期/分期, the court, 终结执行.

The endpoints join the cases router (imported at the end of ``api.py``); each calls one
service of ``services/execution.py`` and answers with the execution as ``execution.schedule``
computes it today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from . import execution as ex
from . import queries, services
from .api import router


class PaymentIn(Schema):
    receipt_number: str
    amount: str  # text: the service parses money exactly (no floats)
    paid_on: date
    note: str = ""


class InstalmentIn(Schema):
    due_on: date
    amount: str


class ArrangementIn(Schema):
    kind: str  # deferral | instalments
    on: date
    due_on: date | None = None
    instalments: list[InstalmentIn] = []
    note: str = ""


class EnforcementIn(Schema):
    on: date
    note: str = ""


class TerminationIn(Schema):
    reason: str  # a key of execution.TERMINATION_REASONS (行政强制法 第40条)
    on: date
    note: str


class PaymentOut(Schema):
    id: int
    receipt_number: str
    amount: str
    paid_on: date


class RecordOut(Schema):
    id: int
    kind: str
    label: str
    on: date
    due_on: date | None
    reason: str
    note: str


class ExecutionOut(Schema):
    owed: bool
    fine: str | None
    delivered_on: date | None
    base_due_on: date | None
    due_on: date | None
    days_late: int
    surcharge: str
    total_due: str
    paid: str
    outstanding: str
    executed: bool
    court_from: date | None
    court_until: date | None
    payments: list[PaymentOut]
    records: list[RecordOut]
    bases: dict[str, str]


def execution_out(case: Any) -> dict[str, Any]:
    s = ex.schedule(case)
    return {
        "owed": s.owed,
        "fine": str(s.fine) if s.fine is not None else None,
        "delivered_on": s.delivered_on,
        "base_due_on": s.base_due_on,
        "due_on": s.due_on,
        "days_late": s.days_late,
        "surcharge": str(s.surcharge),
        "total_due": str(s.total_due),
        "paid": str(s.paid),
        "outstanding": str(s.outstanding),
        "executed": s.executed,
        "court_from": s.court_from,
        "court_until": s.court_until,
        "payments": [
            {
                "id": p.pk,
                "receipt_number": p.receipt_number,
                "amount": str(p.amount),
                "paid_on": p.paid_on,
            }
            for p in s.payments
        ],
        "records": [
            {
                "id": r.pk,
                "kind": r.kind,
                "label": r.get_kind_display(),
                "on": r.on,
                "due_on": r.due_on,
                "reason": r.reason,
                "note": r.note,
            }
            for r in s.records
        ],
        "bases": {
            "pay": ex.PAY_BASIS,
            "arrangement": ex.ARRANGEMENT_BASIS,
            "surcharge": ex.SURCHARGE_BASIS,
            "court": ex.COURT_BASIS,
            "reminder": ex.REMINDER_BASIS,
        },
    }


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("/{case_id}/execution", response=ExecutionOut, summary="执行情况")
def read_execution(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return execution_out(queries.get_case_for(_actor(request), case_id))


@router.post("/{case_id}/payments", response=ExecutionOut, summary="登记缴款（缴款书）")
def record_payment(request: HttpRequest, case_id: int, payload: PaymentIn) -> dict[str, Any]:
    actor = _actor(request)
    services.record_payment(actor=actor, case_id=case_id, **payload.dict())
    return execution_out(queries.get_case_for(actor, case_id))


@router.post(
    "/{case_id}/execution/arrangement", response=ExecutionOut, summary="批准延期或分期缴纳"
)
def approve_arrangement(
    request: HttpRequest, case_id: int, payload: ArrangementIn
) -> dict[str, Any]:
    actor = _actor(request)
    services.approve_arrangement(
        actor=actor,
        case_id=case_id,
        kind=payload.kind,
        on=payload.on,
        due_on=payload.due_on,
        instalments=[(i.due_on, i.amount) for i in payload.instalments],
        note=payload.note,
    )
    return execution_out(queries.get_case_for(actor, case_id))


@router.post(
    "/{case_id}/execution/enforcement", response=ExecutionOut, summary="申请人民法院强制执行"
)
def apply_for_enforcement(
    request: HttpRequest, case_id: int, payload: EnforcementIn
) -> dict[str, Any]:
    actor = _actor(request)
    services.apply_for_enforcement(actor=actor, case_id=case_id, on=payload.on, note=payload.note)
    return execution_out(queries.get_case_for(actor, case_id))


@router.post(
    "/{case_id}/execution/enforcement-concluded", response=ExecutionOut, summary="强制执行完毕"
)
def conclude_enforcement(
    request: HttpRequest, case_id: int, payload: EnforcementIn
) -> dict[str, Any]:
    actor = _actor(request)
    services.conclude_enforcement(actor=actor, case_id=case_id, on=payload.on, note=payload.note)
    return execution_out(queries.get_case_for(actor, case_id))


@router.post("/{case_id}/execution/termination", response=ExecutionOut, summary="终结执行")
def terminate_execution(
    request: HttpRequest, case_id: int, payload: TerminationIn
) -> dict[str, Any]:
    actor = _actor(request)
    services.terminate_execution(actor=actor, case_id=case_id, **payload.dict())
    return execution_out(queries.get_case_for(actor, case_id))
