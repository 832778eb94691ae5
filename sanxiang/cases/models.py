"""Cases (案件): parties, team, recusal, the decision draft, deadlines, 裁量基准.

The timeline is the ledger (``history.py``): there is no case-event table."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from sanxiang.procedures.definitions import DEFINITIONS, Definition


class CaseSource(models.TextChoices):
    COMPLAINT = "complaint", "投诉举报"
    INSPECTION = "inspection", "检查发现"
    REFERRAL = "referral", "移送"
    ASSIGNED = "assigned", "上级交办"
    APPLICATION = "application", "依申请"
    OTHER = "other", "其他"


class Case(models.Model):
    """One case of an agency (执法主体), moving through the stages of its procedure definition."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="cases"
    )
    number = models.CharField("案件编号", max_length=60)
    year = models.PositiveIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    # A code of ``procedures.definitions.DEFINITIONS``, checked by ``open_case``: no choices and
    # no CHECK, so a new procedure is one definition and no migration (issue 10, item 1).
    procedure = models.CharField("程序", max_length=32)
    stage = models.CharField("阶段", max_length=32)
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name="执法事项", on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField("案由", max_length=200)
    source = models.CharField("案件来源", max_length=16, choices=CaseSource.choices)
    facts = models.TextField("基本案情", blank=True)
    opened_on = models.DateField("立案日期")
    # 时效 (行政处罚法 第36条): the day the act happened, or ended if continuing or repeated,
    # the day it was discovered, and the period applied (2 years; 5 where 公民生命健康安全、
    # 金融安全 are concerned with harm done; another where a law says so, with its basis).
    violation_on = models.DateField("违法行为发生（终了）日期", null=True, blank=True)
    discovered_on = models.DateField("发现日期", null=True, blank=True)
    limitation_years = models.PositiveSmallIntegerField("追责时效（年）", null=True, blank=True)
    limitation_basis = models.CharField("时效依据", max_length=200, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    # The hash of the DraftSnapshot the decision was made on (set by the decision transition).
    decided_snapshot = models.CharField("决定所依草稿摘要", max_length=64, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="case_number_unique"),
            models.UniqueConstraint(fields=["agency", "year", "seq"], name="case_seq_unique"),
            models.CheckConstraint(
                condition=Q(stage__isnull=False) & ~Q(stage=""), name="case_stage_not_empty"
            ),
            # A decision date before filing is refused (the service says so first).
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("opened_on")),
                name="case_decided_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "stage"], name="case_agency_stage_idx"),
            # The case list's default order (newest filing first) read from the index, so a
            # page of a million cases needs no sort.
            models.Index(fields=["agency", "opened_on", "id"], name="case_agency_opened_idx"),
            # The open cases of an agency, with what the cockpit counts them by, from the index
            # alone (supervision.queries: stage counts and teams in one scan).
            models.Index(
                fields=["agency", "stage", "procedure", "id"],
                condition=Q(closed_on__isnull=True),
                name="case_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def definition(self) -> Definition:
        return DEFINITIONS[self.procedure]

    @property
    def stage_label(self) -> str:
        return self.definition.label_of(self.stage)

    @property
    def procedure_label(self) -> str:
        return self.definition.label


class PartyKind(models.TextChoices):
    NATURAL = "natural", "自然人"
    # "organisation" was 法人或其他组织 until 其他组织 had its own kind; the code stays so that
    # snapshots, review thresholds and exchange payloads of existing cases keep their meaning.
    ORGANISATION = "organisation", "法人"
    # 民法典 第54条: a natural person who runs a business under a 字号; the party's name is the
    # business name, the 经营者 is ``legal_representative`` and the ID number is the operator's.
    INDIVIDUAL_BUSINESS = "individual_business", "个体工商户"
    # 非法人组织 (民法典 第102条): 个人独资企业、合伙企业、宗教活动场所未登记法人的 …, 负责人.
    OTHER_ORGANISATION = "other_organisation", "其他组织"


# Kinds the 行政处罚法 treats as 公民 (第51、63条 thresholds), and as 法人或者其他组织.
PERSON_KINDS = frozenset({PartyKind.NATURAL, PartyKind.INDIVIDUAL_BUSINESS})
BODY_KINDS = frozenset({PartyKind.ORGANISATION, PartyKind.OTHER_ORGANISATION})


def threshold_class(kind: str) -> str:
    """ "natural" or "organisation": which of 第51、63条's figures a party of ``kind`` falls under
    (个体工商户 is a natural person, 民法典 第二章第四节)."""
    return PartyKind.NATURAL if kind in PERSON_KINDS else PartyKind.ORGANISATION


class Party(models.Model):
    """A party (当事人) of a case. Written only by ``services/parties.py`` (and 立案)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField("当事人类型", max_length=20, choices=PartyKind.choices)
    name = models.CharField("名称或姓名", max_length=120)
    # 自然人: the person's; 个体工商户: the 经营者's.
    id_number = models.CharField("居民身份证号码", max_length=18, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    # 法人: 法定代表人; 其他组织: 负责人; 个体工商户: 经营者.
    legal_representative = models.CharField("法定代表人", max_length=60, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    is_minor = models.BooleanField("未成年人", default=False)
    # When the party was entered; null for parties entered before the field existed (then any
    # issued document of the case is taken to name it: services/parties.py).
    added_at = models.DateTimeField("登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["pk"]
        # The case list finds a party by 统一社会信用代码 or 证件号 (cases/filters.py).
        indexes = [
            models.Index(
                fields=["credit_code"], condition=~Q(credit_code=""), name="party_credit_code_idx"
            ),
            models.Index(
                fields=["id_number"], condition=~Q(id_number=""), name="party_id_number_idx"
            ),
        ]
        constraints = [
            # The identifier matches the kind: a person has no credit code, a body no ID number
            # and is never a minor; a 个体工商户 has its operator's ID number (never a minor:
            # 民法典 第18条 — a minor does not register a business here).
            models.CheckConstraint(
                condition=Q(kind="natural", credit_code="")
                | Q(kind__in=["organisation", "other_organisation"], id_number="", is_minor=False)
                | (Q(kind="individual_business", is_minor=False) & ~Q(id_number="")),
                name="party_identifier_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        if self.kind == PartyKind.INDIVIDUAL_BUSINESS:
            return self.credit_code or self.id_number
        return self.id_number or self.credit_code

    @property
    def representative_label(self) -> str:
        return REPRESENTATIVE_LABELS.get(self.kind, "")


# What the person who acts for a party is called, per kind (documents name them so).
REPRESENTATIVE_LABELS: dict[str, str] = {
    PartyKind.ORGANISATION: "法定代表人",
    PartyKind.OTHER_ORGANISATION: "负责人",
    PartyKind.INDIVIDUAL_BUSINESS: "经营者",
}


class CaseMember(models.Model):
    """An officer of the case team (at least two, 行政处罚法 第42条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    officer = models.ForeignKey(
        "directory.Officer", on_delete=models.PROTECT, related_name="case_memberships"
    )
    is_lead = models.BooleanField("主办人", default=False)
    recused = models.BooleanField("已回避", default=False)

    class Meta:
        verbose_name = "办案人员"
        verbose_name_plural = "办案人员"
        ordering = ["-is_lead", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "officer"], name="case_member_unique"),
        ]

    def __str__(self) -> str:
        return str(self.officer)


