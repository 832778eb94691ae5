"""The hearing the agency schedules (行政处罚法 第64条): its time, place and presiding officer,
and the day the party was notified. Written only by ``cases.hearings.schedule_hearing``."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScheduledHearing(models.Model):
    """One scheduling of a case's hearing; a later row (rescheduled) replaces the earlier."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="hearings")
    held_at = models.DateTimeField("听证时间")
    place = models.CharField("听证地点", max_length=200)
    # 第64条第（四）项: presided over by a person the agency names who is not the investigator.
    presiding = models.ForeignKey(
        "directory.Officer", on_delete=models.PROTECT, related_name="hearings_presided"
    )
    # 第64条第（二）项: the day the 听证通知书 is (to be) served, at least 七日 (working days,
    # 第85条) before ``held_at``.
    notified_on = models.DateField("通知日期")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "听证安排"
        verbose_name_plural = "听证安排"
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(place=""), name="scheduled_hearing_place_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_at:%Y-%m-%d %H:%M} {self.place}"
