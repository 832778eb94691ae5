"""The evidence store (证据与音像记录), who looked at what (调阅), and the 音像记录事项清单.

A ``Record`` is write-once: the app has no update or delete path, and its bytes live under their
own SHA-256 (content address), so changing a byte would change the address.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Concat, Substr

from sanxiang.directory.models import MatterCategory


class EvidenceType(models.TextChoices):
    """行政处罚法 第46条: the kinds of evidence."""

    DOCUMENTARY = "documentary", "书证"
    PHYSICAL = "physical", "物证"
    AUDIOVISUAL = "audiovisual", "视听资料"
    ELECTRONIC = "electronic", "电子数据"
    WITNESS = "witness", "证人证言"
    PARTY_STATEMENT = "party_statement", "当事人的陈述"
    EXPERT_OPINION = "expert_opinion", "鉴定意见"
    INSPECTION_RECORD = "inspection_record", "勘验笔录"
    SCENE_RECORD = "scene_record", "现场笔录"


class MediaKind(models.TextChoices):
    DOCUMENT = "document", "文档"
    PHOTO = "photo", "照片"
    AUDIO = "audio", "录音"
    VIDEO = "video", "录像"


AV_KINDS = (MediaKind.AUDIO, MediaKind.VIDEO)


class Label(models.TextChoices):
    """Confidentiality labels. 国家秘密 is not one of them: such material never enters here."""

    PUBLIC = "public", "公开"
    INTERNAL = "internal", "内部"
    TRADE_SECRET = "trade_secret", "商业秘密"
    PERSONAL_PRIVACY = "personal_privacy", "个人隐私"


# Labels above 内部: every retrieval must state its reason.
SENSITIVE_LABELS = frozenset({Label.TRADE_SECRET, Label.PERSONAL_PRIVACY})


class Record(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="records"
    )
    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField("上传时环节", max_length=32)
    evidence_type = models.CharField("证据种类", max_length=24, choices=EvidenceType.choices)
    media_kind = models.CharField("载体", max_length=16, choices=MediaKind.choices)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("说明", blank=True)
    label = models.CharField("密级标识", max_length=24, choices=Label.choices)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")
    size = models.BigIntegerField("大小(字节)")
    content_type = models.CharField("文件类型(按内容识别)", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    sm3 = models.CharField("SM3", max_length=64, blank=True)
    storage_name = models.CharField("存储地址", max_length=200)
    is_demo = models.BooleanField("演示数据", default=False)
    # Field capture (移动执法): when the device says it took the photo or recording, and where
    # (WGS-84 from the browser's geolocation, only when the officer allowed it): claims of the
    # device, kept beside ``uploaded_at`` (the server's time) and written into the ledger entry.
    captured_at = models.DateTimeField("拍摄时间(设备)", null=True, blank=True)
    position = models.JSONField("拍摄位置", null=True, blank=True)

    class Meta:
        verbose_name = "证据与音像记录"
        verbose_name_plural = "证据与音像记录"
        ordering = ["case_id", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="record_not_empty"),
            models.CheckConstraint(
                condition=Q(evidence_type__in=EvidenceType.values), name="record_evidence_valid"
            ),
            models.CheckConstraint(
                condition=Q(media_kind__in=MediaKind.values), name="record_media_kind_valid"
            ),
            models.CheckConstraint(condition=Q(label__in=Label.values), name="record_label_valid"),
            models.CheckConstraint(
                condition=Q(
                    storage_name=Concat(
                        models.Value("sha256/"),
                        Substr("sha256", 1, 2),
                        models.Value("/"),
                        Substr("sha256", 3, 2),
                        models.Value("/"),
                        F("sha256"),
                        output_field=models.CharField(),
                    )
                ),
                name="record_storage_is_content_address",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def stage_label(self) -> str:
        from sanxiang.procedures.definitions import get_definition

        return str(get_definition(self.case.procedure).label_of(self.stage))

    @property
    def is_av(self) -> bool:
        return self.media_kind in AV_KINDS

    @property
    def is_sensitive(self) -> bool:
        return self.label in SENSITIVE_LABELS


class Access(models.Model):
    """One view or download of a record. The ledger entry is the proof; this row indexes it."""

    class Purpose(models.TextChoices):
        VIEW = "view", "查看"
        DOWNLOAD = "download", "下载"
        EXPORT = "export", "电子案卷导出"

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="accesses")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="调阅人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间")
    purpose = models.CharField("方式", max_length=16, choices=Purpose.choices)
    reason = models.TextField("事由", blank=True)
    via = models.CharField("渠道", max_length=16, default="web")
    ledger_entry_id = models.BigIntegerField("账本条目")

    class Meta:
        verbose_name = "调阅记录"
        verbose_name_plural = "调阅记录"
        ordering = ["record_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_purpose_display()} {self.record_id}"


class AccessRequest(models.Model):
    """A retrieval request from someone outside the case team: the head approves or denies."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        DENIED = "denied", "未批准"

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="access_requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("调阅事由")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    valid_until = models.DateTimeField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "调阅申请"
        verbose_name_plural = "调阅申请"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "denied"]),
                name="access_request_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_by__isnull=False),
                name="access_request_decided_has_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.record_id}（{self.get_status_display()}）"