class RecusalStatus(models.TextChoices):
    PENDING = "pending", "待决定"
    GRANTED = "granted", "决定回避"
    REFUSED = "refused", "不予回避"


class Recusal(models.Model):
    """A 回避 request and its decision (行政处罚法 第43条: decided by the agency's head)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recusals")
    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="recusals")
    requested_by = models.CharField("申请人", max_length=120)
    reason = models.TextField("申请理由")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    status = models.CharField(
        "状态", max_length=16, choices=RecusalStatus.choices, default=RecusalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.TextField("决定理由", blank=True)

    class Meta:
        verbose_name = "回避"
        verbose_name_plural = "回避"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RecusalStatus.values), name="recusal_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_status_display()}"


class ClosingRequestStatus(models.TextChoices):
    PENDING = "pending", "待负责人审批"
    APPROVED = "approved", "已批准结案"
    RETURNED = "returned", "退回"
    SUPERSEDED = "superseded", "案件已转入其他阶段"


class ClosingRequest(models.Model):
    """An officer's 报请结案: the case waits in the head's 待办 until the head closes it (the
    结案审批表 is the head's to sign) or sends it back with a reason. Every round is kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closing_requests")
    stage = models.CharField("报请时阶段", max_length=32)
    target = models.CharField("报请转入阶段", max_length=32)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("报请时间", default=timezone.now)
    note = models.TextField("结案理由", blank=True)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=ClosingRequestStatus.choices,
        default=ClosingRequestStatus.PENDING,
    )
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

    class Meta:
        verbose_name = "报请结案"
        verbose_name_plural = "报请结案"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClosingRequestStatus.values),
                name="closing_request_status_valid",
            ),
            # Two clicks make one request: at most one waits per case.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="closing_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"


