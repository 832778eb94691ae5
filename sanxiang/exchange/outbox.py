"""The transactional outbox: events written with the change that caused them, pushed after commit.

``record`` runs inside the business transaction (the engine's and disclosure's hooks call it), so
an event exists if and only if its change committed. ``deliver`` runs in the task worker: per
endpoint, strictly in ``pk`` order, one message at a time; a failure stops that endpoint's queue
until the message's next attempt (exponential back-off), so a receiver that was down gets
everything afterwards, in order. A message that keeps failing past ``SANXIANG_OUTBOX_MAX_ATTEMPTS``
— or that the receiver rejects as malformed (4xx other than 408/429) — goes to the dead-letter
list and the queue moves on; staff can put it back (``retry_dead``).

Delivery is at least once: a receiver de-duplicates on ``X-Sanxiang-Message-Id``.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_role
from sanxiang.ledger import services as ledger
from sanxiang.lib import signing
from sanxiang.lib.errors import DomainError, ValidationFailed

from .models import Endpoint, EventType, MessageStatus, OutboxMessage, System
from .services import derive_secret, hash_name

FORMAT_VERSION = "sanxiang.exchange/1"
LEASE = timedelta(minutes=2)
BATCH = 200


@dataclass(frozen=True)
class Reply:
    status: int | None  # None: no answer (refused connection, timeout)
    error: str = ""


Post = Callable[[str, bytes, dict[str, str]], Reply]


def http_post(url: str, body: bytes, headers: dict[str, str]) -> Reply:
    """One POST with the configured timeout; never raises for a network failure."""
    timeout: float = settings.SANXIANG_EXCHANGE_TIMEOUT_SECONDS
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - the URL is an admin-configured http(s) endpoint (validated on save)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - as above
            response.read()
            return Reply(status=response.status)
    except urllib.error.HTTPError as exc:
        return Reply(status=exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError):
            # A receiver that takes the connection and never answers: say so plainly, it is
            # the failure staff most need to tell apart from "down" (connection refused).
            return Reply(status=None, error=f"超时：接收方 {timeout:g} 秒内未应答（TimeoutError）")
        return Reply(status=None, error=f"{type(exc).__name__}: {reason}"[:300])


# --- endpoints -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndpointData:
    name: str
    system: str
    url: str
    event_types: list[str]
    agency_ids: list[int]


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: Endpoint
    secret: str  # shown once, for the receiver to check our signatures


@transaction.atomic(durable=True)
def create_endpoint(*, actor: User, data: EndpointData) -> NewEndpoint:
    require_role(actor, Role.ADMIN)
    if not data.name.strip():
        raise ValidationFailed("请填写推送地址名称。", field="name")
    if data.system not in System.values:
        raise ValidationFailed("请选择对接系统。", field="system")
    if not data.url.startswith(("http://", "https://")):
        raise ValidationFailed("接收地址应以 http:// 或 https:// 开头。", field="url")
    if not data.event_types or any(e not in EventType.values for e in data.event_types):
        raise ValidationFailed("请至少选择一种有效的推送事件。", field="event_types")
    key_id = "sxo_" + secrets.token_hex(8)
    salt = secrets.token_hex(16)
    endpoint = Endpoint.objects.create(
        name=data.name.strip(),
        system=data.system,
        url=data.url.strip(),
        key_id=key_id,
        salt=salt,
        event_types=sorted(set(data.event_types)),
        created_at=timezone.now(),
    )
    endpoint.agencies.set(data.agency_ids)
    ledger.append(
        event_type="exchange.endpoint_created",
        payload={"endpoint": endpoint.pk, "url": endpoint.url, "events": endpoint.event_types},
        actor=actor,
    )
    return NewEndpoint(endpoint=endpoint, secret=derive_secret(key_id, salt))


@transaction.atomic(durable=True)
def set_endpoint_active(*, actor: User, endpoint_id: int, active: bool) -> Endpoint:
    """Switch an endpoint off (停用) or on (启用). Off is a pause, not a filter: its events are
    still recorded in order, but no delivery is queued or attempted; switched on, it gets all
    of them, in order. (A receiver being migrated or under maintenance loses nothing.)"""
    require_role(actor, Role.ADMIN)
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise DomainError("not_found", "未找到该推送地址。")
    if endpoint.is_active == active:
        state = "启用" if active else "停用"
        raise DomainError("conflict", f"该推送地址已是{state}状态。")
    endpoint.is_active = active
    endpoint.save(update_fields=["is_active"])
    held = endpoint.messages.filter(status=MessageStatus.PENDING).count()
    ledger.append(
        event_type="exchange.endpoint_switched",
        payload={"endpoint": endpoint.pk, "active": active, "pending": held},
        actor=actor,
    )
    if active:
        transaction.on_commit(partial(_kick, endpoint.pk))
    return endpoint


# --- recording -------------------------------------------------------------------------------


def record(*, event_type: str, agency_id: int | None, data: dict[str, Any]) -> list[OutboxMessage]:
    """Record ``event_type`` for every endpoint that takes it; inside the event's transaction.
    The push starts after commit, for active endpoints; a switched-off endpoint's messages wait
    (in order) until it is switched on again."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox.record must run inside the business transaction")
    if event_type not in EventType.values:
        raise ValueError(f"unknown outbox event {event_type!r}")
    _serialise_recording()
    now = timezone.now()
    messages = []
    active: set[int] = set()
    for endpoint in Endpoint.objects.prefetch_related("agencies"):
        if event_type not in endpoint.event_types:
            continue
        wanted = {a.pk for a in endpoint.agencies.all()}
        if wanted and agency_id not in wanted:
            continue
        if endpoint.is_active:
            active.add(endpoint.pk)
        messages.append(
            OutboxMessage(
                endpoint=endpoint,
                event_type=event_type,
                agency_id=agency_id,
                payload=data,
                next_attempt_at=now,
                created_at=now,
            )
        )
    created = OutboxMessage.objects.bulk_create(messages)
    for endpoint_id in sorted({m.endpoint_id for m in created} & active):
        transaction.on_commit(partial(_kick, endpoint_id))
    return created


