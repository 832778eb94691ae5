"""执法监督: 督办 (notices with deadlines, the agency's 整改情况 and attachments) and 案卷评查.

The cockpit has no tables of its own: it reads the other apps' data set-based (queries.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", "待整改"
    ESCALATED = "escalated", "逾期未报（已升级）"
    ANSWERED = "answered", "已报送整改情况"
    CLOSED = "closed", "已办结"


# Which statuses still wait for the agency's answer.
AWAITING = (NoticeStatus.ISSUED, NoticeStatus.ESCALATED)


class NoticeCounter(models.Model):
    """The last 督办 文号 sequence of a justice bureau in a year (gap-free, locked on issue)."""

    issuer = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "督办文号序列"
        verbose_name_plural = "督办文号序列"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year"], name="notice_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.year}: {self.last}"


class Notice(models.Model):
    """A 督办通知 of the justice bureau to a supervised agency, on a case or a finding."""

    issuer = models.ForeignKey(
        "directory.Agency", verbose_name="督办机关", on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name="被督办单位",
        on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="案件",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_notices",
    )
    year = models.PositiveIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=60, unique=True)
    subject = models.CharField("督办事项", max_length=200)
    finding = models.TextField("发现的问题")
    requirement = models.TextField("整改要求")
    due_on = models.DateField("整改期限")
    status = models.CharField(
        "状态", max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("下发时间")
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closing_note = models.TextField("办结意见", blank=True)
    pdf_name = models.CharField("督办通知书PDF", max_length=200, blank=True)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "督办通知"
        verbose_name_plural = "督办通知"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "seq"], name="notice_seq_unique"),
            models.CheckConstraint(
                condition=Q(status__in=NoticeStatus.values), name="notice_status_valid"
            ),
            models.CheckConstraint(condition=~Q(agency=F("issuer")), name="notice_not_to_itself"),
        ]
        indexes = [models.Index(fields=["agency", "status", "due_on"], name="notice_due_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def awaiting(self) -> bool:
        return self.status in AWAITING


class NoticeAnswer(models.Model):
    """The agency's 整改情况 (answers are kept; a second answer follows a supervisor's return)."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField("整改情况")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("报送时间")
    late = models.BooleanField("逾期报送", default=False)

    class Meta:
        verbose_name = "整改情况"
        verbose_name_plural = "整改情况"
        ordering = ["notice_id", "answered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.answered_at:%Y-%m-%d}"


class NoticeAttachment(models.Model):
    """A file attached to an answer, stored under its SHA-256 (content-addressed)."""

    answer = models.ForeignKey(NoticeAnswer, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField("文件名", max_length=255)
    size = models.BigIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_name = models.CharField("存储地址", max_length=200)

    class Meta:
        verbose_name = "整改材料"
        verbose_name_plural = "整改材料"
        ordering = ["answer_id", "pk"]
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="attachment_size")]

    def __str__(self) -> str:
        return self.name


