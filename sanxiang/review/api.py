"""/api/v1/review: submit, assign, review, resubmit, history, flag, catalogue.

Staff use their signed-in session (password + TOTP); the same services as the web pages run.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from sanxiang.accounts.api_auth import StaffSession
from sanxiang.accounts.queries import home_agency, require_agency_access
from sanxiang.cases.queries import get_case_for
from sanxiang.directory.models import Agency
from sanxiang.lib.errors import DomainError

from . import checklist, queries, services
from .models import ReviewRound

router = Router(auth=StaffSession(), tags=["法制审核"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class SubmitIn(Schema):
    materials: dict[str, str]


class ResubmitIn(SubmitIn):
    response: str


class AssignIn(Schema):
    reviewer_id: int
    reason: str = ""


class MarkIn(Schema):
    code: str
    passed: bool
    problem: str = ""


class ReviewIn(Schema):
    checklist: list[MarkIn]
    agree: bool
    opinion: str
    required_changes: str = ""


class ReasonIn(Schema):
    reason: str


class FlagIn(Schema):
    reason: str
    note: str


class RoundOut(Schema):
    id: int
    number: int
    status: str
    status_label: str
    submitted_at: datetime
    response: str
    fingerprint: str
    draft_revision: int
    draft: dict[str, str]
    diff: list[dict[str, Any]]
    reviewer: str | None
    due_on: date
    extended: bool
    checklist: list[dict[str, Any]]
    opinion: str
    required_changes: str
    reviewed_at: datetime | None
    pdf_sha256: str


class GateOut(Schema):
    major: bool
    reasons: list[str]
    allowed: bool
    message: str


class HistoryOut(Schema):
    case_id: int
    number: str
    gate: GateOut
    escalated: bool
    rounds: list[RoundOut]


def _round_out(r: ReviewRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "status": r.status,
        "status_label": r.get_status_display(),
        "submitted_at": r.submitted_at,
        "response": r.response,
        "fingerprint": r.fingerprint,
        "draft_revision": r.draft_revision,
        "draft": r.draft,
        "diff": r.diff,
        "reviewer": r.reviewer.name if r.reviewer else None,
        "due_on": r.due_on,
        "extended": r.extended,
        "checklist": r.checklist,
        "opinion": r.opinion,
        "required_changes": r.required_changes,
        "reviewed_at": r.reviewed_at,
        "pdf_sha256": r.pdf_sha256,
    }


@router.post("/cases/{case_id}/submit", response={201: RoundOut}, summary="报送法制审核")
def submit(request: HttpRequest, case_id: int, payload: SubmitIn) -> Status[dict[str, Any]]:
    round_ = services.submit(actor=_actor(request), case_id=case_id, materials=payload.materials)
    return Status(201, _round_out(round_))


@router.post("/cases/{case_id}/resubmit", response={201: RoundOut}, summary="修改后重新报审")
def resubmit(request: HttpRequest, case_id: int, payload: ResubmitIn) -> Status[dict[str, Any]]:
    round_ = services.resubmit(
        actor=_actor(request),
        case_id=case_id,
        materials=payload.materials,
        response=payload.response,
    )
    return Status(201, _round_out(round_))


@router.post("/rounds/{round_id}/assign", response=RoundOut, summary="分配或改派审核人员")
def assign(request: HttpRequest, round_id: int, payload: AssignIn) -> dict[str, Any]:
    round_ = services.assign(
        actor=_actor(request),
        round_id=round_id,
        reviewer_id=payload.reviewer_id,
        reason=payload.reason,
    )
    return _round_out(round_)


@router.post("/rounds/{round_id}/review", response=RoundOut, summary="出具审核意见")
def review(request: HttpRequest, round_id: int, payload: ReviewIn) -> dict[str, Any]:
    round_ = services.review(
        actor=_actor(request),
        round_id=round_id,
        marks=[checklist.Mark(m.code, m.passed, m.problem) for m in payload.checklist],
        agree=payload.agree,
        opinion_text=payload.opinion,
        required_changes=payload.required_changes,
    )
    return _round_out(round_)


@router.post("/rounds/{round_id}/extend", response=RoundOut, summary="批准延长审核期限")
def extend(request: HttpRequest, round_id: int, payload: ReasonIn) -> dict[str, Any]:
    round_ = services.extend_deadline(
        actor=_actor(request), round_id=round_id, reason=payload.reason
    )
    return _round_out(round_)


@router.post("/rounds/{round_id}/dispute", response={204: None}, summary="对审核意见提出异议")
def dispute(request: HttpRequest, round_id: int, payload: ReasonIn) -> Status[None]:
    services.dispute(actor=_actor(request), round_id=round_id, reason=payload.reason)
    return Status(204, None)


@router.post("/cases/{case_id}/flag", response={204: None}, summary="认定为重大执法决定")
def flag(request: HttpRequest, case_id: int, payload: FlagIn) -> Status[None]:
    services.flag_major(
        actor=_actor(request), case_id=case_id, reason=payload.reason, note=payload.note
    )
    return Status(204, None)


@router.get("/cases/{case_id}/history", response=HistoryOut, summary="审核记录")
def history(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = get_case_for(_actor(request), case_id)
    status = queries.status_for(case)
    v = status.verdict
    return {
        "case_id": case.pk,
        "number": case.number,
        "gate": {
            "major": v.major,
            "reasons": v.reasons,
            "allowed": v.allowed,
            "message": v.message,
        },
        "escalated": status.escalated,
        "rounds": [_round_out(r) for r in queries.rounds_for(case)],
    }


class CatalogueIn(Schema):
    # Strings or numbers: the service refuses negative and non-numeric thresholds itself.
    fine_natural: str | int = "10000"
    fine_organisation: str | int = "100000"
    confiscation_value: str | int = "50000"
    licence_revocation: bool = True
    suspension: bool = True
    qualification_lowering: bool = True
    hearing_held: bool = True
    outside_benchmark: bool = True
    licence_refusal: bool = True
    licence_withdrawal: bool = True
    seizure_auction: bool = True
    review_days: int = 7
    extension_days: int = 3
    warn_days: int = 2
    valid_from: date
    note: str = ""


class CatalogueOut(Schema):
    agency_id: int
    number: int
    valid_from: date
    valid_to: date | None
    fine_natural: str
    fine_organisation: str
    confiscation_value: str
    review_days: int
    extension_days: int


def _catalogue_out(c: Any) -> dict[str, Any]:
    return {
        "agency_id": c.agency_id,
        "number": c.number,
        "valid_from": c.valid_from,
        "valid_to": c.valid_to,
        "fine_natural": f"{c.fine_natural:.2f}",
        "fine_organisation": f"{c.fine_organisation:.2f}",
        "confiscation_value": f"{c.confiscation_value:.2f}",
        "review_days": c.review_days,
        "extension_days": c.extension_days,
    }


@router.get("/catalogue/{agency_id}", response=CatalogueOut, summary="法制审核目录清单（按日期）")
def catalogue(request: HttpRequest, agency_id: int, as_of: date | None = None) -> dict[str, Any]:
    require_agency_access(_actor(request), agency_id)
    agency = Agency.objects.get(pk=agency_id)
    version = queries.catalogue_as_of(agency, as_of or timezone.localdate())
    if version is None:
        raise DomainError("not_found", "该日期尚未发布法制审核目录清单。")
    return _catalogue_out(version)


@router.post("/catalogue", response={201: CatalogueOut}, summary="发布目录清单新版本")
def publish(request: HttpRequest, payload: CatalogueIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    data = payload.dict()
    valid_from, note = data.pop("valid_from"), data.pop("note")
    for name in services.THRESHOLDS:
        data[name] = str(data[name])
    version = services.publish_catalogue(
        actor=actor,
        agency_id=home_agency(actor).pk,
        data=services.CatalogueData(**data),
        valid_from=valid_from,
        note=note,
    )
    return Status(201, _catalogue_out(version))