# The key of the PostgreSQL advisory lock that orders outbox writes ("sxoutbox" in ASCII).
OUTBOX_LOCK = 0x73786F7574626F78


def _serialise_recording() -> None:
    """Make message ids follow commit order. An id is taken at INSERT, not at commit (DESIGN.md,
    "Ledger appends and locks"): a transaction that recorded first but commits last would have
    its lower id delivered after a higher one already pushed. So each recording transaction
    holds one transaction-scoped lock from its INSERT to its commit. Every caller records at
    the end of its business transaction (exchange.hooks: a transition's after-hook,
    after a publication, a withdrawal, a 年报, a 抽查结果) and takes no lock after it, so it
    cannot close a deadlock; keep it that way (record last). Only transactions that record an
    event wait for each other, for the rest of their commit. SQLite has one writer at a time
    already."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [OUTBOX_LOCK])


def _kick(endpoint_id: int) -> None:
    from .tasks import deliver_endpoint

    deliver_endpoint.enqueue(endpoint_id)


# --- delivery --------------------------------------------------------------------------------


def envelope(message: OutboxMessage) -> bytes:
    """The JSON body pushed (docs/exchange.md "推送格式"): stable key order, UTF-8."""
    body = {
        "format": FORMAT_VERSION,
        "id": message.pk,
        "event": message.event_type,
        "occurred_at": timezone.localtime(message.created_at).isoformat(),
        "data": message.payload,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signed_headers(
    endpoint: Endpoint,
    message: OutboxMessage,
    body: bytes,
    now: datetime,
    *,
    secret: bytes | None = None,
) -> dict[str, str]:
    path = urlsplit(endpoint.url)
    stamp = int(now.timestamp())
    nonce = f"{message.pk}-{message.attempts + 1}-{secrets.token_hex(6)}"
    signature = signing.sign(
        secret or derive_secret(endpoint.key_id, endpoint.salt).encode(),
        method="POST",
        path=path.path or "/",
        query=path.query,
        body=body,
        timestamp=stamp,
        nonce=nonce,
        hash_name=hash_name(),
    )
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-Sanxiang-Key": endpoint.key_id,
        "X-Sanxiang-Timestamp": str(stamp),
        "X-Sanxiang-Nonce": nonce,
        "X-Sanxiang-Signature": signature,
        "X-Sanxiang-Algorithm": signing.ALGORITHMS[hash_name()],
        "X-Sanxiang-Message-Id": str(message.pk),
        "X-Sanxiang-Event": message.event_type,
    }


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: base · 2^(n-1), capped."""
    base: float = settings.SANXIANG_OUTBOX_BACKOFF_SECONDS
    cap: float = settings.SANXIANG_OUTBOX_BACKOFF_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _permanent(status: int | None) -> bool:
    return status is not None and 400 <= status < 500 and status not in (408, 425, 429)


@dataclass
class Run:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    retry_at: datetime | None = None
    busy: bool = False


def _claim(endpoint_id: int, now: datetime) -> bool:
    """One deliverer per endpoint at a time (keeps the order), by a lease on the row."""
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    claimed = Endpoint.objects.filter(free, pk=endpoint_id, is_active=True).update(
        lease_until=now + LEASE
    )
    return claimed == 1