class Verdict(models.TextChoices):
    PENDING = "pending", "待人工评查"
    EXCELLENT = "excellent", "优秀"
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class FileReview(models.Model):
    """The 案卷评查 of one closed case: the automatic items, then the reviewer's manual ones.

    ``items`` holds every item as scored: code, part (卷面/内容), label, the rule it applies,
    points, deducted, whether it is a veto item and whether it passed, the reason of a
    deduction, and whether it was scored automatically. A file is 不合格 when any veto item
    fails, whatever its score (DOMAIN.md).
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="file_reviews"
    )
    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    batch = models.CharField("评查批次", max_length=60, blank=True)
    items = models.JSONField("评查项目", default=list)
    form_score = models.DecimalField("卷面得分", max_digits=5, decimal_places=1)
    content_score = models.DecimalField("内容得分", max_digits=5, decimal_places=1)
    total = models.DecimalField("总分", max_digits=5, decimal_places=1)
    verdict = models.CharField("结论", max_length=16, choices=Verdict.choices)
    veto_failed = models.BooleanField("否决项不通过", default=False)
    manual_done = models.BooleanField("人工评查完成", default=False)
    created_at = models.DateTimeField("评查时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评查人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("人工评查时间", null=True, blank=True)

    class Meta:
        verbose_name = "案卷评查"
        verbose_name_plural = "案卷评查"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="file_review_verdict_valid"
            ),
            models.CheckConstraint(
                condition=Q(form_score__gte=0, form_score__lte=20)
                & Q(content_score__gte=0, content_score__lte=80),
                name="file_review_scores_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(veto_failed=True) | Q(verdict="failed"),
                name="file_review_veto_fails_file",
            ),
        ]
        indexes = [models.Index(fields=["agency", "created_at"], name="file_review_agency_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.total}"

    @property
    def reasons(self) -> list[str]:
        """Why the file lost points or failed, one line per item."""
        return [
            f"{i['label']}：{i['reason']}（{i['rule']}）"
            for i in self.items
            if (not i.get("passed", True)) and i.get("reason")
        ]


class Handbook(models.Model):
    """One version of an agency's 执法工作手册 (seed plan §五(二)2), compiled from its data and
    filed (报备) with the justice bureau. The PDF is stored under its SHA-256."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField("版本")
    contents = models.JSONField("目录", default=list)
    pdf_name = models.CharField("PDF", max_length=200)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64)
    # The same contents as DOCX (officials edit DOCX; DESIGN.md), rendered with the PDF.
    docx_name = models.CharField("DOCX", max_length=200, blank=True)
    docx_sha256 = models.CharField("DOCX SHA-256", max_length=64, blank=True)
    created_at = models.DateTimeField("编制时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编制人", on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField("报备时间", null=True, blank=True)

    class Meta:
        verbose_name = "执法工作手册"
        verbose_name_plural = "执法工作手册"
        ordering = ["agency_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "version"], name="handbook_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} 第{self.version}版"


class DeviceKind(models.TextChoices):
    BODYCAM = "bodycam", "执法记录仪"
    CAMERA = "camera", "照相机/摄像机"
    RECORDER = "recorder", "录音笔"
    OTHER = "other", "其他音像记录设备"


class DeviceStatus(models.TextChoices):
    IN_USE = "in_use", "在用"
    SPARE = "spare", "备用"
    REPAIR = "repair", "维修"
    RETIRED = "retired", "报废"


class AvDevice(models.Model):
    """音像记录设备 of an agency (seed plan §五(一)3 自查: 音像记录设备), with its holder."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("设备类型", max_length=16, choices=DeviceKind.choices)
    serial = models.CharField("设备编号", max_length=60)
    holder = models.ForeignKey(
        "directory.Officer",
        verbose_name="持有人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.IN_USE
    )
    registered_on = models.DateField("登记日期")
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "音像记录设备"
        verbose_name_plural = "音像记录设备"
        ordering = ["agency_id", "kind", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "serial"], name="device_serial_unique"),
            models.CheckConstraint(condition=Q(kind__in=DeviceKind.values), name="device_kind"),
            models.CheckConstraint(
                condition=Q(status__in=DeviceStatus.values), name="device_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


class BatchStatus(models.TextChoices):
    PENDING = "pending", "待抽取（等待签名检查点）"
    DRAWN = "drawn", "已抽取"


class ReviewBatch(models.Model):
    """A 评查 batch drawn at random from the closed, not yet reviewed files of a scope, with the
    inspections' verifiable draw (``sanxiang.lib.draw``): the candidate list is frozen and its
    hash ledgered first; the seed is ``SHA-256(input hash || root)`` of the first signed
    checkpoint that contains that entry, so nobody knows it before the list is fixed."""

    owner = models.ForeignKey(
        "directory.Agency", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("评查批次", max_length=60)
    count = models.PositiveIntegerField("抽取份数")
    frozen_input = models.TextField("冻结的候选名单（规范JSON）")
    input_sha256 = models.CharField("名单摘要", max_length=64)
    seed_entry = models.ForeignKey(
        "ledger.Entry", verbose_name="冻结记录", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=16, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    seed = models.CharField("随机种子", max_length=64, blank=True)
    checkpoint = models.ForeignKey(
        "ledger.Checkpoint",
        verbose_name="种子检查点",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    drawn = models.JSONField("抽中案件", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("冻结时间")
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)

    class Meta:
        verbose_name = "评查抽取批次"
        verbose_name_plural = "评查抽取批次"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="review_batch_name_unique"),
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="review_batch_status_valid"
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="review_batch_count_positive"),
            models.CheckConstraint(
                condition=Q(status="pending") | (Q(checkpoint__isnull=False) & ~Q(seed="")),
                name="review_batch_drawn_has_seed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.count})"


class Training(models.Model):
    """A training of an agency's officers (seed plan §五(一)3 / §五(三): 培训), for the 落实台账."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("培训内容", max_length=200)
    held_on = models.DateField("培训日期")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    attendees = models.ManyToManyField(
        "directory.Officer", verbose_name="参训人员", related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["agency_id", "-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=200), name="training_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"