class DecisionKind(models.TextChoices):
    # 行政处罚法 第9条, each kind apart (the 年报 counts them apart).
    WARNING = "warning", "警告"
    CRITICISM = "criticism", "通报批评"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得、没收非法财物"
    LICENCE_SUSPENSION = "licence_suspension", "暂扣许可证件"
    QUALIFICATION_LOWERING = "qualification_lowering", "降低资质等级"
    LICENCE_REVOCATION = "licence_revocation", "吊销许可证件"
    PRODUCTION_RESTRICTION = "production_restriction", "限制开展生产经营活动"
    SUSPENSION = "suspension", "责令停产停业"
    CLOSURE = "closure", "责令关闭"
    PRACTICE_RESTRICTION = "practice_restriction", "限制从业"
    OTHER_PENALTY = "other_penalty", "法律、行政法规规定的其他行政处罚"
    NO_PENALTY = "no_penalty", "不予行政处罚"
    LICENCE_GRANT = "licence_grant", "准予行政许可"
    LICENCE_REFUSAL = "licence_refusal", "不予行政许可"
    LICENCE_ANNULMENT = "licence_annulment", "撤销行政许可"
    LICENCE_WITHDRAWAL = "licence_withdrawal", "撤回行政许可"
    # 行政强制法 第9条 measures, apart; "seizure" is the older undivided 查封扣押.
    SEAL = "seal", "查封场所、设施或者财物"
    DETAIN = "detain", "扣押财物"
    FREEZE = "freeze", "冻结存款、汇款"
    SEIZURE = "seizure", "查封扣押"
    OTHER = "other", "其他"


# 行政处罚法 第9条 in the statute's order, lightest first: a case with several kinds counts
# once, under the last of its kinds in this order (its heaviest).
PENALTY_KINDS = (
    DecisionKind.WARNING,
    DecisionKind.CRITICISM,
    DecisionKind.FINE,
    DecisionKind.CONFISCATION,
    DecisionKind.LICENCE_SUSPENSION,
    DecisionKind.QUALIFICATION_LOWERING,
    DecisionKind.LICENCE_REVOCATION,
    DecisionKind.PRODUCTION_RESTRICTION,
    DecisionKind.SUSPENSION,
    DecisionKind.CLOSURE,
    DecisionKind.PRACTICE_RESTRICTION,
    DecisionKind.OTHER_PENALTY,
)


class Circumstance(models.TextChoices):
    MINOR = "minor", "轻微"
    ORDINARY = "ordinary", "一般"
    SERIOUS = "serious", "较重"
    GRAVE = "grave", "严重"


