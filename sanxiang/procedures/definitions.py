"""Procedure definitions as data: stages, allowed steps, deadlines, documents.

The engine runs these and the published 执法流程图 is drawn from them, so there is no second copy.
Every definition is validated when this module is imported: each stage reachable from the first
one, and no stage without a way out except the final ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

OFFICER = "officer"
HEAD = "head"
STAFF = frozenset({OFFICER, HEAD})
HEAD_ONLY = frozenset({HEAD})


class StageRole(StrEnum):
    """What a stage *means* in the law's order. Other apps ask for a role (``has_role``), never
    for a stage code: a procedure may call its decision stage anything, and a new procedure is
    one definition (issue 10, item 1)."""

    FILING = "filing"  # 立案 / 报批 / 检查准备
    APPLICATION = "application"  # 申请 (依申请)
    SUPPLEMENT = "supplement"  # 补正
    ACCEPTANCE = "acceptance"  # 受理
    INVESTIGATION = "investigation"  # 调查取证 / 现场检查
    REVIEW = "review"  # 审查 (the case unit's, before 告知 or the decision)
    NOTICE = "notice"  # 告知 (行政处罚法 第44条)
    DEFENCE = "defence"  # 陈述申辩 (第45条)
    HEARING = "hearing"  # 听证 (第63-65条)
    DECISION = "decision"  # 决定
    DELIVERY = "delivery"  # 送达
    EXECUTION = "execution"  # 执行 / 实施
    CLOSING = "closing"  # 结案 (the case is closed, not yet archived)
    ARCHIVED = "archived"  # 归档


# The roles of a closed case (结案 or 归档): its file may be exported, nothing more is done.
CLOSED_ROLES = frozenset({StageRole.CLOSING, StageRole.ARCHIVED})


@dataclass(frozen=True)
class Stage:
    """``role``: what the stage means (every stage of a case procedure has one; a procedure
    drawn but not run as a case, such as the 法制审核 chart, may leave it out)."""

    code: str
    label: str
    role: StageRole | None = None
    final: bool = False


@dataclass(frozen=True)
class Needs:
    """A document a step cannot be taken without (issue 10, item 2): one of ``kinds`` (codes of
    ``documents.kinds``) issued in the case before the step, and with ``delivered`` a 送达回证
    issued after it. ``basis`` is the article the refusal cites."""

    kinds: tuple[str, ...]
    basis: str
    delivered: bool = False


@dataclass(frozen=True)
class Step:
    """An allowed transition ``source → target``; ``head_approval``: only the head takes it.

    ``documents`` are the forms the step produces (offered at ``source``); ``requires`` those
    that must exist before it is taken (the documents app's guard refuses it otherwise)."""

    source: str
    target: str
    label: str
    roles: frozenset[str] = STAFF
    head_approval: bool = False
    documents: tuple[str, ...] = ()
    requires: tuple[Needs, ...] = ()


@dataclass(frozen=True)
class Extension:
    """A clock the head may extend once, by at most ``days`` of the rule's own unit, at a stage
    playing one of ``at``, before it has run out, with a written reason told to the party in a
    document of kind ``document`` (行政许可法 第42条: 延长十日; 行政强制法 第25条: 延长不超过
    三十日). Written by ``cases.services.extensions.extend_deadline``; once per clock."""

    days: int
    basis: str
    document: str
    at: tuple[StageRole, ...]


@dataclass(frozen=True)
class DeadlineRule:
    """A clock started on entering ``starts_at_stage``, stopped by ``stops_at_stages``."""

    code: str
    label: str
    starts_at_stage: str
    days: int
    unit: Literal["working", "calendar"]
    basis: str
    stops_at_stages: tuple[str, ...] = ()
    # Only started when the decision draft is of one of these kinds (e.g. paying a fine),
    # as its kind or imposed together (并处).
    only_for_kinds: tuple[str, ...] = ()
    # A calendar period whose last day is a holiday ends on the next working day (the 15 days
    # of 行政处罚法 第67条; 第85条 makes only 二日、三日、五日、七日 working days).
    rolls_to_working_day: bool = False
    # A clock a document starts rather than a stage (``starts_at_stage`` then names the stage
    # the document is issued at): started when a document of kind ``starts_with_document`` is
    # issued, stopped by one of ``stops_with_documents`` (cases.deadlines.document_issued).
    starts_with_document: str = ""
    stops_with_documents: tuple[str, ...] = ()
    # The head may extend it once (``Extension``); ``None``: it cannot be extended.
    extension: Extension | None = None

    @property
    def unit_label(self) -> str:
        return "个工作日" if self.unit == "working" else "日"


@dataclass(frozen=True)
class WaitRule:
    """A period the agency must let run *before* a step (不得早于), where a ``DeadlineRule`` is
    one it must act *within* (不得晚于).

    It starts on the day the case last entered the stage playing ``after`` and holds back the
    steps into the stage playing ``before`` until ``days`` have run, unless the party answered
    (a ``case.defence_recorded`` entry of one of the kinds ``answered_by``) or the case went
    through a stage playing one of ``ended_by`` meanwhile. ``hearing_scope``: the rule holds
    only for a decision within 行政处罚法 第63条 (``cases.order.in_hearing_scope``).
    """

    code: str
    label: str
    after: StageRole
    before: StageRole
    days: int
    unit: Literal["working", "calendar"]
    basis: str
    answered_by: tuple[str, ...]
    ended_by: tuple[StageRole, ...] = ()
    hearing_scope: bool = False

    @property
    def unit_label(self) -> str:
        return "个工作日" if self.unit == "working" else "日"


@dataclass(frozen=True)
class Definition:
    code: str
    label: str
    category: str  # directory.MatterCategory value of the matters it serves
    stages: tuple[Stage, ...]
    steps: tuple[Step, ...]
    deadlines: tuple[DeadlineRule, ...] = ()
    # 行政处罚法 第51条: decided on the spot, within the 简易程序's limits of kind and amount.
    on_the_spot: bool = False
    waits: tuple[WaitRule, ...] = ()

    @property
    def initial(self) -> Stage:
        return self.stages[0]

    def stage(self, code: str) -> Stage:
        for stage in self.stages:
            if stage.code == code:
                return stage
        raise KeyError(code)

    def has_stage(self, code: str) -> bool:
        return any(s.code == code for s in self.stages)

    def label_of(self, code: str) -> str:
        return self.stage(code).label if self.has_stage(code) else code

    def role_of(self, code: str) -> StageRole | None:
        for stage in self.stages:
            if stage.code == code:
                return stage.role
        return None

    def has_role(self, code: str, *roles: StageRole) -> bool:
        """Whether stage ``code`` plays one of ``roles`` (an unknown stage plays none)."""
        return self.role_of(code) in roles

    def stage_with_role(self, role: StageRole) -> Stage | None:
        for stage in self.stages:
            if stage.role == role:
                return stage
        return None

    def codes_with_role(self, *roles: StageRole) -> frozenset[str]:
        return frozenset(s.code for s in self.stages if s.role in roles)

    def is_closed(self, code: str) -> bool:
        """结案 or 归档 (or any final stage)."""
        return self.has_role(code, *CLOSED_ROLES) or (
            self.has_stage(code) and self.stage(code).final
        )

    def step(self, source: str, target: str) -> Step | None:
        for step in self.steps:
            if step.source == source and step.target == target:
                return step
        return None

    def steps_between(self, source: str, target: str) -> list[Step]:
        """Every step ``source → target``: two may join the same stages (审查 → 结案 by 移送
        or by 不予处罚), with the same roles; the documents guard takes either's ``requires``."""
        return [s for s in self.steps if s.source == source and s.target == target]

    def closing_step(self, source: str) -> Step | None:
        """The step from ``source`` into 结案 (a head approval an officer may ask for)."""
        return next(iter(self.closing_steps(source)), None)

    def closing_steps(self, source: str) -> list[Step]:
        """Every step from ``source`` into 结案: at 审查 both 移送司法机关 and 不予行政处罚."""
        into = self.codes_with_role(StageRole.CLOSING)
        return [s for s in self.steps if s.source == source and s.target in into]

    def next_steps(self, source: str) -> list[Step]:
        return [s for s in self.steps if s.source == source]

    def stage_index(self, code: str) -> int:
        return [s.code for s in self.stages].index(code)

    def rule(self, code: str) -> DeadlineRule:
        for rule in self.deadlines:
            if rule.code == code:
                return rule
        raise KeyError(code)


class DefinitionError(Exception):
    pass


def validate(definition: Definition, *, roles_required: bool = False) -> None:
    """Refuse a definition with unknown, unreachable or dead-end stages, two stages playing one
    role, or (``roles_required``: a case procedure) a stage without a role."""
    codes = [s.code for s in definition.stages]
    if len(set(codes)) != len(codes):
        raise DefinitionError(f"{definition.code}: duplicate stage codes")
    known = set(codes)
    roles = [s.role for s in definition.stages if s.role is not None]
    if roles_required and len(roles) != len(codes):
        raise DefinitionError(f"{definition.code}: every stage of a case procedure needs a role")
    doubled = {str(r) for r in roles if roles.count(r) > 1}
    if doubled:
        raise DefinitionError(f"{definition.code}: several stages play {sorted(doubled)}")
    for step in definition.steps:
        if step.source not in known or step.target not in known:
            raise DefinitionError(f"{definition.code}: step {step.source}→{step.target} unknown")
        if not step.roles:
            raise DefinitionError(f"{definition.code}: step {step.source}→{step.target} no role")
        closes = definition.has_role(step.target, StageRole.CLOSING)
        if closes and not (step.head_approval and step.roles == HEAD_ONLY):
            # 结案审批表: the head signs every 结案 (an officer may only ask for it).
            raise DefinitionError(
                f"{definition.code}: step {step.source}→{step.target} closes without the head"
            )
    for step in definition.steps:
        twin = definition.step(step.source, step.target)
        if twin is not None and (twin.roles, twin.head_approval) != (
            step.roles,
            step.head_approval,
        ):
            # The engine checks the roles of the first: steps between two stages share them.
            raise DefinitionError(
                f"{definition.code}: steps {step.source}→{step.target} differ in roles"
            )
    present = set(roles)
    for wait in definition.waits:
        if {wait.after, wait.before} - present:
            raise DefinitionError(f"{definition.code}: wait {wait.code} names an absent role")
    for rule in definition.deadlines:
        unknown = {rule.starts_at_stage, *rule.stops_at_stages} - known
        if unknown:
            raise DefinitionError(f"{definition.code}: deadline {rule.code} names {unknown}")
    reached = {codes[0]}
    frontier = [codes[0]]
    while frontier:
        here = frontier.pop()
        for step in definition.next_steps(here):
            if step.target not in reached:
                reached.add(step.target)
                frontier.append(step.target)
    unreachable = known - reached
    if unreachable:
        raise DefinitionError(f"{definition.code}: unreachable stages {sorted(unreachable)}")
    for stage in definition.stages:
        if not stage.final and not definition.next_steps(stage.code):
            raise DefinitionError(f"{definition.code}: dead end at {stage.code}")
        if stage.final and definition.next_steps(stage.code):
            raise DefinitionError(f"{definition.code}: final stage {stage.code} has a way out")


def _steps(*rows: Step) -> tuple[Step, ...]:
    return tuple(rows)


# 行政处罚法 第44条: the party is told the intended penalty, its facts, reasons and basis, and
# its rights, before the decision: in writing, by the 事先告知书.
NOTICE_DOCUMENT = Needs(
    ("penalty_notice",),
    "行政处罚法 第44条：作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、"
    "理由、依据，并告知当事人依法享有的陈述、申辩、要求听证等权利",
)

# 行政处罚法 第57条第1款第（二）（三）项, 第61条: a decision not to penalise is a decision served on
# the party (with its 复议、诉讼 rights), by its 送达回证 (h10a).
NO_PENALTY_DOCUMENT = Needs(
    ("no_penalty_decision",),
    "行政处罚法 第57条第1款第（二）（三）项：不予行政处罚的，由行政机关负责人决定；"
    "第61条：决定书应当送达当事人（以送达回证为凭）",
    delivered=True,
)

# 行政处罚法 第45条 and 第62条: no decision before the party was heard. The law sets no period
# for the 陈述申辩; the 事先告知书 gives 五日 (documents/builders.py: "收到本告知书之日起五日内"),
# counted in working days (第85条). 第64条第（一）项: a hearing is asked for within 5 days of the
# 告知 (working days, 第85条). A hearing held (第65条) answers both.
PENALTY_WAITS = (
    WaitRule(
        "defence",
        "陈述申辩期限",
        after=StageRole.NOTICE,
        before=StageRole.DECISION,
        days=5,
        unit="working",
        basis="行政处罚法 第45条、第62条：当事人有权陈述、申辩，未听取其陈述、申辩的，"
        "不得作出行政处罚决定；告知书载明五日内提出（第85条：工作日）",
        answered_by=("statement", "waiver"),
        ended_by=(StageRole.HEARING,),
    ),
    WaitRule(
        "hearing_request",
        "听证申请期限",
        after=StageRole.NOTICE,
        before=StageRole.DECISION,
        days=5,
        unit="working",
        basis="行政处罚法 第63条、第64条第（一）项：当事人要求听证的，应当在行政机关告知后"
        "五日内提出（第85条：工作日）",
        answered_by=("hearing_waiver",),
        ended_by=(StageRole.HEARING,),
        hearing_scope=True,
    ),
)

# 行政处罚法 第67条第3款: a fine is paid within 15 days of receiving the decision (both
# procedures); 第66条第2款: 延期 or 分期 with approval moves it (cases/services/execution.py);
# the clock stops when the fine is paid in full or the case is closed.
PAY_FINE = DeadlineRule(
    "pay",
    "缴纳罚款",
    "delivery",
    15,
    "calendar",
    "行政处罚法 第67条第3款：自收到决定书之日起十五日内缴纳罚款（届满日为节假日的顺延）；"
    "第66条第2款：经批准可以暂缓或者分期缴纳",
    ("closing",),
    only_for_kinds=("fine",),
    rolls_to_working_day=True,
)

# 行政处罚法 第56条: evidence registered and preserved (先行登记保存) is decided on within 七日
# (working days, 第85条): the clock starts with the 先行登记保存证据通知书 and stops with the
# 先行登记保存物品处理决定书 (or when the case is closed).
PRESERVATION = DeadlineRule(
    "preservation",
    "先行登记保存处理决定",
    "investigation",
    7,
    "working",
    "行政处罚法 第56条：先行登记保存的，应当在七日内及时作出处理决定（第85条：工作日）",
    ("closing",),
    starts_with_document="evidence_preservation",
    stops_with_documents=("preservation_decision",),
)

# 行政强制法 第54条 (催告 before the court), 第55条 (the application): offered while executing.
EXECUTION_DOCUMENTS = ("催告书", "送达回证", "强制执行申请书", "结案审批表")

PENALTY_STAGES = (
    Stage("filing", "立案", StageRole.FILING),
    Stage("investigation", "调查取证", StageRole.INVESTIGATION),
    Stage("case_review", "审查", StageRole.REVIEW),
    Stage("notice", "告知", StageRole.NOTICE),
    Stage("defence", "陈述申辩", StageRole.DEFENCE),
    Stage("hearing", "听证", StageRole.HEARING),
    Stage("decision", "决定", StageRole.DECISION),
    Stage("delivery", "送达", StageRole.DELIVERY),
    Stage("execution", "执行", StageRole.EXECUTION),
    Stage("closing", "结案", StageRole.CLOSING),
    Stage("archived", "归档", StageRole.ARCHIVED, final=True),
)

PENALTY_ORDINARY = Definition(
    code="penalty_ordinary",
    label="行政处罚普通程序",
    category="penalty",
    stages=PENALTY_STAGES,
    steps=_steps(
        # 行政处罚法 第54条: 立案 with the head's approval.
        Step(
            "filing",
            "investigation",
            "批准立案",
            HEAD_ONLY,
            head_approval=True,
            documents=("立案审批表",),
        ),
        Step("filing", "closing", "不予立案", HEAD_ONLY, head_approval=True),
        Step(
            "investigation",
            "case_review",
            "调查终结",
            documents=(
                "询问通知书",
                "现场检查笔录",
                "询问笔录",
                "先行登记保存证据通知书",
                "先行登记保存物品处理决定书",
            ),
        ),
        Step("investigation", "closing", "撤销立案", HEAD_ONLY, head_approval=True),
        # 行政处罚法 第57条: after review the head decides whether to penalise.
        Step(
            "case_review",
            "notice",
            "拟作处罚，事先告知",
            documents=("行政处罚事先告知书",),
            requires=(NOTICE_DOCUMENT,),
        ),
        Step("case_review", "investigation", "退回补充调查"),
        # 行政处罚法 第27条: suspected of a crime, the case is handed to the judicial organ with
        # the head's approval and its 案件移送书 (naming the organ: cases/transfers.py).
        Step(
            "case_review",
            "closing",
            "移送司法机关",
            HEAD_ONLY,
            head_approval=True,
            documents=("案件移送书",),
            requires=(
                Needs(
                    ("case_transfer",),
                    "行政处罚法 第27条：违法行为涉嫌犯罪的，行政机关应当及时将案件移送司法机关",
                ),
            ),
        ),
        # --- 不予处罚 at 审查 (h10a) ---------------------------------------------------------
        # 行政处罚法 第57条第1款第（二）（三）项: the head decides no penalty is given, on a ground
        # of 第30、31、33、36条 (cases/no_penalty.py). No 事先告知: 第44条 asks it before a
        # 行政处罚决定. The 不予行政处罚决定书 is served with its 送达回证 (第61条) before the case
        # is closed; a second step between the same stages as 移送, the guard takes either.
        Step(
            "case_review",
            "closing",
            "不予行政处罚",
            HEAD_ONLY,
            head_approval=True,
            documents=("不予行政处罚决定书", "送达回证"),
            requires=(NO_PENALTY_DOCUMENT,),
        ),
        # 行政处罚法 第44-45条: the party is told and may state and defend.
        Step("notice", "defence", "听取陈述申辩"),
        # 行政处罚法 第63-64条: a hearing when the party asks for one.
        Step("notice", "hearing", "当事人要求听证", documents=("听证告知书",)),
        Step("defence", "hearing", "当事人要求听证", documents=("听证告知书",)),
        # 第57条第2款: where the heads must discuss it, the 集体讨论记录 (review/collective.py).
        Step(
            "defence",
            "decision",
            "作出决定",
            HEAD_ONLY,
            head_approval=True,
            documents=("集体讨论记录",),
        ),
        Step("defence", "case_review", "采纳申辩，重新审查"),
        # 第64条第（二）项: the 听证通知书 served 七日前 (cases/hearings.py checks the days and
        # refuses the decision before the hearing's day).
        Step(
            "hearing",
            "decision",
            "听证后作出决定",
            HEAD_ONLY,
            head_approval=True,
            documents=("听证通知书", "送达回证", "听证笔录", "集体讨论记录"),
            requires=(
                Needs(
                    ("hearing_summons",),
                    "行政处罚法 第64条第（二）项：行政机关应当在举行听证的七日前，"
                    "通知当事人及有关人员听证的时间、地点",
                    delivered=True,
                ),
            ),
        ),
        Step(
            "decision",
            "delivery",
            "送达决定书",
            documents=("行政处罚决定书", "送达回证"),
            requires=(
                Needs(
                    ("penalty_decision", "no_penalty_decision"),
                    "行政处罚法 第61条：行政处罚决定书应当送达当事人（以送达回证为凭）",
                    delivered=True,
                ),
            ),
        ),
        # 行政处罚法 第61条: delivered within 7 days.
        Step("delivery", "execution", "执行"),
        # 结案 is the head's: the 结案审批表 is signed by the 负责人 (every step into 结案 is a head
        # approval, ``validate`` refuses a definition where it is not).
        Step(
            "delivery",
            "closing",
            "无需执行，结案",
            HEAD_ONLY,
            head_approval=True,
            documents=("结案审批表",),
        ),
        Step(
            "execution",
            "closing",
            "执行完毕，结案",
            HEAD_ONLY,
            head_approval=True,
            documents=EXECUTION_DOCUMENTS,
        ),
        Step("closing", "archived", "归档"),
    ),
    deadlines=(
        DeadlineRule(
            "decide",
            "作出处罚决定",
            "filing",
            90,
            "calendar",
            "行政处罚法 第60条：自立案之日起九十日内作出行政处罚决定",
            ("decision", "closing"),
        ),
        DeadlineRule(
            "deliver",
            "送达处罚决定书",
            "decision",
            7,
            "calendar",
            "行政处罚法 第61条：当事人不在场的，七日内送达",
            ("delivery",),
        ),
        PAY_FINE,
        PRESERVATION,
    ),
    waits=PENALTY_WAITS,
)

PENALTY_SUMMARY = Definition(
    code="penalty_summary",
    label="行政处罚简易程序",
    category="penalty",
    stages=(
        Stage("investigation", "现场调查", StageRole.INVESTIGATION),
        Stage("notice", "告知", StageRole.NOTICE),
        Stage("decision", "当场决定", StageRole.DECISION),
        Stage("delivery", "当场交付", StageRole.DELIVERY),
        Stage("execution", "执行", StageRole.EXECUTION),
        Stage("closing", "结案", StageRole.CLOSING),
        Stage("archived", "归档", StageRole.ARCHIVED, final=True),
    ),
    steps=_steps(
        # 行政处罚法 第51-52条: on-the-spot penalty, facts and rights told first, officer signs.
        Step("investigation", "notice", "告知违法事实、理由、依据和权利"),
        Step("investigation", "closing", "不予处罚", HEAD_ONLY, head_approval=True),
        Step("notice", "decision", "当场作出决定", documents=("当场行政处罚决定书",)),
        Step("notice", "investigation", "采纳陈述申辩"),
        Step(
            "decision",
            "delivery",
            "当场交付决定书",
            requires=(
                Needs(
                    ("on_the_spot_decision",),
                    "行政处罚法 第52条：执法人员当场作出行政处罚决定的，应当填写预定格式、"
                    "编有号码的行政处罚决定书，并当场交付当事人",
                ),
            ),
        ),
        Step("delivery", "execution", "执行"),
        Step("delivery", "closing", "无需执行，结案", HEAD_ONLY, head_approval=True),
        Step(
            "execution",
            "closing",
            "执行完毕，结案",
            HEAD_ONLY,
            head_approval=True,
            documents=EXECUTION_DOCUMENTS,
        ),
        Step("closing", "archived", "归档"),
    ),
    deadlines=(PAY_FINE,),
    on_the_spot=True,
)

# --- 行政许可法 第42条: the licence's 20 working days, +10 with the head's approval (h10b) -------
# 第42条第1款: "二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日，并应当将延长期限的
# 理由告知申请人" — 十日 in the law's working days (第82条: 本法规定的期限以工作日计算，不含法定
# 节假日), told at the 审查 stage in the 延长行政许可期限通知书.
LICENCE_EXTENSION = Extension(
    days=10,
    basis="行政许可法 第42条第1款：二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日，"
    "并应当将延长期限的理由告知申请人（第82条：工作日）",
    document="licence_extension_notice",
    at=(StageRole.REVIEW,),
)

LICENCE = Definition(
    code="licence",
    label="行政许可",
    category="licence",
    stages=(
        Stage("application", "申请", StageRole.APPLICATION),
        Stage("supplement", "补正", StageRole.SUPPLEMENT),
        Stage("acceptance", "受理", StageRole.ACCEPTANCE),
        Stage("examination", "审查", StageRole.REVIEW),
        Stage("decision", "决定", StageRole.DECISION),
        Stage("delivery", "送达", StageRole.DELIVERY),
        Stage("archived", "归档", StageRole.ARCHIVED, final=True),
    ),
    steps=_steps(
        Step("application", "acceptance", "受理", documents=("受理通知书",)),
        # 行政许可法 第32条: every missing item told at once, within 5 working days.
        Step("application", "supplement", "一次告知补正", documents=("补正告知书",)),
        # 行政许可法 第32条: refused in writing, with the seal and the date.
        Step("application", "archived", "不予受理", documents=("不予受理通知书",)),
        Step("supplement", "acceptance", "补正后受理", documents=("受理通知书",)),
        Step("supplement", "archived", "逾期未补正，终止"),
        Step("acceptance", "examination", "审查"),
        # 行政许可法 第37-38条: decision by the agency, signed off by its head; 第42条: the
        # 延长行政许可期限通知书 of an extension the head approved (LICENCE_EXTENSION).
        Step(
            "examination",
            "decision",
            "作出许可决定",
            HEAD_ONLY,
            head_approval=True,
            documents=("准予行政许可决定书", "不予行政许可决定书", "延长行政许可期限通知书"),
        ),
        # 行政许可法 第44条: certificate issued within 10 working days.
        Step("decision", "delivery", "送达、颁发证件", documents=("送达回证",)),
        Step("delivery", "archived", "归档"),
    ),
    deadlines=(
        DeadlineRule(
            "supplement",
            "一次告知补正",
            "application",
            5,
            "working",
            "行政许可法 第32条：五日内一次告知需要补正的全部内容；"
            "逾期不告知的，自收到申请材料之日起即为受理",
            ("acceptance", "supplement", "archived"),
        ),
        DeadlineRule(
            "decide",
            "作出许可决定",
            "acceptance",
            20,
            "working",
            "行政许可法 第42条：自受理之日起二十日内作出决定；经本机关负责人批准可延长十日",
            ("decision", "archived"),
            extension=LICENCE_EXTENSION,
        ),
        DeadlineRule(
            "issue",
            "颁发、送达许可证件",
            "decision",
            10,
            "working",
            "行政许可法 第44条：自作出决定之日起十日内颁发、送达",
            ("delivery", "archived"),
        ),
    ),
)

# --- 行政强制法: 查封、扣押 (h10b) --------------------------------------------------------------
# 第25条: 三十日 (calendar days: 第69条 makes only 十日以内 periods working days), extended once
# by at most 三十日 with the head's approval, told in writing with the reason (延长查封扣押期限
# 决定书); 第27-28条: ended by the 解除查封扣押决定书 (coercion/services.py) or by a 没收.
SEIZURE_EXTENSION = Extension(
    days=30,
    basis="行政强制法 第25条：查封、扣押的期限不得超过三十日；情况复杂的，经行政机关负责人批准，"
    "可以延长，但是延长期限不得超过三十日；延长的决定应当及时书面告知当事人，并说明理由",
    document="seizure_extension",
    at=(StageRole.DECISION, StageRole.DELIVERY, StageRole.EXECUTION),
)

# 行政强制法 第18条第（七）项: every compulsory measure carried out has its 现场笔录.
SITE_RECORD = Needs(
    ("site_record",), "行政强制法 第18条第（七）项：实施行政强制措施应当制作现场笔录"
)

COERCION = Definition(
    code="coercion",
    label="行政强制措施（查封、扣押）",
    category="coercion",
    stages=(
        Stage("filing", "报批", StageRole.FILING),
        Stage("decision", "决定", StageRole.DECISION),
        Stage("delivery", "送达", StageRole.DELIVERY),
        Stage("execution", "实施", StageRole.EXECUTION),
        Stage("closing", "解除或者处理", StageRole.CLOSING),
        Stage("archived", "归档", StageRole.ARCHIVED, final=True),
    ),
    steps=_steps(
        # 行政强制法 第18条第（一）项: reported to and approved by the head before it is carried
        # out; 第19条: carried out on the spot in an emergency, reported within 二十四小时 and the
        # approval made up (the 当场实施行政强制措施报告: coercion/guards.py requires it then).
        Step(
            "filing",
            "decision",
            "负责人批准，作出查封扣押决定",
            HEAD_ONLY,
            head_approval=True,
            documents=("当场实施行政强制措施报告", "查封扣押决定书"),
        ),
        # 第19条: the head who finds the measure taken on the spot unwarranted lifts it at once.
        Step(
            "filing",
            "closing",
            "不予批准",
            HEAD_ONLY,
            head_approval=True,
            documents=("解除查封扣押决定书",),
        ),
        # 行政强制法 第24条: the decision and its 清单 made and handed over on the spot.
        Step(
            "decision",
            "delivery",
            "当场交付决定书和清单",
            documents=("查封扣押清单", "送达回证"),
            # The 清单 first, so that the 送达回证 after the decision names both.
            requires=(
                Needs(
                    ("seizure_inventory",),
                    "行政强制法 第24条第3款：查封、扣押清单一式二份，由当事人和行政机关分别保存",
                ),
                Needs(
                    ("seizure_decision",),
                    "行政强制法 第24条第1款：制作并当场交付查封、扣押决定书和清单",
                    delivered=True,
                ),
            ),
        ),
        Step("delivery", "execution", "实施查封扣押"),
        # 行政强制法 第27-28条: release, or hand over / confiscate by decision; 第25条: the
        # extension decided while the measure lasts.
        Step(
            "execution",
            "closing",
            "解除或者依法处理",
            HEAD_ONLY,
            head_approval=True,
            documents=("现场笔录", "延长查封扣押期限决定书", "解除查封扣押决定书"),
            requires=(SITE_RECORD,),
        ),
        Step("closing", "archived", "归档"),
    ),
    deadlines=(
        DeadlineRule(
            "seizure",
            "查封扣押期限",
            "decision",
            30,
            "calendar",
            "行政强制法 第25条：查封、扣押的期限不得超过三十日；情况复杂的，经负责人批准可以延长，"
            "延长期限不得超过三十日",
            ("closing",),
            stops_with_documents=("seizure_release",),
            extension=SEIZURE_EXTENSION,
        ),
    ),
)
# --- end 行政强制法 (h10b) ----------------------------------------------------------------------

INSPECTION = Definition(
    code="inspection",
    label="行政检查",
    category="inspection",
    stages=(
        Stage("filing", "检查准备", StageRole.FILING),
        Stage("investigation", "现场检查", StageRole.INVESTIGATION),
        Stage("case_review", "检查结果审查", StageRole.REVIEW),
        Stage("closing", "检查结论", StageRole.CLOSING),
        Stage("archived", "归档", StageRole.ARCHIVED, final=True),
    ),
    steps=_steps(
        Step("filing", "investigation", "出示证件，开展检查"),
        Step("investigation", "case_review", "检查结束", documents=("现场检查笔录",)),
        Step("case_review", "investigation", "补充检查"),
        # 行政处罚法 第28条第1款: what the inspection found is ordered put right.
        Step(
            "case_review",
            "closing",
            "作出检查结论",
            HEAD_ONLY,
            head_approval=True,
            documents=("责令整改通知书",),
        ),
        Step("closing", "archived", "归档"),
    ),
    deadlines=(
        DeadlineRule(
            "report",
            "检查结果录入公示",
            "closing",
            20,
            "working",
            "双随机一公开：检查结束后二十个工作日内录入并公示（地方惯例）",
            ("archived",),
        ),
    ),
)

DEFINITIONS: dict[str, Definition] = {
    d.code: d for d in (PENALTY_ORDINARY, PENALTY_SUMMARY, LICENCE, COERCION, INSPECTION)
}


def register(definition: Definition) -> Definition:
    """Add a procedure: one definition, validated, and no schema change (``Case.procedure`` is
    checked in code against this registry, not by a database constraint)."""
    validate(definition, roles_required=True)
    if definition.code in DEFINITIONS:
        raise DefinitionError(f"{definition.code}: already registered")
    DEFINITIONS[definition.code] = definition
    return definition


@contextmanager
def registered(definition: Definition) -> Iterator[Definition]:
    """A procedure registered for the duration of a ``with`` block (tests)."""
    register(definition)
    try:
        yield definition
    finally:
        DEFINITIONS.pop(definition.code, None)


def stage_has_role(procedure: str, stage: str, *roles: StageRole) -> bool:
    """Whether ``stage`` of procedure ``procedure`` plays one of ``roles``."""
    definition = DEFINITIONS.get(procedure)
    return definition is not None and definition.has_role(stage, *roles)


def get_definition(code: str) -> Definition:
    try:
        return DEFINITIONS[code]
    except KeyError:
        raise KeyError(f"unknown procedure {code!r}") from None


def choices() -> list[tuple[str, str]]:
    return [(d.code, d.label) for d in DEFINITIONS.values()]


def validate_all(definitions: Iterable[Definition]) -> None:
    for definition in definitions:
        validate(definition, roles_required=True)


validate_all(DEFINITIONS.values())
