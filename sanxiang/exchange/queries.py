"""Reads of the exchange app (lists for staff pages, the API's open reads)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import ClientUse, InboundTransfer, MessageStatus, OutboxMessage, TransferStatus


def waiting_transfers(scope: Iterable[int]) -> list[InboundTransfer]:
    return list(
        InboundTransfer.objects.filter(agency_id__in=list(scope), status=TransferStatus.RECEIVED)
        .select_related("agency")
        .order_by("deadline", "pk")
    )


def transfers_for(scope: Iterable[int]) -> QuerySet[InboundTransfer]:
    return InboundTransfer.objects.filter(agency_id__in=list(scope)).select_related(
        "agency", "client", "handled_by"
    )


def outbox_counts() -> dict[int, dict[str, Any]]:
    rows = OutboxMessage.objects.values("endpoint_id").annotate(
        pending=Count("pk", filter=Q(status=MessageStatus.PENDING)),
        delivered=Count("pk", filter=Q(status=MessageStatus.DELIVERED)),
        dead=Count("pk", filter=Q(status=MessageStatus.DEAD)),
        failing=Count("pk", filter=Q(status=MessageStatus.PENDING, attempts__gt=0)),
    )
    return {r["endpoint_id"]: dict(r) for r in rows}


def recent_uses(limit: int = 50) -> QuerySet[ClientUse]:
    return ClientUse.objects.select_related("client").order_by("-pk")[:limit]
