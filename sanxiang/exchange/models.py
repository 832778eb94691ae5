"""Exchange with the provincial platform and the credit platforms.

API clients (scoped keys of an external system), the request log, the nonces and idempotency keys
of signed requests, the outbox of events pushed to configured endpoints, and the inbound 移送/交办
transfers waiting in the staff inbox.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Scope(models.TextChoices):
    READ_MASTER = "read_master", "读取主体库与人员库"
    READ_DECISIONS = "read_decisions", "读取执法决定"
    READ_STATISTICS = "read_statistics", "读取统计数据"
    PUSH = "push", "推送（移送/交办、执法证状态）"


class System(models.TextChoices):
    PROVINCIAL = "provincial", "省级行政执法信息平台"
    CREDIT = "credit", "信用信息共享平台"
    OTHER = "other", "其他系统"


class ApiClient(models.Model):
    """One external system's key. The secret is shown once at creation and never stored: the
    database keeps only its SHA-256 (``secret_hash``) and the salt it is derived from with the
    server's exchange key (see services.derive_secret), so a copy of the database cannot sign."""

    name = models.CharField("名称", max_length=120)
    system = models.CharField("对接系统", max_length=16, choices=System.choices)
    key_id = models.CharField("密钥标识", max_length=40, unique=True)
    salt = models.CharField(max_length=64)
    secret_hash = models.CharField("密钥摘要", max_length=64)
    scopes = models.JSONField("权限范围", default=list)
    agencies = models.ManyToManyField(
        "directory.Agency", verbose_name="可访问的执法主体", related_name="+"
    )
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(system__in=System.values), name="client_system"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_id}）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_labels(self) -> list[str]:
        """The scopes in words, for people (the codes are for machines and the docs)."""
        return [str(Scope(s).label) if s in Scope.values else s for s in self.scopes]


# The outcome codes of the use log (docs/exchange.md) in words.
USE_OUTCOMES = {
    "accepted": "通过",
    "refused_after_auth": "验签通过，请求被拒",
    "unknown_key": "密钥不存在",
    "revoked": "密钥已吊销",
    "too_large": "请求体超过上限",
    "bad_timestamp": "时间戳格式有误",
    "stale_timestamp": "时间戳超出时间窗",
    "bad_nonce": "随机串无效",
    "key_tampered": "密钥记录校验失败",
    "bad_signature": "签名错误",
    "replayed": "重放（随机串重复）",
    "out_of_scope": "超出权限范围",
}


class ClientUse(models.Model):
    """Every request that named a key, accepted or refused (接口调用日志)."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, null=True, related_name="uses")
    key_id = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField("状态码")
    outcome = models.CharField("结果", max_length=40)
    remote_addr = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "接口调用日志"
        verbose_name_plural = "接口调用日志"
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.key_id} {self.method} {self.path} {self.status}"

    @property
    def outcome_label(self) -> str:
        return USE_OUTCOMES.get(self.outcome, self.outcome)


class Nonce(models.Model):
    """A nonce seen inside the timestamp window; the unique pair refuses a replay atomically."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "nonce"], name="nonce_once_per_client")
        ]

    def __str__(self) -> str:
        return self.nonce


class IdempotencyKey(models.Model):
    """A write done once: the same key again with the same body gets the stored answer, with a
    different body a refusal."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    path = models.CharField(max_length=300)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_once_per_client")
        ]

    def __str__(self) -> str:
        return self.key


class EventType(models.TextChoices):
    DECISION_MADE = "decision.made", "作出执法决定"
    DECISION_PUBLISHED = "decision.published", "执法决定公示（双公示）"
    DECISION_WITHDRAWN = "decision.withdrawn", "公示撤回"
    REPORT_PUBLISHED = "annual_report.published", "年度数据年报公开"
    INSPECTION_RESULT_PUBLISHED = "inspection_result.published", "抽查结果公示（双随机、一公开）"


class Endpoint(models.Model):
    """A receiver the outbox pushes to (省级平台, 信用平台 …), with the events it takes."""

    name = models.CharField("名称", max_length=120)
    system = models.CharField("对接系统", max_length=16, choices=System.choices)
    url = models.URLField("接收地址", max_length=400)
    key_id = models.CharField("签名密钥标识", max_length=40, unique=True)
    salt = models.CharField(max_length=64)
    event_types = models.JSONField("推送事件", default=list)
    agencies = models.ManyToManyField(
        "directory.Agency",
        verbose_name="推送哪些执法主体的数据（空为全部）",
        related_name="+",
        blank=True,
    )
    is_active = models.BooleanField("启用", default=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "推送地址"
        verbose_name_plural = "推送地址"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def event_labels(self) -> list[str]:
        return [str(EventType(e).label) if e in EventType.values else e for e in self.event_types]


class MessageStatus(models.TextChoices):
    PENDING = "pending", "待投递"
    DELIVERED = "delivered", "已投递"
    DEAD = "dead", "投递失败（死信）"


class OutboxMessage(models.Model):
    """One event for one endpoint, written in the transaction of the event; delivered in ``pk``
    order per endpoint after commit."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="messages")
    event_type = models.CharField("事件", max_length=40, choices=EventType.choices)
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", null=True
    )
    payload = models.JSONField()
    status = models.CharField(
        "状态", max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField("投递次数", default=0)
    next_attempt_at = models.DateTimeField("下次投递", db_index=True)
    last_status = models.PositiveSmallIntegerField("最近响应码", null=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("产生时间")
    delivered_at = models.DateTimeField("投递时间", null=True)

    class Meta:
        verbose_name = "推送消息"
        verbose_name_plural = "推送消息"
        ordering = ["pk"]
        indexes = [models.Index(fields=["endpoint", "status", "id"], name="outbox_endpoint_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False)
                | ~Q(status="delivered"),
                name="outbox_delivered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"


class TransferKind(models.TextChoices):
    TRANSFER = "transfer", "移送"
    ASSIGNMENT = "assignment", "交办"
    CLUE = "clue", "线索"


class TransferStatus(models.TextChoices):
    RECEIVED = "received", "待处理"
    ACCEPTED = "accepted", "已受理"
    RETURNED = "returned", "已退回"


class InboundTransfer(models.Model):
    """A case or clue transferred (移送) or assigned (交办) by the provincial platform."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="transfers")
    agency = models.ForeignKey(
        "directory.Agency", verbose_name="接收单位", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=16, choices=TransferKind.choices)
    external_id = models.CharField("来文编号", max_length=80)
    title = models.CharField("事由", max_length=200)
    from_agency = models.CharField("移送/交办单位", max_length=120)
    summary = models.TextField("基本情况")
    party = models.CharField("当事人", max_length=200, blank=True)
    deadline = models.DateField("办理期限", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=TransferStatus.choices, default=TransferStatus.RECEIVED
    )
    received_at = models.DateTimeField("接收时间")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField("处理意见", blank=True)

    class Meta:
        verbose_name = "移送/交办"
        verbose_name_plural = "移送/交办"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"], name="transfer_once_per_external_id"
            ),
            models.CheckConstraint(condition=Q(kind__in=TransferKind.values), name="transfer_kind"),
            models.CheckConstraint(
                condition=Q(status__in=TransferStatus.values), name="transfer_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"
