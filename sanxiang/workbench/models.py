"""Notifications (通知): what a person is told when something lands in their 待办.

Built by the task worker from the committed ledger (``notifications.py``), never inside a step;
e-mailed when the agency configured mail and the person did not turn it off.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MailStatus(models.TextChoices):
    NONE = "none", "不发送邮件"
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=64)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("办理链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # The ledger entry (its log position) this notification reacts to; None for a digest.
    entry_seq = models.BigIntegerField("账本序号", null=True, blank=True)
    # The day of a daily digest (one per person and day), None otherwise.
    digest_on = models.DateField("提醒日期", null=True, blank=True)
    mail_status = models.CharField(
        "邮件", max_length=16, choices=MailStatus.choices, default=MailStatus.NONE
    )
    mail_error = models.CharField("邮件错误", max_length=300, blank=True)
    mailed_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A worker that runs a batch twice (crash, two workers) notifies once.
            models.UniqueConstraint(
                fields=["user", "entry_seq", "kind"],
                condition=Q(entry_seq__isnull=False),
                name="notification_once_per_entry",
            ),
            models.UniqueConstraint(
                fields=["user", "digest_on", "kind"],
                condition=Q(digest_on__isnull=False),
                name="notification_digest_once_a_day",
            ),
            models.CheckConstraint(
                condition=Q(mail_status__in=MailStatus.values), name="notification_mail_status"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            models.Index(
                fields=["mail_status"],
                condition=Q(mail_status="pending"),
                name="notification_mail_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.title}"


class NotificationSetting(models.Model):
    """A person's choice; without a row, e-mail is on (when an address and mail exist)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notification_setting",
    )
    email = models.BooleanField("接收邮件通知", default=True)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user_id} 邮件{'开' if self.email else '关'}"


class NotifierCursor(models.Model):
    """How far into the ledger (by log position) the notifier has read."""

    name = models.CharField(max_length=32, unique=True)
    seq = models.BigIntegerField(default=-1)

    class Meta:
        verbose_name = "通知进度"
        verbose_name_plural = "通知进度"

    def __str__(self) -> str:
        return f"{self.name}@{self.seq}"
