"""The party's side without an account: personal links and the rate limit of public queries.

A link's token is shown once to the staff member who made it and stored only as its SHA-256;
a database reader cannot rebuild the URL. A link is bound to one party of one case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class PartyLink(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "cases.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="+"
    )
    token_sha256 = models.CharField("链接摘要", max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    use_count = models.PositiveIntegerField("使用次数", default=0)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "当事人专用链接"
        verbose_name_plural = "当事人专用链接"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="party_link_expires_after"
            ),
            models.CheckConstraint(
                condition=(Q(revoked_at__isnull=True) & Q(revoked_by__isnull=True))
                | (Q(revoked_at__isnull=False) & Q(revoked_by__isnull=False)),
                name="party_link_revoked_with_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.party_id} {self.token_sha256[:8]}"

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "已撤销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"


class ProgressAttempt(models.Model):
    """One try at the public progress query (or at an unknown link): counted for the limit.

    The address and the case number are kept only as HMACs under the secret key: enough to
    count, not to tell who asked for which case."""

    address_key = models.CharField(max_length=64)
    number_key = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)
    succeeded = models.BooleanField(default=False)

    class Meta:
        verbose_name = "进度查询尝试"
        verbose_name_plural = "进度查询尝试"
        indexes = [
            models.Index(fields=["address_key", "at"], name="progress_attempt_addr_idx"),
            models.Index(
                fields=["number_key", "at"],
                condition=~Q(number_key=""),
                name="progress_attempt_number_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.address_key[:8]}"


class DefenceStatement(models.Model):
    """A written 陈述申辩 a party submitted through their link (行政处罚法 第45条)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "cases.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="+"
    )
    link = models.ForeignKey(PartyLink, on_delete=models.PROTECT, related_name="statements")
    text = models.TextField("陈述申辩意见")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "陈述申辩"
        verbose_name_plural = "陈述申辩"
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="defence_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.party_id} {self.submitted_at:%Y-%m-%d}"