class AvLevel(models.TextChoices):
    REQUIRED = "required", "应当"
    OPTIONAL = "optional", "可以"


class AvRequirement(models.Model):
    """One line of the 音像记录事项清单: in this stage of this matter (or of every matter of a
    category), audio-video recording is 应当 or 可以. Lines are dated, never edited: a change
    retires the old line (valid_to) and adds a new one."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    matter = models.ForeignKey(
        "catalog.Matter",
        verbose_name="执法事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="留空表示该类别的全部事项",
    )
    category = models.CharField("执法类别", max_length=16, choices=MatterCategory.choices)
    stage = models.CharField("环节", max_length=32)
    level = models.CharField("要求", max_length=16, choices=AvLevel.choices)
    scene = models.CharField("记录情形", max_length=200)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间")
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "音像记录事项"
        verbose_name_plural = "音像记录事项清单"
        ordering = ["agency_id", "category", "stage", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=AvLevel.values), name="av_requirement_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=MatterCategory.values),
                name="av_requirement_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="av_requirement_period_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.stage} · {self.get_level_display()}"

    @property
    def stage_label(self) -> str:
        """The stage's name in the procedures of this category (e.g. 现场检查, 听证)."""
        from sanxiang.procedures.definitions import DEFINITIONS

        labels = {
            str(d.label_of(self.stage))
            for d in DEFINITIONS.values()
            if d.category == self.category and d.has_stage(self.stage)
        }
        return "／".join(sorted(labels)) or self.stage


class ResumableUpload(models.Model):
    """An upload in progress, sent in chunks (tus 1.0, ``resumable.py``). Not evidence: the
    bytes received so far wait in a temporary file; the ``Record`` (and its ledger entry) is
    written only when the last chunk made the whole file whose SHA-256 was declared at the
    start. Rows of finished or abandoned uploads are removed by ``records_cleanup``."""

    class Status(models.TextChoices):
        RECEIVING = "receiving", "接收中"
        COMPLETE = "complete", "已完成"

    token = models.CharField("上传标识", max_length=64, unique=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField("开始时间")
    updated_at = models.DateTimeField("最近接收")
    expires_at = models.DateTimeField("过期时间")
    length = models.BigIntegerField("文件长度(字节)")
    offset = models.BigIntegerField("已接收(字节)", default=0)
    sha256 = models.CharField("声明的 SHA-256", max_length=64)
    metadata = models.JSONField("记录信息")
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.RECEIVING
    )
    record = models.ForeignKey(
        Record,
        verbose_name="记录",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "续传中的上传"
        verbose_name_plural = "续传中的上传"
        constraints = [
            models.CheckConstraint(condition=Q(length__gt=0), name="upload_not_empty"),
            models.CheckConstraint(
                condition=Q(offset__gte=0) & Q(offset__lte=F("length")),
                name="upload_offset_within_length",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["receiving", "complete"]), name="upload_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="receiving") | (Q(record__isnull=False) & Q(offset=F("length"))),
                name="upload_complete_has_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token[:8]}… {self.offset}/{self.length}"
