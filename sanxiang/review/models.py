"""法制审核: the review catalogue (versioned, per agency), a case's review file, its rounds,
the manual "major" flags, 集体讨论 records and the gate record of each decision let through.

The database backstop (migration 0002) is a trigger on ``cases_case``: a case whose
``CaseReview.major`` is set cannot enter the ``decision`` stage unless its latest review round is
passed and was given on the draft's current fingerprint (行政处罚法 第58条).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from . import checklist


class CatalogueVersion(models.Model):
    """One version of an agency's 重大执法决定法制审核目录清单, effective on [valid_from, valid_to).

    The rules are grouped by matter category: 处罚 (fines, 没收, 吊销, 停产停业, 降低资质, hearing,
    outside the 裁量基准), 许可 (refusal, withdrawal), 强制 (auction of seized goods). The figures
    are local defaults (DOMAIN.md): each agency publishes its own.
    """

    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name="执法主体",
        on_delete=models.PROTECT,
        related_name="review_catalogues",
    )
    number = models.PositiveIntegerField("版本号")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    change_note = models.CharField("变更说明", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # 处罚
    fine_natural = models.DecimalField(
        "罚款金额：个人（元，达到即审核）",
        max_digits=12,
        decimal_places=2,
        default=Decimal("10000.00"),
    )
    fine_organisation = models.DecimalField(
        "罚款金额：单位（元，达到即审核）",
        max_digits=12,
        decimal_places=2,
        default=Decimal("100000.00"),
    )
    confiscation_value = models.DecimalField(
        "没收违法所得、非法财物价值（元，达到即审核）",
        max_digits=12,
        decimal_places=2,
        default=Decimal("50000.00"),
    )
    licence_revocation = models.BooleanField("暂扣或者吊销许可证件", default=True)
    suspension = models.BooleanField("责令停产停业、责令关闭", default=True)
    qualification_lowering = models.BooleanField("降低资质等级", default=True)
    hearing_held = models.BooleanField("经过听证程序", default=True)
    outside_benchmark = models.BooleanField("超出裁量基准范围", default=True)
    # 许可
    licence_refusal = models.BooleanField("不予行政许可", default=True)
    licence_withdrawal = models.BooleanField("撤回行政许可", default=True)
    # 强制
    seizure_auction = models.BooleanField("拍卖查封扣押的财物", default=True)
    # The review's own time limit (a provincial 住建 rule as the example; configurable).
    review_days = models.PositiveIntegerField("审核时限（工作日）", default=7)
    extension_days = models.PositiveIntegerField("经负责人批准可延长（工作日）", default=3)
    warn_days = models.PositiveIntegerField("到期前预警（工作日）", default=2)

    class Meta:
        verbose_name = "法制审核目录清单"
        verbose_name_plural = "法制审核目录清单"
        ordering = ["agency_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="review_catalogue_unique"),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(valid_to__isnull=True),
                name="review_catalogue_one_current",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="review_catalogue_period_positive",
            ),
            models.CheckConstraint(
                condition=Q(fine_natural__gte=0)
                & Q(fine_organisation__gte=0)
                & Q(confiscation_value__gte=0),
                name="review_catalogue_thresholds_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(review_days__gte=1), name="review_catalogue_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} 法制审核目录清单 第{self.number}版"


class MajorReason(models.TextChoices):
    """Why the head or the case unit flags a case as major by hand: the categories of the seed
    plan §四(三)3(1) that no figure decides (the hearing and the amounts are decided by the rules
    of the catalogue, review.rules)."""

    PUBLIC_INTEREST = "public_interest", "涉及重大公共利益"
    SOCIAL_RISK = "social_risk", "可能造成重大社会影响或引发社会风险"
    MAJOR_RIGHTS = "major_rights", "直接关系行政相对人或第三人重大权益"
    COMPLEX = "complex", "案情疑难复杂"
    MULTIPLE_RELATIONS = "multiple_relations", "涉及多个法律关系"


class MajorFlag(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="major_flags"
    )
    reason = models.CharField("理由", max_length=32, choices=MajorReason.choices)
    note = models.TextField("说明")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="认定人", on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField("认定时间")

    class Meta:
        verbose_name = "重大执法决定认定"
        verbose_name_plural = "重大执法决定认定"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=MajorReason.values), name="major_flag_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}：{self.note}"


class CaseReview(models.Model):
    """A case's review file. ``major`` is what the database trigger reads; it is set by the
    services (flag, submission, every transition that finds the draft major) and never unset:
    once major, a case is decided only on a reviewed draft."""

    case = models.OneToOneField(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="legal_review"
    )
    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    major = models.BooleanField("重大执法决定", default=False)
    reviewer = models.ForeignKey(
        "directory.Officer",
        verbose_name="审核人员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    disputed = models.BooleanField("承办机构有异议", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "法制审核"
        verbose_name_plural = "法制审核"

    def __str__(self) -> str:
        return f"案件{self.case_id}法制审核"


class RoundStatus(models.TextChoices):
    SUBMITTED = "submitted", "待分配"
    ASSIGNED = "assigned", "审核中"
    PASSED = "passed", "同意"
    FAILED = "failed", "存在问题"


OPEN_STATUSES = (RoundStatus.SUBMITTED, RoundStatus.ASSIGNED)


class ReviewRound(models.Model):
    """One submission of a draft and the review it received. Rounds are never edited after the
    opinion; a revised draft is a new round, with the diff against the previous one."""

    review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveIntegerField("轮次")
    status = models.CharField(
        "状态", max_length=16, choices=RoundStatus.choices, default=RoundStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间")
    response = models.TextField("修改说明", blank=True)
    materials = models.JSONField("报送材料", default=dict)
    draft = models.JSONField("决定草稿快照", default=dict)
    fingerprint = models.CharField("草稿指纹", max_length=64)
    draft_revision = models.PositiveIntegerField("草稿版次")
    diff = models.JSONField("与上一轮比较", default=list)
    major_reasons = models.JSONField("重大执法决定认定理由", default=list)
    reviewer = models.ForeignKey(
        "directory.Officer",
        verbose_name="审核人员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_rounds",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="分配人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField("分配时间", null=True, blank=True)
    due_on = models.DateField("审核期限")
    extended = models.BooleanField("已延长", default=False)
    extension_reason = models.CharField("延长理由", max_length=200, blank=True)
    checklist = models.JSONField("审核要点", default=list)
    opinion = models.TextField("审核意见", blank=True)
    required_changes = models.TextField("需修改的内容", blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    opinion_pdf = models.FileField("法制审核意见书", upload_to="review/opinions/", blank=True)
    pdf_sha256 = models.CharField("意见书SHA-256", max_length=64, blank=True)

    class Meta:
        verbose_name = "审核轮次"
        verbose_name_plural = "审核轮次"
        ordering = ["review_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_round_unique"),
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(status__in=["submitted", "assigned"]),
                name="review_one_open_round",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="review_round_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted"]) | Q(reviewer__isnull=False),
                name="review_round_assigned_has_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "assigned"])
                | (Q(reviewed_at__isnull=False) & ~Q(opinion="")),
                name="review_round_decided_has_opinion",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="review_round_queue_idx")]

    def __str__(self) -> str:
        return f"第{self.number}轮"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def labelled_checklist(self) -> list[dict[str, object]]:
        return [{"label": checklist.LABELS.get(m["code"], m["code"]), **m} for m in self.checklist]

    @property
    def labelled_materials(self) -> list[tuple[str, str]]:
        return [
            (label, self.materials.get(code, ""))
            for code, label in checklist.MATERIALS
            if code != "draft_decision" and self.materials.get(code)
        ]


class DiscussionOutcome(models.TextChoices):
    # 行政处罚法 第58条: without a passing review no decision is made, so no outcome of the
    # 集体讨论 opens the gate by itself; "resolved" sends the draft back for a passing opinion.
    # 第57条第2款: the heads' 集体讨论 of a 情节复杂 or 重大违法 case decides for the draft.
    DECIDE = "decide", "同意按拟定意见作出决定"
    RESOLVED = "resolved", "分歧已解决，报法制审核出具意见"
    REVISE = "revise", "承办机构按审核意见修改后重新报审"
    NO_DECISION = "no_decision", "不予作出该决定"


class Discussion(models.Model):
    """A 集体讨论 chaired by the head (行政处罚法 第57条): on a persistent disagreement, or on a
    case 第57条第2款 puts to the heads (``review.collective``); its 集体讨论记录 is a document."""

    review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="discussions")
    round = models.ForeignKey(
        ReviewRound, on_delete=models.PROTECT, related_name="discussions", null=True
    )
    held_on = models.DateField("讨论日期")
    attendees = models.JSONField("参加人员", default=list)
    outcome = models.CharField("结论", max_length=16, choices=DiscussionOutcome.choices)
    minutes = models.TextField("讨论记录")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "集体讨论"
        verbose_name_plural = "集体讨论"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DiscussionOutcome.values),
                name="discussion_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} 集体讨论：{self.get_outcome_display()}"


class DecisionGate(models.Model):
    """The record that a major decision went through the gate: which passed round, which
    draft. Written in the transition's own transaction."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="gates")
    fingerprint = models.CharField("草稿指纹", max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "决定放行记录"
        verbose_name_plural = "决定放行记录"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"案件{self.case_id}依第{self.round_id}号审核放行"
