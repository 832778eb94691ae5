"""Writes of the exchange app: API clients, signed-request checks, inbound pushes.

Each public write is one durable transaction with its ledger entry. ``check_request`` is the one
place a signed request is accepted or refused; the API's auth class calls it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_agency_access, require_role
from sanxiang.directory import services as directory
from sanxiang.directory.models import Agency, CertificateStatus, Officer
from sanxiang.ledger import services as ledger
from sanxiang.lib import signing
from sanxiang.lib.errors import DomainError, ValidationFailed

from .models import (
    ApiClient,
    ClientUse,
    IdempotencyKey,
    InboundTransfer,
    Nonce,
    Scope,
    System,
    TransferKind,
    TransferStatus,
)


def hash_name() -> str:
    """SM3 when the platform runs with 国密 (SANXIANG_HASH=sm3), SHA-256 otherwise."""
    return str(settings.SANXIANG_HASH)


def _master_key() -> bytes:
    configured: str = settings.SANXIANG_EXCHANGE_KEY
    material = configured or "sanxiang-exchange:" + settings.SECRET_KEY
    return hashlib.sha256(material.encode()).digest()


def derive_secret(key_id: str, salt: str) -> str:
    """The shared secret of a key: derived, never stored (only its SHA-256 is)."""
    return hmac.new(_master_key(), f"{key_id}:{salt}".encode(), "sha256").hexdigest()


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class ClientData:
    name: str
    system: str
    scopes: list[str]
    agency_ids: list[int]


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    secret: str  # shown once


def _validate_client(data: ClientData) -> None:
    if not data.name.strip():
        raise ValidationFailed("请填写客户端名称。", field="name")
    if data.system not in System.values:
        raise ValidationFailed("请选择对接系统。", field="system")
    if not data.scopes or any(s not in Scope.values for s in data.scopes):
        raise ValidationFailed("请至少选择一项有效的权限范围。", field="scopes")
    if not data.agency_ids:
        raise ValidationFailed("请至少选择一个可访问的执法主体。", field="agency_ids")


@transaction.atomic(durable=True)
def create_client(*, actor: User, data: ClientData) -> NewClient:
    """A key for an external system; the secret is returned once and only its hash is kept."""
    require_role(actor, Role.ADMIN)
    _validate_client(data)
    for agency_id in data.agency_ids:
        require_agency_access(actor, agency_id, write=True)
    key_id = "sx_" + secrets.token_hex(8)
    salt = secrets.token_hex(16)
    secret = derive_secret(key_id, salt)
    client = ApiClient.objects.create(
        name=data.name.strip(),
        system=data.system,
        key_id=key_id,
        salt=salt,
        secret_hash=secret_hash(secret),
        scopes=sorted(set(data.scopes)),
        created_at=timezone.now(),
        created_by=actor,
    )
    client.agencies.set(sorted(set(data.agency_ids)))
    ledger.append(
        event_type="exchange.client_created",
        payload={
            "client": client.pk,
            "key_id": key_id,
            "system": data.system,
            "scopes": client.scopes,
            "agencies": sorted(set(data.agency_ids)),
        },
        actor=actor,
    )
    return NewClient(client=client, secret=secret)


@transaction.atomic(durable=True)
def revoke_client(*, actor: User, client_id: int) -> ApiClient:
    require_role(actor, Role.ADMIN)
    client = ApiClient.objects.select_for_update().filter(pk=client_id).first()
    if client is None:
        raise DomainError("not_found", "未找到该接口客户端。")
    for agency_id in client.agencies.values_list("pk", flat=True):
        require_agency_access(actor, agency_id, write=True)
    if client.revoked_at is not None:
        raise DomainError("conflict", "该密钥已吊销。")
    client.revoked_at = timezone.now()
    client.revoked_by = actor
    client.save(update_fields=["revoked_at", "revoked_by"])
    ledger.append(
        event_type="exchange.client_revoked",
        payload={"client": client.pk, "key_id": client.key_id},
        actor=actor,
    )
    return client


# --- signed requests -------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    query: str
    body: bytes
    key_id: str
    timestamp: str
    nonce: str
    signature: str
    content_length: int
    remote_addr: str = ""


class Refused(DomainError):
    """A signed request refused; the use is logged before this is raised."""


def log_use(
    *, client: ApiClient | None, key_id: str, request: SignedRequest, status: int, outcome: str
) -> ClientUse:
    return ClientUse.objects.create(
        client=client,
        key_id=key_id[:40],
        at=timezone.now(),
        method=request.method[:8],
        path=request.path[:300],
        status=status,
        outcome=outcome,
        remote_addr=request.remote_addr[:64],
    )


def _refuse(
    client: ApiClient | None, request: SignedRequest, code: str, outcome: str, message: str
) -> Refused:
    error = Refused(code, message)
    log_use(
        client=client, key_id=request.key_id, request=request, status=error.status, outcome=outcome
    )
    return error


def check_request(
    request: SignedRequest, *, scope: str, now: datetime | None = None
) -> tuple[ApiClient, ClientUse]:
    """Accept a signed request for ``scope`` or raise ``Refused`` (the refusal is logged).

    Order matters: the cheap checks first, the signature before the nonce is spent (so nobody
    without the key can burn nonces), the scope last (a valid signature outside its scope is
    logged as such)."""
    now = now or timezone.now()
    client = ApiClient.objects.filter(key_id=request.key_id).first()
    if client is None:
        raise _refuse(None, request, "signature_invalid", "unknown_key", "接口密钥不存在。")
    if client.revoked_at is not None:
        raise _refuse(client, request, "signature_invalid", "revoked", "接口密钥已吊销。")
    limit: int = settings.SANXIANG_EXCHANGE_MAX_BODY_BYTES
    if request.content_length > limit or len(request.body) > limit:
        raise _refuse(
            client, request, "payload_too_large", "too_large", f"请求体超过 {limit} 字节的上限。"
        )
    try:
        stamp = int(request.timestamp)
    except ValueError:
        raise _refuse(
            client, request, "request_expired", "bad_timestamp", "时间戳格式有误（应为Unix秒）。"
        ) from None
    skew: int = settings.SANXIANG_EXCHANGE_MAX_SKEW_SECONDS
    if abs(now.timestamp() - stamp) > skew:
        raise _refuse(
            client,
            request,
            "request_expired",
            "stale_timestamp",
            f"请求时间戳与服务器时间相差超过 {skew} 秒，请校准时钟后重新签名。",
        )
    if not (8 <= len(request.nonce) <= 64) or not request.nonce.isascii():
        raise _refuse(
            client, request, "signature_invalid", "bad_nonce", "随机串应为8至64位ASCII字符。"
        )
    secret = derive_secret(client.key_id, client.salt)
    if not hmac.compare_digest(secret_hash(secret), client.secret_hash):
        # The row was edited (salt or hash changed behind the service): refuse, never guess.
        raise _refuse(
            client, request, "signature_invalid", "key_tampered", "接口密钥记录校验失败。"
        )
    try:
        signing.verify(
            secret.encode(),
            request.signature,
            method=request.method,
            path=request.path,
            query=request.query,
            body=request.body,
            timestamp=stamp,
            nonce=request.nonce,
            hash_name=hash_name(),
        )
    except signing.SignatureError:
        raise _refuse(
            client, request, "signature_invalid", "bad_signature", "签名不正确。"
        ) from None
    in_scope = scope in client.scopes
    try:
        # The nonce is spent and the use logged in one transaction: one commit per request.
        with transaction.atomic():
            Nonce.objects.create(client=client, nonce=request.nonce, seen_at=now)
            if in_scope:
                if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
                    # "最近使用" to the minute; the use log has every request.
                    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
                use = log_use(
                    client=client,
                    key_id=client.key_id,
                    request=request,
                    status=200,
                    outcome="accepted",
                )
    except IntegrityError:
        raise _refuse(
            client,
            request,
            "request_replayed",
            "replayed",
            "该请求已处理过（随机串重复），拒绝重放。",
        ) from None
    if not in_scope:
        label = Scope(scope).label
        raise _refuse(client, request, "forbidden", "out_of_scope", f"该密钥无“{label}”权限。")
    return client, use


def forget_old_nonces(*, now: datetime | None = None) -> int:
    """Nonces older than twice the timestamp window can no longer be replayed (the timestamp
    check refuses them first), so they are dropped."""
    now = now or timezone.now()
    window = timedelta(seconds=2 * settings.SANXIANG_EXCHANGE_MAX_SKEW_SECONDS)
    deleted, _ = Nonce.objects.filter(seen_at__lt=now - window).delete()
    return deleted


def client_agency_ids(client: ApiClient) -> set[int]:
    """The enforcement bodies a key may see, with their units."""
    roots = set(client.agencies.values_list("pk", flat=True))
    return Agency.subtree_ids(roots)


# --- idempotent writes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Idempotency:
    key: str
    path: str
    body: bytes

    @property
    def body_hash(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def replayed_answer(client: ApiClient, idem: Idempotency) -> tuple[int, Any] | None:
    """The stored answer of a write already done with this key, or a refusal if the body (or
    the path) differs; ``None`` when the key is new."""
    if not (1 <= len(idem.key) <= 80):
        raise ValidationFailed("Idempotency-Key 应为1至80个字符。", field="Idempotency-Key")
    done = IdempotencyKey.objects.filter(client=client, key=idem.key).first()
    if done is None:
        return None
    if done.body_hash != idem.body_hash or done.path != idem.path:
        raise DomainError(
            "idempotency_mismatch",
            "该 Idempotency-Key 已用于内容不同的请求；同一幂等键只能对应同一请求体。",
        )
    return done.status, done.response


def _remember(client: ApiClient, idem: Idempotency, status: int, response: Any) -> None:
    IdempotencyKey.objects.create(
        client=client,
        key=idem.key,
        path=idem.path[:300],
        body_hash=idem.body_hash,
        status=status,
        response=response,
        created_at=timezone.now(),
    )


def _in_client_scope(client: ApiClient, agency_id: int) -> None:
    if agency_id not in client_agency_ids(client):
        raise DomainError("forbidden", "该密钥无权访问此执法主体的数据。")


# --- inbound ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferData:
    agency_id: int
    kind: str
    external_id: str
    title: str
    from_agency: str
    summary: str
    party: str = ""
    deadline: date | None = None


def transfer_out(item: InboundTransfer) -> dict[str, Any]:
    return {
        "id": item.pk,
        "external_id": item.external_id,
        "kind": item.kind,
        "status": item.status,
        "agency_id": item.agency_id,
        "received_at": item.received_at.isoformat(),
    }


@transaction.atomic(durable=True)
def receive_transfer(
    *, client: ApiClient, data: TransferData, idempotency: Idempotency
) -> tuple[int, dict[str, Any]]:
    """A case or clue 移送/交办 by the provincial platform, into the receiving agency's inbox."""
    _in_client_scope(client, data.agency_id)
    if data.kind not in TransferKind.values:
        raise ValidationFailed("类别应为 transfer、assignment 或 clue。", field="kind")
    for field in ("external_id", "title", "from_agency", "summary"):
        if not str(getattr(data, field)).strip():
            raise ValidationFailed(f"{field} 不能为空。", field=field)
    external_id = data.external_id.strip()  # stored stripped, so compared stripped
    if InboundTransfer.objects.filter(client=client, external_id=external_id).exists():
        raise DomainError("conflict", f"来文编号 {external_id} 已接收，不能重复移送。")
    item = InboundTransfer.objects.create(
        client=client,
        agency_id=data.agency_id,
        kind=data.kind,
        external_id=external_id,
        title=data.title.strip(),
        from_agency=data.from_agency.strip(),
        summary=data.summary.strip(),
        party=data.party.strip(),
        deadline=data.deadline,
        received_at=timezone.now(),
    )
    ledger.append(
        event_type="exchange.transfer_received",
        payload={
            "transfer": item.pk,
            "client": client.key_id,
            "kind": item.kind,
            "external_id": item.external_id,
            "title": item.title,
        },
        agency_id=item.agency_id,
    )
    answer = transfer_out(item)
    _remember(client, idempotency, 201, answer)
    return 201, answer


