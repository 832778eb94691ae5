"""A deadline clock extended by the head (行政许可法 第42条; 行政强制法 第25条). Written only by
``cases.services.extensions.extend_deadline``; one row per clock, so a second extension is
refused by the database too."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class DeadlineExtension(models.Model):
    deadline = models.OneToOneField(
        "cases.Deadline", on_delete=models.CASCADE, related_name="extension"
    )
    days = models.PositiveIntegerField("延长期限")
    reason = models.CharField("延长理由", max_length=500)
    approved_on = models.DateField("批准日期")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    old_due_on = models.DateField("原届满日")
    new_due_on = models.DateField("延长后届满日")

    class Meta:
        verbose_name = "期限延长"
        verbose_name_plural = "期限延长"
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="deadline_extension_days"),
            models.CheckConstraint(
                condition=Q(new_due_on__gt=F("old_due_on")), name="deadline_extension_later"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="deadline_extension_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} +{self.days}"
