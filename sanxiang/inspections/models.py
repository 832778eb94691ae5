"""双随机、一公开: the 检查对象名录库, declared conflicts, plans, draws and their assignments.

The 执法检查人员名录库 is not a table: it is derived from the officer library (directory) at the
moment a plan is frozen, and kept inside the frozen input. Every change here goes through
``services`` and is ledgered; a frozen plan's input is a text whose hash is in the ledger, so
an edit of the row after the freeze is caught before any draw (``draw_input_changed``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q


class TargetKind(models.TextChoices):
    ORGANISATION = "organisation", "法人或其他组织"
    NATURAL = "natural", "自然人"


class TargetCategory(models.TextChoices):
    VENUE = "venue", "宗教活动场所"
    SCHOOL = "school", "宗教院校"
    GOODS = "goods", "民族宗教用品经营者"
    HALAL = "halal", "清真食品经营者"
    PUBLICATION = "publication", "宗教出版物经营者"
    GROUP = "group", "宗教团体"
    OTHER = "other", "其他"


class RiskGrade(models.TextChoices):
    LOW = "low", "低风险"
    MEDIUM = "medium", "中风险"
    HIGH = "high", "高风险"


class Target(models.Model):
    """One entry of the 检查对象名录库 of an agency."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("对象类型", max_length=16, choices=TargetKind.choices)
    name = models.CharField("名称或姓名", max_length=120)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    id_number = models.CharField("身份证件号码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人或负责人", max_length=60, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    area = models.CharField("所在区域", max_length=60)
    category = models.CharField("对象类别", max_length=16, choices=TargetCategory.choices)
    matters = models.ManyToManyField(
        "catalog.Matter", verbose_name="适用抽查事项", related_name="+", blank=True
    )
    risk_grade = models.CharField(
        "风险等级", max_length=8, choices=RiskGrade.choices, default=RiskGrade.LOW
    )
    credit_grade = models.CharField("信用等级", max_length=8, blank=True)
    complaint = models.BooleanField("有待查投诉举报", default=False)
    active = models.BooleanField("在册", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    is_demo = models.BooleanField("演示数据", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象名录库"
        ordering = ["agency_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "credit_code"],
                condition=~Q(credit_code=""),
                name="inspection_target_code_unique",
            ),
            models.UniqueConstraint(
                fields=["agency", "id_number"],
                condition=~Q(id_number=""),
                name="inspection_target_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind="organisation", id_number="")
                | Q(kind="natural", credit_code="", id_number__gt=""),
                name="inspection_target_identifier_fits_kind",
            ),
            models.CheckConstraint(
                condition=Q(risk_grade__in=RiskGrade.values), name="inspection_target_grade_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def draw_id(self) -> str:
        """The id in a published draw: the credit code, or for a person a number that is not
        their ID card (the portal never shows that)."""
        return self.credit_code or f"P{self.pk:08d}"


class TargetVersion(models.Model):
    """One version of a target's entry, in force on [valid_from, valid_to) (the 名录库 is
    versioned like the other lists: a new version on every save, import or result that changes
    the grade; the old one is closed, never rewritten)."""

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    fields = models.JSONField("登记内容")  # name, codes, address, area, category, grades, matters
    reason = models.CharField("变更原因", max_length=60)
    valid_from = models.DateTimeField("生效时间")
    valid_to = models.DateTimeField("失效时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查对象版本"
        verbose_name_plural = "检查对象版本"
        ordering = ["target_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["target", "version"], name="inspection_target_version"),
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(valid_to__isnull=True),
                name="inspection_target_one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} v{self.version}"

    @property
    def grade_label(self) -> str:
        grade = str(self.fields.get("risk_grade", ""))
        return str(dict(RiskGrade.choices).get(grade, grade))


class ConflictKind(models.TextChoices):
    RELATIVE = "relative", "近亲属关系"
    EMPLOYER = "employer", "曾任职或有利害关系"
    AREA = "area", "居住或亲属所在区域"
    OTHER = "other", "其他应当回避的情形"


class Conflict(models.Model):
    """An officer's declared conflict: with one target, or with an area (回避)."""

    officer = models.ForeignKey(
        "directory.Officer", verbose_name="执法人员", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("回避情形", max_length=16, choices=ConflictKind.choices)
    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.PROTECT, null=True, blank=True
    )
    area = models.CharField("区域", max_length=60, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    declared_on = models.DateField("申报日期")
    withdrawn = models.BooleanField("已撤回", default=False)

    class Meta:
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"
        constraints = [
            models.CheckConstraint(
                condition=(Q(target__isnull=False) & Q(area=""))
                | (Q(target__isnull=True) & ~Q(area="")),
                name="inspection_conflict_target_or_area",
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer_id}: {self.target_id or self.area}"


class TeamMix(models.TextChoices):
    """How a 联合抽查 makes its teams (sanxiang-draw/2, docs/draw.md §4a)."""

    MIXED = "mixed", "混合编组（承办部门2名，其他部门各1名）"
    OWN = "own", "各部门分别组队（由对象所属部门检查）"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    FROZEN = "frozen", "已冻结，待抽取"
    DRAWN = "drawn", "已抽取"


class Plan(models.Model):
    """An 抽查计划: matters, the target filter, the ratio or count, the period, the teams."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="牵头执法主体", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("计划编号", max_length=40)
    title = models.CharField("计划名称", max_length=200)
    year = models.PositiveIntegerField("年度")
    matters = models.ManyToManyField("catalog.Matter", verbose_name="抽查事项", related_name="+")
    categories = models.JSONField("对象类别", default=list, blank=True)
    areas = models.JSONField("区域", default=list, blank=True)
    ratio = models.DecimalField(
        "抽查比例(%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    count = models.PositiveIntegerField("抽查数量", null=True, blank=True)
    period_start = models.DateField("检查开始日期")
    period_end = models.DateField("检查结束日期")
    team_size = models.PositiveSmallIntegerField("每组人数", default=2)
    key_rules = models.JSONField("重点检查规则", default=list, blank=True)
    joint_agencies = models.ManyToManyField(
        "directory.Agency", verbose_name="联合抽查部门", related_name="+", blank=True
    )
    team_mix = models.CharField(
        "联合抽查编组方式", max_length=8, choices=TeamMix.choices, default=TeamMix.MIXED
    )
    inspector_pool = models.ManyToManyField(
        "directory.Officer", verbose_name="指定执法检查人员", related_name="+", blank=True
    )
    status = models.CharField(
        "状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    frozen_input = models.TextField("冻结的抽取输入(规范JSON)", blank=True)
    input_sha256 = models.CharField("计划摘要", max_length=64, blank=True)
    frozen_at = models.DateTimeField("冻结时间", null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="拟定人"
    )
    created_at = models.DateTimeField("拟定时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "抽查计划"
        verbose_name_plural = "抽查计划"
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="inspection_plan_number"),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="inspection_plan_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(ratio__isnull=False) & Q(count__isnull=True))
                | (Q(ratio__isnull=True) & Q(count__gt=0)),
                name="inspection_plan_ratio_or_count",
            ),
            models.CheckConstraint(
                condition=Q(ratio__isnull=True) | Q(ratio__gt=0, ratio__lte=100),
                name="inspection_plan_ratio_range",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="inspection_plan_period"
            ),
            models.CheckConstraint(condition=Q(team_size__gte=2), name="inspection_plan_team"),
            models.CheckConstraint(
                condition=Q(team_mix__in=TeamMix.values), name="inspection_plan_team_mix_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def key_rules_text(self) -> str:
        """重点检查 rules as people read them: 高风险 20%（不受年度一次限制）."""
        labels = dict(RiskGrade.choices)
        return "；".join(
            f"{labels.get(r['grade'], r['grade'])}对象 {r['ratio']}%"
            + ("（不受年度一次限制）" if r.get("exempt_cap") else "")
            for r in self.key_rules
        )


class DrawStatus(models.TextChoices):
    PENDING = "pending", "等待检查点"
    DRAWN = "drawn", "已抽取"
    SUPERSEDED = "superseded", "已被重新抽取取代"


class Draw(models.Model):
    """One round of drawing a frozen plan; round 2+ exists only with a recorded reason."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="draws")
    round = models.PositiveSmallIntegerField("轮次")
    reason = models.TextField("重新抽取理由", blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=DrawStatus.choices, default=DrawStatus.PENDING
    )
    seed_entry_id = models.BigIntegerField("种子来源账本条目")
    checkpoint_id = models.BigIntegerField("种子检查点", null=True, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    certificate = models.TextField("抽取证书(JSON)", blank=True)
    certificate_sha256 = models.CharField("证书摘要", max_length=64, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽取"
        verbose_name_plural = "抽取"
        ordering = ["plan_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "round"], name="inspection_draw_round"),
            models.CheckConstraint(condition=Q(round__gte=1), name="inspection_draw_round_pos"),
            models.CheckConstraint(
                condition=Q(round=1) | ~Q(reason=""), name="inspection_redraw_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DrawStatus.values), name="inspection_draw_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} 第{self.round}轮"


class Outcome(models.TextChoices):
    CLEAR = "clear", "未发现问题"
    RECTIFY = "rectify", "责令整改"
    PENALTY = "penalty", "立案查处"
    REFERRAL = "referral", "移送有关部门"


class Assignment(models.Model):
    """A drawn target with its team; executed as a 行政检查 case, its result published."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="assignments")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="assignments")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="assignments")
    position = models.PositiveIntegerField("抽取顺序")
    stratum = models.CharField("抽取层", max_length=40)
    team = models.ManyToManyField("directory.Officer", verbose_name="检查组", related_name="+")
    team_order = models.JSONField("检查组证件号(抽取顺序)", default=list)
    active = models.BooleanField("有效", default=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="检查案件",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_assignment",
    )
    outcome = models.CharField("检查结果", max_length=10, choices=Outcome.choices, blank=True)
    findings = models.TextField("检查情况", blank=True)
    inspected_on = models.DateField("检查完成日期", null=True, blank=True)
    rectify_by = models.DateField("整改期限", null=True, blank=True)
    follow_up_on = models.DateField("复查日期", null=True, blank=True)
    follow_up_note = models.TextField("复查情况", blank=True)
    penalty_case = models.ForeignKey(
        "cases.Case",
        verbose_name="立案查处案件",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referred_to = models.CharField("移送机关", max_length=120, blank=True)
    publish_by = models.DateField("公示期限", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["draw_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw", "position"], name="inspection_assignment_position"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                name="inspection_assignment_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="rectify") | Q(rectify_by__isnull=False),
                name="inspection_rectify_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="referral") | ~Q(referred_to=""),
                name="inspection_referral_names_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.position} {self.target_id}"

    def ordered_team(self) -> list[Any]:
        """The team in draw order (in a mixed 联合抽查: the executing agency's two first)."""
        rank = {code: n for n, code in enumerate(self.team_order)}
        return sorted(self.team.all(), key=lambda o: rank.get(o.certificate_no, len(rank)))
