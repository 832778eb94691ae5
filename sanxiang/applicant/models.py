"""The party's side without an account: personal links and the rate limit of public queries.

A link's token is shown once to the staff member who made it and stored only as its SHA-256;
a database reader cannot rebuild the URL. A link is bound to one party of one case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class PartyLink(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "cases.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="+"
    )
    token_sha256 = models.CharField("链接摘要", max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    use_count = models.PositiveIntegerField("使用次数", default=0)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    # The browser the link is bound to: the SHA-256 of a random cookie set at its first use
    # (the cookie itself is never stored). Another browser is refused ``link_other_browser``.
    browser_sha256 = models.CharField("绑定浏览器摘要", max_length=64, blank=True, default="")
    bound_at = models.DateTimeField("绑定时间", null=True, blank=True)

    class Meta:
        verbose_name = "当事人专用链接"
        verbose_name_plural = "当事人专用链接"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="party_link_expires_after"
            ),
            models.CheckConstraint(
                condition=(Q(revoked_at__isnull=True) & Q(revoked_by__isnull=True))
                | (Q(revoked_at__isnull=False) & Q(revoked_by__isnull=False)),
                name="party_link_revoked_with_actor",
            ),
            # A binding has both its hash and its time, or neither.
            models.CheckConstraint(
                condition=(Q(browser_sha256="") & Q(bound_at__isnull=True))
                | (~Q(browser_sha256="") & Q(bound_at__isnull=False)),
                name="party_link_bound_with_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.party_id} {self.token_sha256[:8]}"

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "已撤销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"


class ProgressAttempt(models.Model):
    """One try at the public progress query (or at an unknown link): counted for the limit,
    and removed by ``tasks.prune_progress_attempts`` once it is older than the window.

    The address and the case number are kept only as HMACs under the secret key: enough to
    count, not to tell who asked for which case."""

    address_key = models.CharField(max_length=64)
    number_key = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)
    succeeded = models.BooleanField(default=False)

    class Meta:
        verbose_name = "进度查询尝试"
        verbose_name_plural = "进度查询尝试"
        indexes = [
            models.Index(fields=["address_key", "at"], name="progress_attempt_addr_idx"),
            # Not partial: SQLite cannot tell that ``number_key = x`` implies a condition
            # ``number_key <> ''``, and counted the number's tries by a scan of every try.
            models.Index(fields=["number_key", "at"], name="progress_attempt_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.address_key[:8]}"


class DefenceStatement(models.Model):
    """A written 陈述申辩 a party submitted through their link (行政处罚法 第45条)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "cases.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="+"
    )
    link = models.ForeignKey(PartyLink, on_delete=models.PROTECT, related_name="statements")
    text = models.TextField("陈述申辩意见")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "陈述申辩"
        verbose_name_plural = "陈述申辩"
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="defence_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.party_id} {self.submitted_at:%Y-%m-%d}"