class DecisionDraft(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="draft")
    kind = models.CharField("决定种类", max_length=32, choices=DecisionKind.choices)
    fine_amount = models.DecimalField(
        "罚款金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    confiscation_value = models.DecimalField(
        "没收金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Further penalties imposed together with ``kind`` (并处, 行政处罚法 第9条), as ",a,b," so
    # that SQL can test membership with LIKE on every database; "" when there are none.
    penalty_kinds = models.CharField("并处的处罚种类", max_length=300, blank=True, default="")
    legal_basis = models.TextField("法律依据", blank=True)
    # 行政处罚法 第59条(二)(三): the provision violated apart from the provision applied.
    violated_provision = models.TextField("违反的条款", blank=True)
    circumstance = models.CharField(
        "违法情节", max_length=16, choices=Circumstance.choices, blank=True
    )
    benchmark_min = models.DecimalField(
        "基准下限（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    benchmark_max = models.DecimalField(
        "基准上限（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    outside_benchmark = models.BooleanField("超出裁量基准", default=False)
    outside_reason = models.TextField("超出基准理由", blank=True)
    text = models.TextField("决定正文", blank=True)
    revision = models.PositiveIntegerField("修订版次", default=1)
    fingerprint = models.CharField("内容指纹", max_length=64)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "决定草稿"
        verbose_name_plural = "决定草稿"
        constraints = [
            models.CheckConstraint(
                condition=Q(fine_amount__isnull=True) | Q(fine_amount__gte=0),
                name="draft_fine_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(confiscation_value__isnull=True) | Q(confiscation_value__gte=0),
                name="draft_confiscation_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(outside_benchmark=False) | ~Q(outside_reason=""),
                name="draft_outside_benchmark_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} 第{self.revision}稿"

    @property
    def additional_kinds(self) -> list[str]:
        """The penalties imposed together with ``kind`` (并处), in the statute's order."""
        return [k for k in self.penalty_kinds.split(",") if k]


class DraftSnapshot(models.Model):
    """An immutable, content-addressed copy of a decision draft as it was saved (snapshots.py).

    ``payload`` is the canonical JSON of every field of the draft (the text included) and of
    the parties; ``hash`` is its SHA-256, which the ``case.draft_saved`` ledger entry carries,
    a review round reviews and the decision records. A trigger (migration 0002) refuses UPDATE.
    """

    hash = models.CharField("内容摘要", max_length=64, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="snapshots")
    revision = models.PositiveIntegerField("修订版次")
    payload = models.TextField("内容(规范JSON)")
    created_at = models.DateTimeField("保存时间", default=timezone.now)

    class Meta:
        verbose_name = "决定草稿快照"
        verbose_name_plural = "决定草稿快照"
        ordering = ["case", "revision"]

    def __str__(self) -> str:
        return f"{self.case_id} 第{self.revision}稿 {self.hash[:12]}"


class DeadlineStatus(models.TextChoices):
    RUNNING = "running", "计时中"
    PAUSED = "paused", "已暂停"
    MET = "met", "已完成"


class Deadline(models.Model):
    """A statutory clock of a case, started and stopped by its definition's rule."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    rule = models.CharField("时限规则", max_length=32)
    label = models.CharField("事项", max_length=60)
    basis = models.CharField("依据", max_length=200, blank=True)
    days = models.PositiveIntegerField("期限")
    unit = models.CharField(
        "单位", max_length=10, choices=[("working", "工作日"), ("calendar", "日")]
    )
    starts_on = models.DateField("起算日")
    due_on = models.DateField("届满日")
    warn_on = models.DateField("预警日")
    status = models.CharField(
        "状态", max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.RUNNING
    )
    stopped_on = models.DateField("完成日", null=True, blank=True)

    class Meta:
        verbose_name = "办案时限"
        verbose_name_plural = "办案时限"
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "rule"], name="deadline_rule_once_per_case"),
            models.CheckConstraint(
                condition=Q(status__in=DeadlineStatus.values), name="deadline_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("starts_on")), name="deadline_due_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_on"], name="deadline_scan_idx"),
            # Running clocks near or past their end, counted per agency from the index alone.
            models.Index(
                fields=["agency", "warn_on", "due_on", "case"],
                condition=Q(status="running"),
                name="deadline_running_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.due_on}"


class DeadlinePause(models.Model):
    """An interval the clock does not count (听证、检测、鉴定 …; 行政许可法 第45条)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField("暂停理由", max_length=200)
    paused_on = models.DateField("暂停日")
    resumed_on = models.DateField("恢复日", null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "时限暂停"
        verbose_name_plural = "时限暂停"
        ordering = ["paused_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resumed_on__isnull=True) | Q(resumed_on__gte=F("paused_on")),
                name="pause_resumed_after_paused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paused_on}—{self.resumed_on or ''} {self.reason}"


class DeadlineSetting(models.Model):
    """An agency's own figure for a rule, for every matter or one matter (DOMAIN.md: defaults)."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.CASCADE, related_name="deadline_settings"
    )
    matter = models.ForeignKey(
        "catalog.Matter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadline_settings",
    )
    procedure = models.CharField("程序", max_length=32)  # checked by set_deadline_setting
    rule = models.CharField("时限规则", max_length=32)
    days = models.PositiveIntegerField("期限")
    unit = models.CharField(
        "单位", max_length=10, choices=[("working", "工作日"), ("calendar", "日")]
    )
    warn_days = models.PositiveIntegerField("提前预警（工作日）", default=3)
    note = models.CharField("依据或说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "时限设置"
        verbose_name_plural = "时限设置"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure", "rule"],
                condition=Q(matter__isnull=True),
                name="deadline_setting_agency_unique",
            ),
            models.UniqueConstraint(
                fields=["agency", "matter", "procedure", "rule"],
                condition=Q(matter__isnull=False),
                name="deadline_setting_matter_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure}.{self.rule} {self.days}"


def allowed_kinds(line: DiscretionBenchmark | DiscretionBenchmarkVersion) -> list[str]:
    """The penalty kinds a 裁量基准 line allows, in the statute's order; [] when any kind."""
    return [k for k in line.penalty_kinds.split(",") if k]


BENCHMARK_KIND = "cases.benchmark"  # the content hash's domain (``directory.versioning``)
# What a version of a 裁量基准 line holds (and its content hash covers).
BENCHMARK_FIELDS = (
    "matter_id",
    "circumstance",
    "description",
    "fine_min",
    "fine_max",
    "first_offence_exempt",
    "lighter_factors",
    "reduced_factors",
    # Added after versions were hashed: in the content only when set (directory.versioning).
    "penalty_kinds?",
)


class DiscretionBenchmark(models.Model):
    """裁量基准: for one penalty matter and circumstance, the fine range and the factors.

    The row is the line's latest version (a cache of ``DiscretionBenchmarkVersion``), in force
    from ``valid_from`` (None: since before versions were kept); a decision on an earlier day is
    checked against the version then in force (``cases.queries.benchmark_on``)."""

    matter = models.ForeignKey(
        "catalog.Matter", on_delete=models.CASCADE, related_name="benchmarks"
    )
    circumstance = models.CharField("违法情节", max_length=16, choices=Circumstance.choices)
    description = models.TextField("情节描述")
    fine_min = models.DecimalField("罚款下限（元）", max_digits=12, decimal_places=2)
    fine_max = models.DecimalField("罚款上限（元）", max_digits=12, decimal_places=2)
    # 行政处罚法 第33条: a first, minor violation corrected in time may go unpunished.
    first_offence_exempt = models.BooleanField("适用首违不罚", default=False)
    lighter_factors = models.TextField("从轻情形", blank=True)
    reduced_factors = models.TextField("减轻情形", blank=True)
    # The kinds of 行政处罚法 第9条 this circumstance allows, as ",a,b," in the statute's order
    # (the matter's 罚则, e.g. 《宗教事务条例》第71条: 警告; 情节严重的, 并处罚款); blank: any kind.
    penalty_kinds = models.CharField("可给予的处罚种类", max_length=300, blank=True, default="")
    version = models.PositiveIntegerField("现行版本号", default=0)  # 0: never versioned
    valid_from = models.DateField("现行版本生效日期", null=True, blank=True)

    class Meta:
        verbose_name = "裁量基准"
        verbose_name_plural = "裁量基准"
        ordering = ["matter_id", "fine_min"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "circumstance"], name="benchmark_one_per_circumstance"
            ),
            models.CheckConstraint(
                condition=Q(fine_min__gte=0) & Q(fine_max__gte=F("fine_min")),
                name="benchmark_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_circumstance_display()} {self.fine_min}–{self.fine_max}"

    def holds_on(self, on: date) -> bool:
        return self.valid_from is None or on >= self.valid_from

    @property
    def allowed_kinds(self) -> list[str]:
        return allowed_kinds(self)

    @property
    def kinds_text(self) -> str:
        """The kinds allowed, as people read them ("警告、罚款"); "" when any."""
        return "、".join(str(DecisionKind(k).label) for k in allowed_kinds(self))


class DiscretionBenchmarkVersion(models.Model):
    """One version of a 裁量基准 line, in force on [valid_from, valid_to); written only by
    ``cases.services.config`` with its ledger entry (which names ``content_sha256``)."""

    benchmark = models.ForeignKey(
        DiscretionBenchmark, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    matter = models.ForeignKey("catalog.Matter", on_delete=models.CASCADE, related_name="+")
    circumstance = models.CharField("违法情节", max_length=16, choices=Circumstance.choices)
    description = models.TextField("情节描述")
    fine_min = models.DecimalField("罚款下限（元）", max_digits=12, decimal_places=2)
    fine_max = models.DecimalField("罚款上限（元）", max_digits=12, decimal_places=2)
    first_offence_exempt = models.BooleanField("适用首违不罚", default=False)
    lighter_factors = models.TextField("从轻情形", blank=True)
    reduced_factors = models.TextField("减轻情形", blank=True)
    penalty_kinds = models.CharField("可给予的处罚种类", max_length=300, blank=True, default="")
    content_sha256 = models.CharField("内容摘要", max_length=64)
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "裁量基准版本"
        verbose_name_plural = "裁量基准版本"
        ordering = ["benchmark_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "number"], name="benchmark_version_unique"
            ),
            models.UniqueConstraint(
                fields=["benchmark"],
                condition=Q(valid_to__isnull=True),
                name="benchmark_version_one_current",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="benchmark_version_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_circumstance_display()} 第{self.number}版 {self.fine_min}–{self.fine_max}"
        )


# The execution's models live apart for size; imported here so Django finds them.
from .execution_models import ExecutionKind as ExecutionKind  # noqa: E402
from .execution_models import ExecutionRecord as ExecutionRecord  # noqa: E402
from .execution_models import Payment as Payment  # noqa: E402
from .extension_models import DeadlineExtension as DeadlineExtension  # noqa: E402
from .hearing_models import ScheduledHearing as ScheduledHearing  # noqa: E402
from .party_models import AgentAuthority as AgentAuthority  # noqa: E402
from .party_models import PartyAgent as PartyAgent  # noqa: E402
from .party_models import PartyCorrection as PartyCorrection  # noqa: E402
from .party_models import Witness as Witness  # noqa: E402
