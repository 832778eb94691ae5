"""公示: window posts (岗位), publication rules, the publication queue and the annual report."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class Post(models.Model):
    """A 岗位信息公示牌 at a service window (DOMAIN.md, 事中公示)."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="单位", on_delete=models.PROTECT, related_name="posts"
    )
    window = models.CharField("窗口", max_length=60)
    officer = models.ForeignKey(
        "directory.Officer",
        verbose_name="在岗人员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    name = models.CharField("姓名", max_length=60)
    position = models.CharField("职务", max_length=60, blank=True)
    duties = models.TextField("岗位职责")
    enforcement_kinds = models.CharField("执法种类", max_length=200, blank=True)
    sample_materials = models.TextField("申请材料示范文本", blank=True)
    progress_query = models.CharField("办理进度查询", max_length=200, blank=True)
    consultation = models.CharField("咨询服务", max_length=200, blank=True)
    complaint = models.CharField("投诉举报", max_length=200, blank=True)
    is_active = models.BooleanField("在用", default=True)
    is_demo = models.BooleanField("演示数据", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "岗位信息公示牌"
        verbose_name_plural = "岗位信息公示牌"
        ordering = ["agency_id", "window", "pk"]

    def __str__(self) -> str:
        return f"{self.window} · {self.name}"


class RuleCategory(models.TextChoices):
    """Which decisions a publication rule governs (DOMAIN.md: 7 days for 许可/处罚, 20 else)."""

    PENALTY = "penalty", "行政处罚"
    LICENCE = "licence", "行政许可"
    OTHER = "other", "其他行政执法决定"


class PublicationRule(models.Model):
    """An agency's configurable publication clock and policy for one category of decision."""

    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name="执法主体",
        on_delete=models.PROTECT,
        related_name="publication_rules",
    )
    category = models.CharField("决定类别", max_length=16, choices=RuleCategory.choices)
    days = models.PositiveIntegerField("公示时限(工作日)")
    publish_summary_procedure = models.BooleanField("公示简易程序决定", default=True)
    publish_warning_only = models.BooleanField("公示仅警告的决定", default=True)
    period_days = models.PositiveIntegerField("公示期限(天)", default=365)
    natural_person_period_days = models.PositiveIntegerField("自然人公示期限(天)", default=180)
    warn_days = models.PositiveIntegerField("提前预警(工作日)", default=3)
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "公示规则"
        verbose_name_plural = "公示规则"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "category"], name="publication_rule_unique_per_agency"
            ),
            models.CheckConstraint(
                condition=Q(category__in=RuleCategory.values), name="publication_rule_category"
            ),
            models.CheckConstraint(condition=Q(days__gt=0), name="publication_rule_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.category} {self.days}"


class PublicationStatus(models.TextChoices):
    QUEUED = "queued", "待公示"
    PUBLISHED = "published", "已公示"
    EXCLUDED = "excluded", "不予公示"
    WITHDRAWN = "withdrawn", "已撤回"
    EXPIRED = "expired", "公示期满"


class ExclusionKind(models.TextChoices):
    """Why a decision is not published (118号; 政府信息公开条例 第14、15条)."""

    MINOR = "minor", "当事人为未成年人"
    STATE_SECRET = "state_secret", "涉及国家秘密"
    TRADE_SECRET = "trade_secret", "涉及商业秘密"
    PRIVACY = "privacy", "涉及个人隐私"
    SECURITY = "security", "公开可能危及安全稳定"
    SUMMARY_PROCEDURE = "summary_procedure", "简易程序决定（按本机关规则不公示）"
    WARNING_ONLY = "warning_only", "仅警告的决定（按本机关规则不公示）"


class WithdrawalKind(models.TextChoices):
    """Why a published decision is taken down (行政处罚法 第48条)."""

    CHANGED = "changed", "决定被变更"
    REVOKED = "revoked", "决定被撤销"
    ILLEGAL = "illegal", "决定被确认违法"
    VOID = "void", "决定被确认无效"


class Publication(models.Model):
    """One decision on its way to (and on) the portal. The published content is a snapshot."""

    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name="执法主体",
        on_delete=models.PROTECT,
        related_name="publications",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="publications"
    )
    status = models.CharField(
        "状态", max_length=16, choices=PublicationStatus.choices, default=PublicationStatus.QUEUED
    )
    category = models.CharField("决定类别", max_length=16, choices=RuleCategory.choices)
    procedure = models.CharField("程序", max_length=32)
    # 摘要 (DOMAIN.md: 文号、当事人、违法行为类型、处罚内容、机关、日期), already masked.
    doc_number = models.CharField("文号", max_length=80)
    party = models.CharField("当事人", max_length=200)
    party_is_natural = models.BooleanField("当事人为自然人", default=False)
    matter_name = models.CharField("违法行为类型/事项", max_length=200)
    outcome = models.CharField("处罚/决定内容", max_length=300)
    agency_name = models.CharField("机关", max_length=120)
    decided_on = models.DateField("决定日期")
    amount = models.DecimalField("罚没金额", max_digits=14, decimal_places=2, null=True)
    masked_text = models.TextField("公示全文(已脱敏)")
    source_text = models.TextField("决定书原文", blank=True)
    search_text = models.TextField("检索文本", blank=True)
    # The clock: due_on is NULL when the calendar lacks a year (calendar_gap_year says which).
    due_on = models.DateField("公示期限", null=True)
    calendar_gap_year = models.PositiveIntegerField("缺少日历年度", null=True)
    period_days = models.PositiveIntegerField("公示期限(天)", default=365)
    created_at = models.DateTimeField("进入队列时间")
    published_at = models.DateTimeField("公示时间", null=True)
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    ends_on = models.DateField("公示截止", null=True)
    content_sha256 = models.CharField("公示内容摘要", max_length=64, blank=True)
    ledger_entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, null=True, related_name="+"
    )
    exclusion_kind = models.CharField(
        "不予公示原因", max_length=24, choices=ExclusionKind.choices, blank=True
    )
    exclusion_reason = models.TextField("不予公示说明", blank=True)
    revoked_on = models.DateField("决定被变更/撤销日期", null=True)
    withdraw_due_on = models.DateField("撤回期限", null=True)
    withdrawal_kind = models.CharField(
        "撤回原因", max_length=16, choices=WithdrawalKind.choices, blank=True
    )
    withdrawal_reason = models.TextField("撤回说明", blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True)
    expired_at = models.DateTimeField("期满下线时间", null=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "公示事项"
        verbose_name_plural = "公示事项"
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PublicationStatus.values), name="publication_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="publication_published_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="excluded") | ~Q(exclusion_kind=""),
                name="publication_excluded_has_reason",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["queued", "published"]),
                name="publication_one_live_per_case",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-decided_on", "-id"], name="publication_list_idx"),
            models.Index(fields=["agency", "status", "due_on"], name="publication_queue_idx"),
            models.Index(fields=["doc_number"], name="publication_doc_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.party}"


class AnnualReport(models.Model):
    """The 年报 of one agency for one year: the narrative and when it was published."""

    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name="执法主体",
        on_delete=models.PROTECT,
        related_name="annual_reports",
    )
    year = models.PositiveIntegerField("年度")
    narrative = models.TextField("总体情况说明", blank=True)
    published_at = models.DateTimeField("发布时间", null=True)
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "行政执法统计年报"
        verbose_name_plural = "行政执法统计年报"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="annual_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}"


