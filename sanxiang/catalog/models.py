"""事项库 (the versioned powers list) and the working-day calendar's override table."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from sanxiang.directory.models import MatterCategory


class Matter(models.Model):
    """The identity of one enforcement matter of an agency; its content lives in versions."""

    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name="执法主体",
        on_delete=models.PROTECT,
        related_name="matters",
    )
    code = models.CharField("事项编码", max_length=40)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "行政执法事项"
        verbose_name_plural = "行政执法事项"
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="matter_code_unique_per_agency")
        ]

    def __str__(self) -> str:
        return self.code


class DayUnit(models.TextChoices):
    WORKING = "working", "工作日"
    CALENDAR = "calendar", "自然日"


class MatterVersion(models.Model):
    """One version of a matter's published content, effective on [valid_from, valid_to)."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    change_note = models.CharField("变更说明", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    category = models.CharField("事项类别", max_length=16, choices=MatterCategory.choices)
    name = models.CharField("事项名称", max_length=200)
    legal_basis = models.JSONField("法律依据", default=list, help_text="[{law, article, text}]")
    handling_unit = models.CharField("承办机构", max_length=120)
    time_limit = models.PositiveIntegerField("法定时限", null=True, blank=True)
    time_limit_unit = models.CharField(
        "时限单位", max_length=10, choices=DayUnit.choices, default=DayUnit.WORKING
    )
    responsibilities = models.TextField("责任事项", blank=True)
    accountability = models.TextField("追责情形", blank=True)
    # 服务指南 (DOMAIN.md, 事前公开)
    acceptance_body = models.CharField("受理机构", max_length=120, blank=True)
    approval_body = models.CharField("审批机构", max_length=120, blank=True)
    conditions = models.TextField("办理条件", blank=True)
    materials = models.TextField("申请材料", blank=True)
    process = models.TextField("办理流程", blank=True)
    guide_time_limit = models.CharField("办理时限", max_length=120, blank=True)
    fee = models.CharField("收费标准", max_length=120, blank=True)
    preferential_policy = models.TextField("优惠政策", blank=True)
    supervision = models.TextField("监督方式", blank=True)
    remedy = models.TextField("救济渠道", blank=True)
    office_hours = models.CharField("办公时间", max_length=120, blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    # 行政许可法 第29条第三款、第33条: applications may be made electronically. A 许可 matter
    # whose guide says so is offered on the portal's 网上申请 (sanxiang/applicant/intake.py).
    online_application = models.BooleanField("接受网上申请", default=False)
    # What the matter's online form asks besides who applies (one item a line; "*" at the end:
    # required), e.g. 场所名称* / 拟举办活动日期* — parsed by catalog.services.application_fields.
    application_fields = models.TextField("网上申请填写事项", blank=True)
    # 随机抽查事项清单
    random_inspection = models.BooleanField("列入随机抽查事项清单", default=False)
    inspection_target = models.CharField("抽查对象", max_length=200, blank=True)
    inspection_content = models.CharField("抽查内容", max_length=200, blank=True)
    inspection_ratio = models.DecimalField(
        "抽查比例(%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    inspection_method = models.CharField("抽查方式", max_length=120, blank=True)
    inspection_frequency = models.CharField("抽查频次", max_length=120, blank=True)

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["matter_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "number"], name="matter_version_unique"),
            models.UniqueConstraint(
                fields=["matter"],
                condition=Q(valid_to__isnull=True),
                name="matter_one_current_version",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="matter_version_period_positive",
            ),
            models.CheckConstraint(
                condition=Q(inspection_ratio__isnull=True)
                | Q(inspection_ratio__gt=0, inspection_ratio__lte=100),
                name="matter_inspection_ratio_range",
            ),
            models.CheckConstraint(
                condition=Q(category__in=MatterCategory.values), name="matter_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"

    @property
    def category_label(self) -> str:
        return str(MatterCategory(self.category).label)


class CalendarYear(models.Model):
    """A year whose holidays an administrator entered from the State Council's notice."""

    year = models.PositiveIntegerField("年度", unique=True)
    source = models.CharField("依据", max_length=200, help_text="如：国办发明电〔2026〕X号")

    class Meta:
        verbose_name = "工作日历年度"
        verbose_name_plural = "工作日历年度"

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from the weekday rule: a holiday or a 调休 make-up working day."""

    day = models.DateField("日期", unique=True)
    is_working = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=60, blank=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_working else '休息'}"


class RecomputedDeadline(models.Model):
    """A deadline that moved when an administrator entered a year's notice: it had been computed
    provisionally (暂定) from the statutory holidays alone. The workbench lists these."""

    year = models.PositiveIntegerField("录入年度")
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.CASCADE, related_name="+", verbose_name="执法主体"
    )
    kind = models.CharField("期限类别", max_length=30)
    subject = models.CharField("对象", max_length=120)
    link = models.CharField("链接", max_length=200, blank=True)
    old_due_on = models.DateField("原届满日", null=True, blank=True)
    new_due_on = models.DateField("新届满日")
    recorded_at = models.DateTimeField("调整时间", auto_now_add=True)

    class Meta:
        verbose_name = "因日历调整的期限"
        verbose_name_plural = "因日历调整的期限"
        ordering = ["-recorded_at", "pk"]
        indexes = [models.Index(fields=["agency", "recorded_at"], name="recomputed_scan_idx")]

    def __str__(self) -> str:
        return f"{self.subject} {self.old_due_on}→{self.new_due_on}"
