from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    OFFICER = "officer", "执法人员"
    REVIEWER = "reviewer", "法制审核人员"
    HEAD = "head", "负责人"
    SUPERVISOR = "supervisor", "执法监督人员"
    ADMIN = "admin", "管理员"


class User(AbstractUser):
    """A staff member. Which data they see is decided by ``role`` and ``agency``."""

    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.OFFICER)
    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name="所属执法主体",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    display_name = models.CharField("姓名", max_length=60, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def label(self) -> str:
        return self.display_name or self.username
