"""The licence a grant confers (行政许可法 第39条): its 许可类别, the certificate issued, its
number, what it permits and for how long.

One row per licence case, written only by ``services.set_terms`` before the decision, and part
of the draft's snapshot (section ``licence``): what the head decides and the legal unit reviews
is what the 准予行政许可决定书 prints and the 双公示 file reports.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class LicenceCategory(models.TextChoices):
    """行政许可法 第12条's six kinds, as the 行政许可 双公示 template names them (许可类别)."""

    GENERAL = "general", "普通"  # 第12条第（一）项
    FRANCHISE = "franchise", "特许"  # 第（二）项: 有限自然资源开发利用、公共资源配置…
    RECOGNITION = "recognition", "认可"  # 第（三）项: 资格、资质
    APPROVAL = "approval", "核准"  # 第（四）项: 设备、设施、产品、物品的检验、检测、检疫
    REGISTRATION = "registration", "登记"  # 第（五）项: 企业或者其他组织的设立等主体资格
    OTHER = "other", "其他"  # 第（六）项


class LicenceTerms(models.Model):
    case = models.OneToOneField(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="licence_terms"
    )
    category = models.CharField("许可类别", max_length=16, choices=LicenceCategory.choices)
    certificate_name = models.CharField("许可证件名称", max_length=100, blank=True)
    licence_number = models.CharField("许可编号", max_length=64, blank=True)
    content = models.TextField("许可内容")
    valid_from = models.DateField("有效期自")
    valid_until = models.DateField("有效期至", null=True, blank=True)  # None: 长期
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "许可证件信息"
        verbose_name_plural = "许可证件信息"
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=LicenceCategory.values), name="licence_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="licence_term_ordered",
            ),
            models.CheckConstraint(
                condition=Q(certificate_name="") | ~Q(licence_number=""),
                name="licence_certificate_numbered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_name or self.get_category_display()} {self.licence_number}"
