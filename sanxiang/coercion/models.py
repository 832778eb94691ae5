"""查封、扣押 (行政强制法 第24-28条): what is seized, its 清单, and how the measure ended.

Written only by ``coercion.services``: the items (第24条第2款第（三）项: 场所、设施或者财物的名称、
数量等) until the 查封扣押决定书 prints them; the end of the measure (第27-28条: 解除 on one of
第28条's grounds, or 没收 by a decision); the report to the head of a measure carried out on the
spot (第19条: within 二十四小时).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class SeizureItem(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="seized_items")
    position = models.PositiveIntegerField("序号")
    name = models.CharField("名称", max_length=200)
    specification = models.CharField("规格、型号、特征", max_length=200, blank=True)
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=3)
    unit = models.CharField("单位", max_length=20)
    location = models.CharField("所在或者存放地点", max_length=200, blank=True)

    class Meta:
        verbose_name = "查封扣押物品"
        verbose_name_plural = "查封扣押物品"
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="seizure_item_position"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="seizure_item_quantity"),
            models.CheckConstraint(condition=~Q(name=""), name="seizure_item_named"),
            models.CheckConstraint(condition=~Q(unit=""), name="seizure_item_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.quantity_text}{self.unit}"

    @property
    def quantity_text(self) -> str:
        """1200, 2.5: the amount without trailing zeros or an exponent."""
        return f"{self.quantity.normalize():f}"


class ReleaseGround(models.TextChoices):
    """行政强制法 第28条第1款's five grounds, in its order."""

    NO_VIOLATION = "no_violation", "当事人没有违法行为"
    UNRELATED = "unrelated", "查封、扣押的场所、设施或者财物与违法行为无关"
    DECIDED = "decided", "行政机关对违法行为已经作出处理决定，不再需要查封、扣押"
    EXPIRED = "expired", "查封、扣押期限已经届满"
    OTHER = "other", "其他不再需要采取查封、扣押措施的情形"


class Outcome(models.TextChoices):
    RELEASE = "release", "解除查封、扣押"  # 第28条
    CONFISCATION = "confiscation", "依法没收"  # 第27条: 依法应当没收的非法财物予以没收


class SeizureOutcome(models.Model):
    """How the measure ended; one per case."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="seizure_outcome"
    )
    outcome = models.CharField("处理结果", max_length=16, choices=Outcome.choices)
    ground = models.CharField("解除理由", max_length=16, choices=ReleaseGround.choices, blank=True)
    explanation = models.CharField("说明", max_length=500, blank=True)
    decision_number = models.CharField("没收决定文号", max_length=64, blank=True)
    decided_on = models.DateField("决定日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "查封扣押处理结果"
        verbose_name_plural = "查封扣押处理结果"
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome="release") & ~Q(ground="") & Q(decision_number=""))
                | (Q(outcome="confiscation") & Q(ground="") & ~Q(decision_number="")),
                name="seizure_outcome_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome}"


class OnSpotReport(models.Model):
    """行政强制法 第19条: carried out on the spot in an emergency, reported to the head within
    二十四小时 and the approval made up afterwards."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="on_spot")
    carried_out_at = models.DateTimeField("当场实施时间")
    reported_at = models.DateTimeField("报告负责人时间")
    circumstances = models.CharField("情况紧急的事由", max_length=1000)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "当场实施报告"
        verbose_name_plural = "当场实施报告"
        constraints = [
            models.CheckConstraint(
                condition=Q(reported_at__gte=F("carried_out_at")), name="on_spot_reported_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.carried_out_at:%Y-%m-%d %H:%M}"