FLUSH_EVERY = 50


def _mark_delivered(done: list[tuple[int, int]], at: datetime) -> None:
    """Record a run of successes in one UPDATE per status code. A crash before the flush
    re-sends at most ``FLUSH_EVERY`` messages, which the receiver drops by message id."""
    for status in {code for _, code in done}:
        ids = [pk for pk, code in done if code == status]
        OutboxMessage.objects.filter(pk__in=ids, status=MessageStatus.PENDING).update(
            status=MessageStatus.DELIVERED,
            attempts=F("attempts") + 1,
            delivered_at=at,
            last_status=status,
            last_error="",
        )
    done.clear()


def _pending(endpoint: Endpoint, after: int, size: int) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            endpoint=endpoint, status=MessageStatus.PENDING, pk__gt=after
        ).order_by("pk")[:size]
    )


def deliver(
    *, endpoint_id: int, now: datetime | None = None, post: Post = http_post, limit: int = BATCH
) -> Run:
    """Push the endpoint's due messages in order until one fails or ``limit`` are sent."""
    clock = now or timezone.now()
    run = Run()
    if not _claim(endpoint_id, clock):
        run.busy = True
        return run
    done: list[tuple[int, int]] = []
    sent_at = clock
    try:
        endpoint = Endpoint.objects.get(pk=endpoint_id)
        secret = derive_secret(endpoint.key_id, endpoint.salt).encode()
        max_attempts: int = settings.SANXIANG_OUTBOX_MAX_ATTEMPTS
        last_pk = 0
        sent = 0
        while sent < limit:
            if sent and not Endpoint.objects.filter(pk=endpoint_id, is_active=True).exists():
                break  # switched off during the run: the rest waits, in order
            batch = _pending(endpoint, last_pk, min(FLUSH_EVERY, limit - sent))
            if not batch:
                break
            stop = False
            for message in batch:
                last_pk = message.pk
                if message.next_attempt_at > clock:
                    run.retry_at = message.next_attempt_at
                    stop = True
                    break
                body = envelope(message)
                sent_at = now or timezone.now()
                headers = signed_headers(endpoint, message, body, sent_at, secret=secret)
                reply = post(endpoint.url, body, headers)
                sent += 1
                if reply.status is not None and 200 <= reply.status < 300:
                    done.append((message.pk, reply.status))
                    run.delivered += 1
                    continue
                _mark_delivered(done, sent_at)
                attempts = message.attempts + 1
                error = (reply.error or f"HTTP {reply.status}")[:300]
                if _permanent(reply.status) or attempts >= max_attempts:
                    OutboxMessage.objects.filter(pk=message.pk).update(
                        status=MessageStatus.DEAD,
                        attempts=attempts,
                        last_status=reply.status,
                        last_error=error,
                    )
                    run.dead += 1
                    continue  # a dead letter no longer holds back the ones after it
                retry_at = clock + backoff(attempts)
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=attempts,
                    next_attempt_at=retry_at,
                    last_status=reply.status,
                    last_error=error,
                )
                run.failed += 1
                run.retry_at = retry_at
                stop = True
                break
            _mark_delivered(done, sent_at)
            if stop:
                break
    finally:
        _mark_delivered(done, sent_at)
        Endpoint.objects.filter(pk=endpoint_id).update(lease_until=None)
    return run


@transaction.atomic(durable=True)
def retry_dead(*, actor: User, message_id: int) -> OutboxMessage:
    """Put a dead letter back at its place in the queue (after the cause was fixed)."""
    require_role(actor, Role.ADMIN)
    message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise DomainError("not_found", "未找到该推送消息。")
    if message.status != MessageStatus.DEAD:
        raise DomainError("conflict", "只有投递失败的消息可以重新投递。")
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    ledger.append(
        event_type="exchange.message_requeued",
        payload={"message": message.pk, "endpoint": message.endpoint_id},
        actor=actor,
    )
    transaction.on_commit(lambda: _kick(message.endpoint_id))
    return message


def due_endpoint_ids(now: datetime | None = None) -> list[int]:
    """The active endpoints whose head (first pending message) is due. Only the head counts:
    the messages behind a head waiting out its back-off are not sent past it, so an endpoint
    whose head waits has nothing to do yet."""
    now = now or timezone.now()
    heads = (
        OutboxMessage.objects.filter(status=MessageStatus.PENDING, endpoint__is_active=True)
        .values("endpoint_id")
        .annotate(head=Min("pk"))
        .values("head")
    )
    return sorted(
        set(
            OutboxMessage.objects.filter(pk__in=heads, next_attempt_at__lte=now).values_list(
                "endpoint_id", flat=True
            )
        )
    )
