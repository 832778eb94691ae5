"""Execution (执行) of a penalty decision: payments and the execution record (issue 10, item 7).

Imported by ``models.py`` (Django finds the models there). Every row is written by
``services/execution.py`` with its ledger entry; ``execution_reconcile.py`` compares the rows
with the entries, so a payment edited or deleted behind the application is named.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Payment(models.Model):
    """A payment of the fine (and of the 加处罚款) as the bank's 缴款书 shows it.

    行政处罚法 第67条: the agency does not collect the fine itself (罚缴分离): the party pays at
    the designated bank, and the officer records the 缴款书 (non-tax payment slip) here.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="payments")
    receipt_number = models.CharField("缴款书编号", max_length=60)
    amount = models.DecimalField("缴款金额（元）", max_digits=12, decimal_places=2)
    paid_on = models.DateField("缴款日期")
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "罚款缴纳"
        verbose_name_plural = "罚款缴纳"
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # One 缴款书 is recorded once in a case (a second entry of it is a mistake).
            models.UniqueConstraint(fields=["case", "receipt_number"], name="payment_receipt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.amount}"


# 行政强制法 第40条 (一)至（五）.
TERMINATION_REASONS = {
    "death_no_estate": "公民死亡，无遗产可供执行，又无义务承受人（第40条第（一）项）",
    "organisation_ended": (
        "法人或者其他组织终止，无财产可供执行，又无义务承受人（第40条第（二）项）"
    ),
    "object_lost": "执行标的灭失（第40条第（三）项）",
    "decision_revoked": "据以执行的行政决定被撤销（第40条第（四）项）",
    "other": "行政机关认为需要终结执行的其他情形（第40条第（五）项）",
}


class ExecutionKind(models.TextChoices):
    # 行政处罚法 第66条第2款: on the party's application, approved by the agency.
    DEFERRAL = "deferral", "批准延期缴纳"
    INSTALMENTS = "instalments", "批准分期缴纳"
    # 行政强制法 第53条、第55条: the agency without its own power of enforcement applies to court.
    ENFORCEMENT_APPLIED = "enforcement_applied", "申请人民法院强制执行"
    ENFORCEMENT_CONCLUDED = "enforcement_concluded", "强制执行完毕"
    # 行政强制法 第40条: enforcement ends without the obligation met.
    TERMINATED = "terminated", "终结执行"


class ExecutionRecord(models.Model):
    """A fact of the execution other than a payment: a 延期/分期 approval, the court
    application and its outcome, or the 终结执行 with its lawful reason."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="execution_records"
    )
    kind = models.CharField("事项", max_length=24, choices=ExecutionKind.choices)
    on = models.DateField("日期")
    # 延期: the new last day; 分期: the last instalment's day.
    due_on = models.DateField("缴纳期限", null=True, blank=True)
    # 分期: "YYYY-MM-DD:amount;…" in date order (the instalment plan the agency approved).
    instalments = models.TextField("分期计划", blank=True)
    reason = models.CharField("终结事由", max_length=32, blank=True)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "执行记录"
        verbose_name_plural = "执行记录"
        ordering = ["on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ExecutionKind.values), name="execution_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="terminated") | ~Q(reason=""),
                name="execution_termination_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["deferral", "instalments"]) | Q(due_on__isnull=False),
                name="execution_arrangement_has_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.on}"

    @property
    def reason_label(self) -> str:
        return TERMINATION_REASONS.get(self.reason, self.reason)
