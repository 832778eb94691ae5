"""/api/v1/disclosure: the publication queue for staff (same services as the pages) and the
published decisions as open data for anyone (the provincial platform reads these)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from sanxiang.accounts.api_auth import StaffSession
from sanxiang.accounts.decorators import acting_user
from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.lib.errors import DomainError

from . import queries, services
from .models import ExclusionKind, Publication, WithdrawalKind

router = Router(auth=StaffSession(), tags=["公示"])
OPEN_LIMIT = 100


class ItemOut(Schema):
    id: int
    status: str
    doc_number: str
    party: str
    matter: str
    outcome: str
    agency: str
    decided_on: date
    amount: Decimal | None
    due_on: date | None
    calendar_gap_year: int | None
    published_at: datetime | None
    warning: str = ""
    note: str = ""


class PublishedOut(Schema):
    id: int
    doc_number: str
    party: str
    matter: str
    outcome: str
    agency: str
    decided_on: date
    amount: Decimal | None
    published_at: datetime | None


class ExcludeIn(Schema):
    kind: ExclusionKind
    reason: str


class WithdrawIn(Schema):
    reason_kind: WithdrawalKind
    reason: str
    revoked_on: date | None = None


class SearchIn(Schema):
    q: str = ""
    agency: str = ""
    date_from: str = ""
    date_to: str = ""
    # Bounded: an OFFSET past SQLite's integer range was a server error (found by schemathesis).
    page: int = Field(1, le=10_000)


def _out(item: Publication, warning: str = "", note: str = "") -> dict[str, Any]:
    return {
        "id": item.pk,
        "status": item.status,
        "doc_number": item.doc_number,
        "party": item.party,
        "matter": item.matter_name,
        "outcome": item.outcome,
        "agency": item.agency_name,
        "decided_on": item.decided_on,
        "amount": item.amount,
        "due_on": item.due_on,
        "calendar_gap_year": item.calendar_gap_year,
        "published_at": item.published_at,
        "warning": warning,
        "note": note,
    }


def _item_id(request: HttpRequest, pk: int) -> int:
    found = Publication.objects.filter(pk=pk).values_list("agency_id", flat=True).first()
    if found is None or found not in visible_agency_ids(request.user):
        raise DomainError("not_found", "未找到该公示事项，或无权访问。")
    return pk


@router.get("/queue", response=list[ItemOut], summary="待公示与待撤回（含黄色、红色预警）")
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    rows = queries.queue_for(visible_agency_ids(request.user), timezone.localdate())
    return [_out(r.item, r.level, r.note) for r in rows]


@router.post("/{pk}/publish", response=ItemOut, summary="公示")
def publish(request: HttpRequest, pk: int) -> dict[str, Any]:
    item_id = _item_id(request, pk)
    return _out(services.publish(actor=acting_user(request), publication_id=item_id))


@router.post("/{pk}/exclude", response=ItemOut, summary="不予公示（记录原因）")
def exclude(request: HttpRequest, pk: int, body: ExcludeIn) -> dict[str, Any]:
    item = services.exclude(
        actor=acting_user(request),
        publication_id=_item_id(request, pk),
        kind=body.kind,
        reason=body.reason,
    )
    return _out(item)


@router.post("/{pk}/withdraw", response=ItemOut, summary="撤回（公开说明理由）")
def withdraw(request: HttpRequest, pk: int, body: WithdrawIn) -> dict[str, Any]:
    item = services.withdraw(
        actor=acting_user(request),
        publication_id=_item_id(request, pk),
        reason_kind=body.reason_kind,
        reason=body.reason,
        revoked_on=body.revoked_on,
    )
    return _out(item)


@router.get(
    "/published", response=list[PublishedOut], auth=None, summary="已公示的执法决定（开放数据）"
)
def published(request: HttpRequest, params: Query[SearchIn]) -> list[dict[str, Any]]:
    query = queries.SearchQuery.parse(
        {
            "q": params.q,
            "agency": params.agency,
            "from": params.date_from,
            "to": params.date_to,
        }
    )
    start = (max(params.page, 1) - 1) * OPEN_LIMIT
    rows = queries.search(query)[start : start + OPEN_LIMIT]
    return [_out(item) for item in rows]