@transaction.atomic(durable=True)
def handle_transfer(*, actor: User, transfer_id: int, accept: bool, note: str) -> InboundTransfer:
    """受理 or 退回 an inbound transfer (the case itself is then opened the usual way)."""
    item = InboundTransfer.objects.select_for_update().filter(pk=transfer_id).first()
    if item is None:
        raise DomainError("not_found", "未找到该移送/交办事项。")
    require_agency_access(actor, item.agency_id, write=True)
    require_role(actor, Role.OFFICER, Role.HEAD, Role.ADMIN)
    if item.status != TransferStatus.RECEIVED:
        raise DomainError("conflict", "该事项已处理。")
    if not accept and not note.strip():
        raise ValidationFailed("退回时请填写理由。", field="note")
    item.status = TransferStatus.ACCEPTED if accept else TransferStatus.RETURNED
    item.handled_at = timezone.now()
    item.handled_by = actor
    item.note = note.strip()
    item.save(update_fields=["status", "handled_at", "handled_by", "note"])
    ledger.append(
        event_type="exchange.transfer_handled",
        payload={"transfer": item.pk, "status": item.status, "note": item.note},
        actor=actor,
        agency_id=item.agency_id,
    )
    return item


@dataclass(frozen=True)
class CertificateUpdate:
    certificate_no: str
    status: str
    reason: str


@transaction.atomic(durable=True)
def update_certificate(
    *, client: ApiClient, data: CertificateUpdate, idempotency: Idempotency
) -> tuple[int, dict[str, Any]]:
    """The provincial platform's 执法证 status (暂扣/注销/恢复) applied to the officer."""
    if data.status not in CertificateStatus.values:
        raise ValidationFailed("证件状态应为 valid、suspended 或 revoked。", field="status")
    officer = Officer.objects.filter(certificate_no=data.certificate_no.strip()).first()
    if officer is None or officer.agency_id not in client_agency_ids(client):
        # Same answer for "no such certificate" and "not yours": a key learns nothing outside
        # its agency set.
        raise DomainError("not_found", "未找到该执法证件。")
    officer = directory.apply_certificate_status(
        officer_id=officer.pk,
        status=data.status,
        reason=data.reason,
        source=f"省级平台（{client.key_id}）",
    )
    answer = {
        "certificate_no": officer.certificate_no,
        "status": officer.certificate_status,
        "officer_id": officer.pk,
    }
    _remember(client, idempotency, 200, answer)
    return 200, answer