class CorrectionTarget(models.TextChoices):
    """What a 纠错 report is about: any item the portal publishes (seed §四(一)1)."""

    DECISION = "decision", "执法决定"
    AGENCY = "agency", "执法主体信息"
    MATTER = "matter", "执法事项与服务指南"
    OFFICER = "officer", "执法人员信息"
    POST = "post", "岗位信息公示牌"
    REPORT = "report", "年度统计报告"
    OTHER = "other", "其他公示信息"


class CorrectionStatus(models.TextChoices):
    RECEIVED = "received", "待答复"
    ANSWERED = "answered", "已答复"


class CorrectionOutcome(models.TextChoices):
    CORRECTED = "corrected", "已更正"
    WITHDRAWN = "withdrawn", "已撤回"
    NO_ERROR = "no_error", "经核查信息无误"
    REFERRED = "referred", "已转有关机关处理"


class CorrectionReport(models.Model):
    """A citizen's report of an error in published information, and the agency's answer.

    Both are ledger entries (``disclosure.correction_reported`` / ``_answered``); the answer
    links the correction or withdrawal (its portal page and its ledger entry). The reporter's
    address is kept only as a keyed hash, for the rate limit; the contact is optional.
    """

    reference = models.CharField("查询码", max_length=24, unique=True)
    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name="执法主体",
        on_delete=models.PROTECT,
        related_name="correction_reports",
    )
    target_kind = models.CharField("纠错对象", max_length=16, choices=CorrectionTarget.choices)
    target_id = models.BigIntegerField("对象编号", null=True)
    target_label = models.CharField("对象名称", max_length=200)
    target_path = models.CharField("对象页面", max_length=200, blank=True)
    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, null=True, related_name="correction_reports"
    )
    description = models.TextField("错误说明")
    contact = models.CharField("联系方式", max_length=100, blank=True)
    address_key = models.CharField("来源地址(摘要)", max_length=64)
    received_at = models.DateTimeField("收到时间")
    answer_due_on = models.DateField("答复期限", null=True)
    report_entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.RECEIVED
    )
    outcome = models.CharField(
        "处理结果", max_length=16, choices=CorrectionOutcome.choices, blank=True
    )
    answer = models.TextField("答复", blank=True)
    resolution_path = models.CharField("更正或撤回后的页面", max_length=200, blank=True)
    resolution_entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, null=True, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True)
    answered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    answer_entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "纠错"
        verbose_name_plural = "纠错"
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CorrectionStatus.values), name="correction_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(target_kind__in=CorrectionTarget.values),
                name="correction_target_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="received", outcome="")
                | Q(
                    status="answered",
                    outcome__in=CorrectionOutcome.values,
                    answered_at__isnull=False,
                ),
                name="correction_answer_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "received_at"], name="correction_inbox_idx"),
            models.Index(fields=["address_key", "received_at"], name="correction_rate_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.target_label}"


class FactKind(models.TextChoices):
    """What the 年报 counts but no procedure records: entered by staff, one row per event."""

    RECONSIDERATION = "reconsideration", "行政复议"
    LITIGATION = "litigation", "行政诉讼"
    ENFORCEMENT = "enforcement", "行政强制执行（本机关执行）"
    COURT_ENFORCEMENT = "court_enforcement", "申请人民法院强制执行"
    JUDICIAL_TRANSFER = "judicial_transfer", "移送司法机关"
    RECTIFICATION = "rectification", "检查发现问题，责令整改"


# 复议 and 诉讼 have an outcome (行政复议法 第63-68条; 行政诉讼法 第69-78条); the others do not.
REMEDY_KINDS = (FactKind.RECONSIDERATION, FactKind.LITIGATION)


class FactOutcome(models.TextChoices):
    UPHELD = "upheld", "维持或驳回请求"
    REVOKED = "revoked", "撤销"
    CHANGED = "changed", "变更"
    ILLEGAL = "illegal", "确认违法或无效"
    ORDERED = "ordered", "责令履行"
    SETTLED = "settled", "调解、和解"
    TERMINATED = "terminated", "终止或撤回申请"
    PENDING = "pending", "尚未审结"


class ReportFact(models.Model):
    """A 复议, 诉讼, 强制执行, 申请法院强制执行, 移送司法 or 整改 of a case, entered by staff."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="report_facts"
    )
    kind = models.CharField("类别", max_length=24, choices=FactKind.choices)
    outcome = models.CharField("结果", max_length=16, choices=FactOutcome.choices, blank=True)
    occurred_on = models.DateField("日期")
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间")
    ledger_entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "年报登记事项"
        verbose_name_plural = "年报登记事项"
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FactKind.values), name="report_fact_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=REMEDY_KINDS, outcome__in=FactOutcome.values)
                | (~Q(kind__in=REMEDY_KINDS) & Q(outcome="")),
                name="report_fact_outcome_for_remedies",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "occurred_on"], name="report_fact_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.occurred_on}"


class SampleText(models.Model):
    """A 申请材料示范文本 of one matter's 服务指南: the example content an applicant follows."""

    matter = models.ForeignKey(
        "catalog.Matter", verbose_name="执法事项", on_delete=models.PROTECT, related_name="samples"
    )
    material = models.CharField("申请材料", max_length=120)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("示范内容")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    updated_at = models.DateTimeField("更新时间")
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "申请材料示范文本"
        verbose_name_plural = "申请材料示范文本"
        ordering = ["matter_id", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class MaskAction(models.TextChoices):
    ADD = "add", "增加遮盖"
    LIFT = "lift", "解除遮盖"


class MaskOverride(models.Model):
    """A staff decision about one stretch of a queued decision's text, made in the 保密审查
    before publication: mask what the rules missed, or lift a mask the rules got wrong. Both
    carry a reason and a ledger entry; the published text is the rules' output with these
    applied (``disclosure.masking``)."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="mask_overrides"
    )
    action = models.CharField("操作", max_length=8, choices=MaskAction.choices)
    # Positions in ``Publication.source_text``, which is a snapshot and does not change.
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    as_name = models.BooleanField("按自然人姓名遮盖", default=False)
    reason = models.TextField("理由")
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "脱敏调整"
        verbose_name_plural = "脱敏调整"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=MaskAction.values), name="mask_override_action_valid"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="mask_override_span"),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.action} {self.start}-{self.end}"
