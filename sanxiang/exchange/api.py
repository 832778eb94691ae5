"""/api/v1/exchange: what the provincial platform and the credit platforms read and push.

Every operation takes a signed request from a scoped key (auth.SignedClient; docs/exchange.md)
and answers only about the key's agency set. Writes need an ``Idempotency-Key``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status

from sanxiang.api.openapi import NONBLANK
from sanxiang.directory.models import Agency, Officer
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.lib.errors import DomainError

from . import payloads, services
from .auth import SignedClient
from .models import ApiClient, Scope

router = Router(tags=["数据交换（省级平台、信用平台）"])
PAGE = 100

CertificateState = Literal["valid", "suspended", "revoked"]
Kind = Literal["transfer", "assignment", "clue"]


class AgencyOut(Schema):
    id: int
    name: str
    credit_code: str = Field(examples=["11330100MB0000000X"])
    level: Literal["government", "department", "unit", "justice"]
    parent_id: int | None


class OfficerOut(Schema):
    certificate_no: str = Field(examples=["33010020190001"])
    name: str
    agency_id: int
    categories: list[str]
    area: str
    certificate_status: CertificateState
    certificate_issued: date
    certificate_expires: date


class DecisionOut(Schema):
    id: int
    status: Literal["published", "withdrawn", "expired"]
    credit: dict[str, str] = Field(
        description="信用平台双公示字段（键见 docs/exchange.md）",
        examples=[{"doc_number": "兴民宗罚决〔2026〕1号", "party_name": "某某公司"}],
    )
    licence_credit: dict[str, str] | None = Field(
        None,
        description="行政许可双公示字段（准予、撤销、撤回行政许可；键见 docs/exchange.md）",
        examples=[{"doc_number": "兴民宗许〔2026〕1号", "current_status": "有效"}],
    )


class DecisionPage(Schema):
    items: list[DecisionOut]
    next_after: int | None = Field(description="下一页的 after 参数；为空表示没有更多")


class DecisionQuery(Schema):
    after: int = Field(0, ge=0, description="只返回 id 大于此值的决定（增量同步）")
    limit: int = Field(PAGE, ge=1, le=PAGE)


class AgencyStats(Schema):
    agency_id: int
    agency: str
    decided: int
    published: int
    withdrawn: int
    excluded: int


class StatsQuery(Schema):
    year: int = Field(ge=2000, le=2100, examples=[2026])


class TransferIn(Schema):
    # The text fields may not be blank (services.receive_transfer strips them): NONBLANK.
    agency_id: int = Field(description="接收单位（须在密钥的执法主体范围内）")
    kind: Kind
    external_id: str = Field(
        min_length=1, max_length=80, pattern=NONBLANK, examples=["省交〔2026〕15号"]
    )
    title: str = Field(min_length=1, max_length=200, pattern=NONBLANK)
    from_agency: str = Field(min_length=1, max_length=120, pattern=NONBLANK)
    summary: str = Field(min_length=1, max_length=20000, pattern=NONBLANK)
    party: str = Field("", max_length=200)
    deadline: date | None = None


class TransferOut(Schema):
    id: int
    external_id: str
    kind: Kind
    status: Literal["received", "accepted", "returned"]
    agency_id: int
    received_at: str


class CertificateIn(Schema):
    certificate_no: str = Field(min_length=1, max_length=40)
    status: CertificateState
    reason: str = Field(
        min_length=1, max_length=500, pattern=NONBLANK, examples=["省司法厅暂扣执法证"]
    )


class CertificateOut(Schema):
    certificate_no: str
    status: CertificateState
    officer_id: int


def _client(request: HttpRequest) -> ApiClient:
    client: ApiClient = request.auth  # type: ignore[attr-defined]  # set by SignedClient
    return client


@router.get(
    "/agencies",
    response=list[AgencyOut],
    auth=SignedClient(Scope.READ_MASTER),
    summary="主体库：密钥范围内的执法主体",
)
def agencies(request: HttpRequest) -> list[Any]:
    scope = services.client_agency_ids(_client(request))
    return list(
        Agency.objects.filter(pk__in=scope)
        .order_by("pk")
        .values("id", "name", "credit_code", "level", "parent_id")
    )


@router.get(
    "/officers",
    response=list[OfficerOut],
    auth=SignedClient(Scope.READ_MASTER),
    summary="人员库：执法人员及执法证状态",
)
def officers(request: HttpRequest) -> list[Officer]:
    scope = services.client_agency_ids(_client(request))
    return list(Officer.objects.filter(agency_id__in=scope).order_by("pk"))


@router.get(
    "/decisions",
    response=DecisionPage,
    auth=SignedClient(Scope.READ_DECISIONS),
    summary="已公示的执法决定（增量，按 id 递增）",
)
def decisions(request: HttpRequest, params: Query[DecisionQuery]) -> dict[str, Any]:
    scope = services.client_agency_ids(_client(request))
    rows = list(
        Publication.objects.filter(
            agency_id__in=scope,
            pk__gt=params.after,
            status__in=[
                PublicationStatus.PUBLISHED,
                PublicationStatus.WITHDRAWN,
                PublicationStatus.EXPIRED,
            ],
        )
        .select_related("agency", "case", "case__draft")
        .prefetch_related("case__parties")
        .order_by("pk")[: params.limit]
    )
    items = [
        {
            "id": p.pk,
            "status": p.status,
            "credit": payloads.credit_row(p),
            "licence_credit": payloads.licence_credit(p),
        }
        for p in rows
    ]
    full = len(rows) == params.limit
    return {"items": items, "next_after": rows[-1].pk if rows and full else None}


@router.get(
    "/statistics",
    response=list[AgencyStats],
    auth=SignedClient(Scope.READ_STATISTICS),
    summary="统计：各执法主体某年度的决定与公示数量",
)
def statistics(request: HttpRequest, params: Query[StatsQuery]) -> list[dict[str, Any]]:
    scope = services.client_agency_ids(_client(request))
    rows = (
        Publication.objects.filter(agency_id__in=scope, decided_on__year=params.year)
        .values("agency_id", "agency__name")
        .annotate(
            decided=Count("pk"),
            published=Count("pk", filter=Q(published_at__isnull=False)),
            withdrawn=Count("pk", filter=Q(status=PublicationStatus.WITHDRAWN)),
            excluded=Count("pk", filter=Q(status=PublicationStatus.EXCLUDED)),
        )
        .order_by("agency_id")
    )
    return [
        {
            "agency_id": r["agency_id"],
            "agency": r["agency__name"],
            "decided": r["decided"],
            "published": r["published"],
            "withdrawn": r["withdrawn"],
            "excluded": r["excluded"],
        }
        for r in rows
    ]


def _idempotency(request: HttpRequest, key: str) -> services.Idempotency:
    return services.Idempotency(key=key, path=request.path, body=request.body)


def _once(client: ApiClient, idem: services.Idempotency, write: Callable[[], Any]) -> Any:
    """Run the write once per idempotency key. A concurrent request with the same key that
    committed first wins: ours is refused by a unique index (IntegrityError, our transaction
    rolled back) or, if it committed before we looked, by the service's own duplicate check
    (``conflict``); either way its stored answer is returned, so both callers see one effect
    and one answer. With another body the caller gets ``idempotency_mismatch``."""
    try:
        status, body = write()
    except IntegrityError:
        done = services.replayed_answer(client, idem)
        if done is None:
            # Another key's request for the same thing (one 来文编号) committed first.
            raise DomainError("conflict", "同一事项已由另一请求接收，不能重复提交。") from None
        status, body = done
    except DomainError as error:
        if error.code != "conflict":
            raise
        done = services.replayed_answer(client, idem)
        if done is None:
            raise
        status, body = done
    return Status(status, body)


@router.post(
    "/transfers",
    response={201: TransferOut},
    auth=SignedClient(Scope.PUSH),
    summary="移送/交办：案件或线索进入接收单位的待办",
)
def transfer(
    request: HttpRequest,
    body: TransferIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=80),
) -> Any:
    client = _client(request)
    idem = _idempotency(request, idempotency_key)
    done = services.replayed_answer(client, idem)
    if done is not None:
        return Status(*done)
    data = services.TransferData(**body.dict())
    return _once(
        client, idem, lambda: services.receive_transfer(client=client, data=data, idempotency=idem)
    )


@router.post(
    "/certificates",
    response={200: CertificateOut},
    auth=SignedClient(Scope.PUSH),
    summary="执法证状态（省级人员库）更新到本平台的执法人员",
)
def certificate(
    request: HttpRequest,
    body: CertificateIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=80),
) -> Any:
    client = _client(request)
    idem = _idempotency(request, idempotency_key)
    done = services.replayed_answer(client, idem)
    if done is not None:
        return Status(*done)
    data = services.CertificateUpdate(**body.dict())
    return _once(
        client,
        idem,
        lambda: services.update_certificate(client=client, data=data, idempotency=idem),
    )