class DefenceAttachment(models.Model):
    """A file the party attached to their 陈述申辩 (evidence, a 情况说明 …): the bytes are in
    the evidence store (``records.blobs``, content-addressed, checked like an application's
    materials), this row names them. One per submission; a party may submit again within the
    period to add another."""

    statement = models.ForeignKey(
        DefenceStatement, on_delete=models.PROTECT, related_name="attachments"
    )
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    size = models.PositiveBigIntegerField("大小")
    content_type = models.CharField("内容类型", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_name = models.CharField("存储名", max_length=200)

    class Meta:
        verbose_name = "陈述申辩附件"
        verbose_name_plural = "陈述申辩附件"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="defence_attachment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.sha256[:8]}"


# ------------------------------------------------------------------ 网上受理 (issue 16, item 1)


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "填写中"
    SUBMITTED = "submitted", "已提交"


class OnlineApplication(models.Model):
    """An application for a 许可 matter made on the portal (行政许可法 第29条第三款、第33条).

    A draft is reached by its own long random token (stored as its SHA-256 only); submitting
    it opens the licence case (``case``) with the applicant as its party, and from then on the
    applicant uses their party link. The query code printed on the receipt is kept as an HMAC.
    """

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name="事项", on_delete=models.PROTECT, related_name="+"
    )
    guide = models.ForeignKey(
        "catalog.MatterVersion",
        verbose_name="服务指南版本",
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    draft_token_sha256 = models.CharField("草稿链接摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("开始时间", default=timezone.now)
    expires_at = models.DateTimeField("草稿有效期至")
    # The applicant (becomes the case's party on submission).
    kind = models.CharField("申请人类型", max_length=16)
    name = models.CharField("申请人", max_length=120)
    id_number = models.CharField("居民身份证号码", max_length=18, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人或负责人", max_length=60, blank=True)
    phone = models.CharField("联系电话", max_length=40)
    address = models.CharField("联系地址", max_length=200, blank=True)
    request = models.TextField("申请事项及理由")
    # The guide's own items (``catalog.services.application_fields``) as [label, answer] pairs
    # in the guide's order; part of the receipt whose hash the submission's entry records.
    answers = models.JSONField("网上申请填写事项", default=list, blank=True)
    # 电子送达: the application form doubles as the 送达地址确认书 when the applicant chooses it.
    electronic_delivery = models.BooleanField("同意电子送达", default=False)
    email = models.EmailField("电子邮箱", blank=True)
    # Set on submission.
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="案件",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="online_application",
    )
    query_code_hmac = models.CharField("查询码摘要", max_length=64, blank=True)
    content_sha256 = models.CharField("提交内容摘要", max_length=64, blank=True)
    receipt_name = models.CharField("回执PDF存储名", max_length=200, blank=True)
    receipt_sha256 = models.CharField("回执PDF摘要", max_length=64, blank=True)
    receipt_size = models.PositiveIntegerField("回执PDF大小", null=True, blank=True)

    class Meta:
        verbose_name = "网上申请"
        verbose_name_plural = "网上申请"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", case__isnull=True, submitted_at__isnull=True)
                | Q(status="submitted", case__isnull=False, submitted_at__isnull=False)
                & ~Q(content_sha256="")
                & ~Q(query_code_hmac=""),
                name="online_application_submitted_with_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.matter_id}"


class SupplementStatus(models.TextChoices):
    PREPARED = "prepared", "拟告知"
    ISSUED = "issued", "已告知，待补正"
    ANSWERED = "answered", "已补正"


class SupplementRequest(models.Model):
    """The 补正 told at once (行政许可法 第32条第一款第（四）项): every missing or defective item
    of one application. Prepared by staff, issued when the case enters its 补正 stage (the
    applicant sees it only then), answered when the applicant uploads every item."""

    application = models.ForeignKey(
        OnlineApplication, on_delete=models.PROTECT, related_name="supplements"
    )
    items = models.JSONField("需补正的内容", help_text="[{item, reason}]")
    status = models.CharField(
        "状态", max_length=12, choices=SupplementStatus.choices, default=SupplementStatus.PREPARED
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField("拟稿时间", default=timezone.now)
    issued_on = models.DateField("告知日期", null=True, blank=True)
    answered_at = models.DateTimeField("补正提交时间", null=True, blank=True)

    class Meta:
        verbose_name = "补正告知"
        verbose_name_plural = "补正告知"
        ordering = ["prepared_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="prepared", issued_on__isnull=True)
                | Q(status="issued", issued_on__isnull=False, answered_at__isnull=True)
                | Q(status="answered", issued_on__isnull=False, answered_at__isnull=False),
                name="supplement_status_dates",
            ),
            # One live 补正 per application: the law tells everything at once.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["prepared", "issued"]),
                name="supplement_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"


class Material(models.Model):
    """One uploaded 申请材料 (or a 补正 of one): the bytes are in the evidence store
    (``records.blobs``, content-addressed, SHA-256 checked), this row names them."""

    application = models.ForeignKey(
        OnlineApplication, on_delete=models.PROTECT, related_name="materials"
    )
    supplement = models.ForeignKey(
        SupplementRequest,
        on_delete=models.PROTECT,
        related_name="materials",
        null=True,
        blank=True,
    )
    item = models.CharField("申请材料", max_length=120)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    size = models.PositiveBigIntegerField("大小")
    content_type = models.CharField("内容类型", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_name = models.CharField("存储名", max_length=200)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="material_not_empty"),
            models.UniqueConstraint(
                fields=["application", "item"],
                condition=Q(supplement__isnull=True),
                name="material_one_per_item",
            ),
            models.UniqueConstraint(
                fields=["supplement", "item"],
                condition=Q(supplement__isnull=False),
                name="material_one_per_supplement_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.sha256[:8]}"


class HearingRequest(models.Model):
    """A hearing asked for through the party's link (行政处罚法 第63条、第64条第（一）项)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "cases.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="+"
    )
    link = models.ForeignKey(PartyLink, on_delete=models.PROTECT, related_name="hearing_requests")
    reason = models.TextField("要求听证的事项和理由", blank=True)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "听证申请"
        verbose_name_plural = "听证申请"
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.party_id} {self.submitted_at:%Y-%m-%d}"


# ------------------------------------------------------------ 电子送达 (issue 16, item 4)


class DeliveryConsent(models.Model):
    """A party's 送达地址确认书 choosing electronic delivery (行政处罚法 第61条第二款): the
    signed confirmation is an issued ``address_confirmation`` document of the case; the
    electronic address is the party's link (and an e-mail address where given)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "cases.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="+"
    )
    # The signed 送达地址确认书: an issued document, or the online application whose form the
    # applicant confirmed it in (one of the two).
    confirmation = models.ForeignKey(
        "documents.IssuedDocument",
        verbose_name="送达地址确认书",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    application = models.ForeignKey(
        OnlineApplication,
        verbose_name="网上申请（申请书中确认）",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    email = models.EmailField("电子邮箱", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "电子送达确认"
        verbose_name_plural = "电子送达确认"
        constraints = [
            models.UniqueConstraint(fields=["case", "party"], name="delivery_consent_once"),
            models.CheckConstraint(
                condition=Q(confirmation__isnull=False) | Q(application__isnull=False),
                name="delivery_consent_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.party_id}"


class ElectronicDelivery(models.Model):
    """One document sent to a party electronically; ``delivered_at`` is the 送达 time: when the
    party opened it through their link, or, by the agency's rule, when it was sent."""

    consent = models.ForeignKey(DeliveryConsent, on_delete=models.PROTECT, related_name="sent")
    document = models.ForeignKey(
        "documents.IssuedDocument",
        verbose_name="文书",
        on_delete=models.PROTECT,
        related_name="+",
    )
    pdf_sha256 = models.CharField("文书PDF摘要", max_length=64)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发送人", on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    emailed = models.BooleanField("已发送邮件", default=False)
    opened_at = models.DateTimeField("当事人打开时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    rule = models.CharField("送达时间规则", max_length=10)  # "opened" | "sent"

    class Meta:
        verbose_name = "电子送达"
        verbose_name_plural = "电子送达"
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consent", "document"], name="edelivery_once"),
            models.CheckConstraint(condition=Q(rule__in=["opened", "sent"]), name="edelivery_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.consent_id}"
