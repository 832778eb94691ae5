"""主体库 and 人员库: enforcement agencies (a tree) and their officers with certificates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class AgencyLevel(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "执法部门"
    UNIT = "unit", "内设机构"
    JUSTICE = "justice", "司法行政部门"


class AgencyKind(models.TextChoices):
    STATUTORY = "statutory", "法定行政机关"
    AUTHORISED = "authorised", "法律法规授权组织"
    ENTRUSTED = "entrusted", "受委托组织"


class Agency(models.Model):
    """A node of the 主体库 tree: a government, a department (执法主体) or one of its units."""

    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.CharField("层级", max_length=16, choices=AgencyLevel.choices)
    name = models.CharField("名称", max_length=120)
    short_name = models.CharField(
        "文号简称", max_length=16, blank=True, help_text="用于文号，如“兴民宗”"
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    kind = models.CharField(
        "主体类型", max_length=16, choices=AgencyKind.choices, default=AgencyKind.STATUTORY
    )
    entrusted_by = models.ForeignKey(
        "self",
        verbose_name="委托机关",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entrusted",
    )
    supervised_by = models.ForeignKey(
        "self",
        verbose_name="执法监督机关",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised",
    )
    is_legal_unit = models.BooleanField("法制审核机构", default=False)
    legal_basis = models.TextField("主体资格依据", blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)
    office_hours = models.CharField("办公时间", max_length=120, blank=True)
    supervision_channels = models.TextField("监督方式", blank=True)
    remedy_channels = models.TextField("救济渠道", blank=True)
    # 行政处罚法 第59条(四)、第67条: how a fine is paid, printed on every 行政处罚决定书.
    payment_instructions = models.TextField("罚款缴纳方式", blank=True)
    area = models.CharField("管辖区域", max_length=60, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "执法主体"
        verbose_name_plural = "执法主体"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="agency_credit_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind="entrusted", entrusted_by__isnull=False) | ~Q(kind="entrusted"),
                name="agency_entrusted_has_entruster",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="agency_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def enforcement_body(self) -> Agency:
        """The nearest ancestor-or-self that is a department (the 执法主体 that signs decisions)."""
        node: Agency | None = self
        while node is not None:
            if node.level in {AgencyLevel.DEPARTMENT, AgencyLevel.JUSTICE}:
                return node
            node = node.parent
        return self

    @staticmethod
    def subtree_ids(roots: Iterable[int]) -> set[int]:
        """The given agencies and all their descendants (one query per tree level)."""
        found = set(roots)
        frontier = set(found)
        while frontier:
            children = set(
                Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            frontier = children - found
            found |= frontier
        return found


class MatterCategory(models.TextChoices):
    """行政执法类别 (the 12 categories of the powers list)."""

    LICENCE = "licence", "行政许可"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    LEVY = "levy", "行政征收"
    REQUISITION = "requisition", "行政征用"
    FEE = "fee", "行政收费"
    INSPECTION = "inspection", "行政检查"
    CONFIRMATION = "confirmation", "行政确认"
    BENEFIT = "benefit", "行政给付"
    ADJUDICATION = "adjudication", "行政裁决"
    REWARD = "reward", "行政奖励"
    OTHER = "other", "其他行政权力"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂扣"
    REVOKED = "revoked", "注销"


class CertificateFacts:
    """What a register row says about its certificate (the officer and each of its versions)."""

    certificate_status: str
    certificate_issued: date
    certificate_expires: date
    categories: list[str]

    def certificate_state(self, on: date) -> str:
        """有效 / 已过期 / 暂扣 / 注销 / 未生效 on a given day, as shown to the public."""
        if self.certificate_status != CertificateStatus.VALID:
            return str(CertificateStatus(self.certificate_status).label)
        if on < self.certificate_issued:
            return "未生效"
        if on > self.certificate_expires:
            return "已过期"
        return "有效"

    def is_certified_on(self, on: date) -> bool:
        return self.certificate_state(on) == "有效"

    def category_labels(self) -> list[str]:
        return [str(MatterCategory(c).label) for c in self.categories if c in MatterCategory.values]


OFFICER_KIND = "directory.officer"  # the content hash's domain (``versioning.content_hash``)
# The register's fields: what a version of an officer holds (and its content hash covers).
REGISTER_FIELDS = (
    "agency_id",
    "name",
    "position",
    "certificate_no",
    "categories",
    "area",
    "certificate_issued",
    "certificate_expires",
    "certificate_status",
    "is_reviewer",
    "legal_qualification_no",
)


class Officer(CertificateFacts, models.Model):
    """An enforcement officer (执法人员) with the fields 国办发〔2018〕118号 asks to publish.

    The row is the latest version of the register (a cache of ``OfficerVersion``): it holds from
    ``valid_from`` (None: since before the register kept versions). A reader on an earlier day
    reads the version then in force (``directory.queries.officer_on``)."""

    agency = models.ForeignKey(
        Agency, verbose_name="单位", on_delete=models.PROTECT, related_name="officers"
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name="登录账户",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer",
    )
    name = models.CharField("姓名", max_length=60)
    position = models.CharField("职务", max_length=60, blank=True)
    certificate_no = models.CharField("执法证件编号", max_length=40, unique=True)
    categories = models.JSONField("执法类别", default=list)
    area = models.CharField("执法区域", max_length=120)
    certificate_issued = models.DateField("发证日期")
    certificate_expires = models.DateField("有效期至")
    certificate_status = models.CharField(
        "证件状态",
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    is_reviewer = models.BooleanField("法制审核人员", default=False)
    legal_qualification_no = models.CharField("法律职业资格证书编号", max_length=40, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    version = models.PositiveIntegerField("现行版本号", default=0)  # 0: never versioned
    valid_from = models.DateField("现行版本生效日期", null=True, blank=True)

    class Meta:
        verbose_name = "执法人员"
        verbose_name_plural = "执法人员"
        ordering = ["agency_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(certificate_expires__gte=F("certificate_issued")),
                name="officer_expiry_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(certificate_status__in=CertificateStatus.values),
                name="officer_certificate_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_no}）"

    def holds_on(self, on: date) -> bool:
        """Whether this row (the latest version) is the one in force on ``on``."""
        return self.valid_from is None or on >= self.valid_from


class OfficerVersion(CertificateFacts, models.Model):
    """One version of an officer's register entry, in force on [valid_from, valid_to).

    Written only by ``directory.services`` with its ledger entry (which names
    ``content_sha256``); ``valid_from`` None: in force since before versions were kept. A
    version replaced the same day it began has ``valid_to == valid_from`` (never in force)."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=60)
    position = models.CharField("职务", max_length=60, blank=True)
    certificate_no = models.CharField("执法证件编号", max_length=40)
    categories = models.JSONField("执法类别", default=list)
    area = models.CharField("执法区域", max_length=120)
    certificate_issued = models.DateField("发证日期")
    certificate_expires = models.DateField("有效期至")
    certificate_status = models.CharField(
        "证件状态", max_length=16, choices=CertificateStatus.choices
    )
    is_reviewer = models.BooleanField("法制审核人员", default=False)
    legal_qualification_no = models.CharField("法律职业资格证书编号", max_length=40, blank=True)
    content_sha256 = models.CharField("内容摘要", max_length=64)
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "执法人员版本"
        verbose_name_plural = "执法人员版本"
        ordering = ["officer_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "number"], name="officer_version_unique"),
            models.UniqueConstraint(
                fields=["officer"],
                condition=Q(valid_to__isnull=True),
                name="officer_version_one_current",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="officer_version_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_no} 第{self.number}版"

    @property
    def updated_at(self) -> datetime:
        """When this version was recorded (the 人员 list's 更新于 reads it like the row's)."""
        return self.recorded_at
