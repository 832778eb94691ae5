"""/api/v1/cases: create, read and list cases, transitions, the draft, deadlines.

Staff use their signed-in session (password + TOTP); the same services as the web pages run.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from sanxiang.accounts.api_auth import StaffSession

from . import order, queries, services
from .models import Case, DecisionDraft

router = Router(auth=StaffSession(), tags=["案件"])


class PartyIn(Schema):
    kind: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    address: str = ""
    phone: str = ""
    is_minor: bool | None = None


class CaseIn(Schema):
    matter_id: int
    procedure: str
    title: str
    source: str
    facts: str = ""
    opened_on: date
    team: list[int]
    parties: list[PartyIn]
    # 时效 (行政处罚法 第36条): the day the act happened or ended, when it was discovered
    # (default: the filing day), and the period (2 years unless limitation_basis says why not).
    violation_on: date | None = None
    discovered_on: date | None = None
    limitation_years: int = 2
    limitation_basis: str = ""


class PartyOut(Schema):
    kind: str
    name: str
    id_number: str
    credit_code: str
    is_minor: bool


class MemberOut(Schema):
    officer_id: int
    name: str
    certificate_no: str
    is_lead: bool
    recused: bool


class StepOut(Schema):
    target: str
    label: str
    head_approval: bool


class CaseOut(Schema):
    id: int
    number: str
    title: str
    procedure: str
    stage: str
    stage_label: str
    matter_id: int
    agency_id: int
    source: str
    opened_on: date
    decided_on: date | None
    closed_on: date | None


class DraftOut(Schema):
    kind: str
    fine_amount: Decimal | None
    confiscation_value: Decimal | None
    legal_basis: str
    violated_provision: str
    circumstance: str
    benchmark_min: Decimal | None
    benchmark_max: Decimal | None
    outside_benchmark: bool
    outside_reason: str
    revision: int
    fingerprint: str
    updated_at: datetime


class PeriodOut(Schema):
    """A period the decision waits for (行政处罚法 第45、64条): ``holds_back`` while it runs."""

    code: str
    label: str
    starts_on: date
    ends_on: date
    basis: str
    answered: str
    holds_back: bool


class CaseDetailOut(CaseOut):
    facts: str
    parties: list[PartyOut]
    team: list[MemberOut]
    next_steps: list[StepOut]
    draft: DraftOut | None
    periods: list[PeriodOut]


class TransitionIn(Schema):
    target: str
    note: str = ""
    expected_stage: str | None = None
    on: date | None = None


class DefenceIn(Schema):
    kind: str  # statement | waiver | hearing_waiver (cases.order.ANSWERS)
    on: date | None = None
    note: str = ""


class DraftIn(Schema):
    kind: str
    # Strings: the service parses money and refuses negatives, text and fractions of a fen.
    fine_amount: str | None = None
    confiscation_value: str | None = None
    legal_basis: str = ""
    violated_provision: str = ""
    circumstance: str = ""
    outside_reason: str = ""
    text: str = ""


class DeadlineOut(Schema):
    id: int
    rule: str
    label: str
    basis: str
    days: int
    unit: str
    starts_on: date
    due_on: date
    status: str
    level: str
    stopped_on: date | None


def _out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "procedure": case.procedure,
        "stage": case.stage,
        "stage_label": case.stage_label,
        "matter_id": case.matter_id,
        "agency_id": case.agency_id,
        "source": case.source,
        "opened_on": case.opened_on,
        "decided_on": case.decided_on,
        "closed_on": case.closed_on,
    }


def _detail(case: Case) -> dict[str, Any]:
    draft = DecisionDraft.objects.filter(case=case).first()
    today = timezone.localdate()
    return {
        **_out(case),
        "facts": case.facts,
        "parties": list(case.parties.all()),
        "team": [
            {
                "officer_id": m.officer_id,
                "name": m.officer.name,
                "certificate_no": m.officer.certificate_no,
                "is_lead": m.is_lead,
                "recused": m.recused,
            }
            for m in queries.team(case)
        ],
        "next_steps": [
            {"target": s.target, "label": s.label, "head_approval": s.head_approval}
            for s in case.definition.next_steps(case.stage)
        ],
        "draft": draft,
        "periods": [
            {
                "code": p.rule.code,
                "label": p.label,
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "basis": p.basis,
                "answered": p.answered,
                "holds_back": p.holds_back(today),
            }
            for p in order.periods(case)
        ],
    }


@router.post("", response={201: CaseDetailOut}, summary="立案登记")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    case = services.open_case(
        actor=request.auth,  # type: ignore[attr-defined]
        matter_id=payload.matter_id,
        procedure=payload.procedure,
        title=payload.title,
        source=payload.source,
        facts=payload.facts,
        parties=[services.PartyData(**p.dict()) for p in payload.parties],
        team=payload.team,
        opened_on=payload.opened_on,
        limitation=services.Limitation(
            violation_on=payload.violation_on,
            discovered_on=payload.discovered_on,
            years=payload.limitation_years,
            basis=payload.limitation_basis,
        )
        if payload.violation_on
        else None,
    )
    return Status(201, _detail(case))


@router.get("", response=list[CaseOut], summary="案件列表")
def list_cases(
    request: HttpRequest,
    stage: str = "",
    open_only: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=10**9),  # SQLite refuses an OFFSET past 64 bits
) -> list[dict[str, Any]]:
    rows = queries.my_cases(request.auth).order_by("-pk")  # type: ignore[attr-defined]
    if stage:
        rows = rows.filter(stage=stage)
    if open_only:
        rows = queries.open_cases(rows)
    limit = max(1, min(limit, 200))
    return [_out(c) for c in rows[max(offset, 0) : max(offset, 0) + limit]]


@router.get("/{case_id}", response=CaseDetailOut, summary="案件详情")
def read_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _detail(queries.get_case_for(request.auth, case_id))  # type: ignore[attr-defined]


@router.post("/{case_id}/transitions", response=CaseDetailOut, summary="办理下一步")
def transition_case(request: HttpRequest, case_id: int, payload: TransitionIn) -> dict[str, Any]:
    case = services.transition(
        actor=request.auth,  # type: ignore[attr-defined]
        case_id=case_id,
        target=payload.target,
        note=payload.note,
        expected_stage=payload.expected_stage,
        on=payload.on,
    )
    return _detail(case)


class ClosingRequestIn(Schema):
    note: str = ""
    expected_stage: str | None = None


@router.post("/{case_id}/closing-request", response=CaseDetailOut, summary="报请结案")
def request_closing(
    request: HttpRequest, case_id: int, payload: ClosingRequestIn
) -> dict[str, Any]:
    """The officer asks for 结案; the head then takes the step into 结案 (``/transitions``)."""
    actor = request.auth  # type: ignore[attr-defined]
    services.request_closing(
        actor=actor, case_id=case_id, note=payload.note, expected_stage=payload.expected_stage
    )
    return _detail(queries.get_case_for(actor, case_id))


@router.post("/{case_id}/defence", response=CaseDetailOut, summary="记录陈述申辩或书面放弃")
def record_defence(request: HttpRequest, case_id: int, payload: DefenceIn) -> dict[str, Any]:
    actor = request.auth  # type: ignore[attr-defined]
    services.record_defence(
        actor=actor, case_id=case_id, kind=payload.kind, on=payload.on, note=payload.note
    )
    return _detail(queries.get_case_for(actor, case_id))


class PartyAddIn(PartyIn):
    pass


@router.post("/{case_id}/parties", response={201: CaseDetailOut}, summary="增加当事人")
def add_party(request: HttpRequest, case_id: int, payload: PartyAddIn) -> Status[dict[str, Any]]:
    actor = request.auth  # type: ignore[attr-defined]
    data = services.PartyData(**payload.dict())
    services.add_party(actor=actor, case_id=case_id, data=data)
    return Status(201, _detail(queries.get_case_for(actor, case_id)))


@router.put("/{case_id}/draft", response=DraftOut, summary="保存决定草稿")
def put_draft(request: HttpRequest, case_id: int, payload: DraftIn) -> DecisionDraft:
    data = services.DraftData(**payload.dict())
    return services.save_draft(actor=request.auth, case_id=case_id, data=data)  # type: ignore[attr-defined]


@router.get("/{case_id}/deadlines", response=list[DeadlineOut], summary="办案时限")
def list_deadlines(request: HttpRequest, case_id: int) -> list[Any]:
    case = queries.get_case_for(request.auth, case_id)  # type: ignore[attr-defined]
    return list(queries.deadlines_of(case, timezone.localdate()))


class ExtensionIn(Schema):
    """行政许可法 第42条 (rule ``decide``), 行政强制法 第25条 (rule ``seizure``)."""

    reason: str
    days: int | None = None  # the law's most by default
    on: date | None = None


@router.post(
    "/{case_id}/deadlines/{rule}/extension",
    response=list[DeadlineOut],
    summary="负责人批准延长期限（仅一次）",
)
def extend_deadline(
    request: HttpRequest, case_id: int, rule: str, payload: ExtensionIn
) -> list[Any]:
    actor = request.auth  # type: ignore[attr-defined]
    services.extend_deadline(
        actor=actor,
        case_id=case_id,
        rule=rule,
        reason=payload.reason,
        days=payload.days,
        on=payload.on,
    )
    case = queries.get_case_for(actor, case_id)
    return list(queries.deadlines_of(case, timezone.localdate()))


# The execution's endpoints (payments, 延期/分期, the court, 终结) join this router.
from . import execution_api as execution_api  # noqa: E402
