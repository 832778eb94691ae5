"""Demo 双随机: a few hundred targets of the district, a plan frozen, drawn and partly executed.

Idempotent: the targets are created once (found by ``is_demo``), the plan once (by number).
Everything goes through the services, so the demo's draw certificate re-runs with
``tools/verify_draw.py`` like any other.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases.testing import org_credit_code, resident_id
from sanxiang.directory.models import Agency, Officer
from sanxiang.ledger import services as ledger

from .models import Assignment, Outcome, Plan, Target, TeamMix
from .services import (
    PlanData,
    TargetData,
    declare_conflict,
    freeze_plan,
    perform_draw,
    record_result,
    save_plan,
    save_target,
    start_inspection,
)
from .services.targets import inspection_matters

AGENCY = "兴隆台区民族和宗教事务局"
STREETS = (
    "兴隆街道",
    "振兴街道",
    "渤海街道",
    "新工街道",
    "创新街道",
    "曙光街道",
    "红旗街道",
    "欢喜岭街道",
    "茨采街道",
    "友谊街道",
)
ROADS = ("石油大街", "兴隆台街", "惠宾大街", "泰山路", "渤海路", "中兴路", "双兴路", "市府大街")
SURNAMES = "马回白李王张刘杨丁哈沙海"
GIVEN = ("志远", "建华", "玉兰", "德明", "秀英", "国强", "桂芝", "文斌", "海燕", "永福")
# (category, how many, name patterns, matters)
KINDS = (
    (
        "venue",
        60,
        ("{s}清真寺", "{s}基督教堂", "{s}天主堂", "{s}寺", "{s}观"),
        ("JC-001", "JC-002"),
    ),
    ("goods", 90, ("盘锦{s}民族用品商店", "兴隆台区{s}宗教用品经营部"), ("JC-001",)),
    ("halal", 120, ("{s}清真饭店", "兴隆台区{s}清真牛羊肉店", "{s}清真糕点坊"), ("JC-001",)),
    ("publication", 20, ("{s}宗教文化书店",), ("JC-001",)),
    ("group", 6, ("兴隆台区{s}宗教团体",), ("JC-001", "JC-002")),
)
PLAN = "XLT-SJ-{year}-01"


def _target_rows(rng: random.Random) -> list[TargetData]:
    rows, n = [], 0
    for category, count, patterns, matters in KINDS:
        for i in range(count):
            n += 1
            street = STREETS[n % len(STREETS)]
            stem = street[:2] + ("东", "西", "南", "北", "中", "新")[i % 6] + f"{i // 6 + 1}"
            rows.append(
                TargetData(
                    kind="organisation",
                    name=rng.choice(patterns).format(s=stem),
                    credit_code=org_credit_code(7000 + n),
                    legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    address=f"盘锦市兴隆台区{street}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                    phone=f"0427-{rng.randint(2000000, 8999999)}",
                    area=street,
                    category=category,
                    matter_codes=list(matters),
                    risk_grade=rng.choices(("low", "medium", "high"), (70, 22, 8))[0],
                    credit_grade=rng.choice("AAAB"),
                )
            )
    for i in range(6):  # 个体 halal stalls run by natural persons: their names are masked
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        rows.append(
            TargetData(
                kind="natural",
                name=name,
                id_number=resident_id(date(1970 + i * 3, 3 + i, 10 + i), 20 + i),
                address=f"盘锦市兴隆台区{STREETS[i]}夜市{i + 1}号摊位",
                area=STREETS[i],
                category="halal",
                matter_codes=["JC-001"],
                risk_grade="medium",
            )
        )
    return rows


def _plan_data(today: date) -> PlanData:
    start = max(date(today.year, 1, 1), today - timedelta(days=10))
    return PlanData(
        number=PLAN.format(year=today.year),
        title=f"{today.year}年度宗教活动场所及涉宗教经营主体“双随机”抽查",
        year=today.year,
        matter_codes=["JC-001"],
        period_start=start,
        period_end=today + timedelta(days=20),
        ratio="5",
        categories=["venue", "goods", "halal"],
        key_rules=[{"grade": "high", "ratio": "20", "exempt_cap": True}],
    )


def load() -> None:
    bureau = Agency.objects.filter(name=AGENCY).first()
    head = User.objects.filter(username="head").first()
    officer = User.objects.filter(username="wang").first()
    if bureau is None or head is None or officer is None:
        return
    if not Target.objects.filter(agency=bureau, is_demo=True).exists():
        # Demo names and grades only; the draw itself never uses this generator.
        for data in _target_rows(random.Random(20261203)):  # noqa: S311
            save_target(actor=officer, data=data, is_demo=True)
        _conflicts(head)
    today = timezone.localdate()
    if not Plan.objects.filter(agency=bureau, number=PLAN.format(year=today.year)).exists():
        plan = save_plan(actor=officer, data=_plan_data(today), is_demo=True)
        pending = freeze_plan(actor=head, plan_id=plan.pk)
        ledger.make_checkpoint()  # the seed: the first checkpoint after the freeze
        perform_draw(draw_id=pending.pk, actor=head)
        _execute(head, plan, today)
    _joint_plan(bureau, head, officer, today)


JOINT_PLAN = "XLT-LH-{year}-01"
MARKET = "兴隆台区市场监督管理局"
MARKET_MATTER = "SJ-JC-001"


def _joint_plan(bureau: Agency, head: User, officer: User, today: date) -> None:
    """联合抽查 with the district's 市场监督管理局 (supervision.demo): its 清真食品经营者 join
    the bureau's; mixed teams of two of the target's agency and one of the other."""
    market = Agency.objects.filter(name=MARKET).first()
    clerk = User.objects.filter(username="ma").first()
    if market is None or clerk is None or MARKET_MATTER not in inspection_matters(market):
        return
    if not Target.objects.filter(agency=market, is_demo=True).exists():
        rng = random.Random(20261204)  # noqa: S311 - demo names only
        for n in range(24):
            street = STREETS[n % len(STREETS)]
            save_target(
                actor=clerk,
                data=TargetData(
                    kind="organisation",
                    name=f"盘锦{street[:2]}{rng.choice(('伊兰', '穆斯', '新月', '清源'))}"
                    f"清真食品店（{n + 1}）",
                    credit_code=org_credit_code(9000 + n),
                    legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    address=f"盘锦市兴隆台区{street}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                    area=street,
                    category="halal",
                    matter_codes=[MARKET_MATTER],
                    risk_grade=rng.choices(("low", "medium", "high"), (70, 22, 8))[0],
                ),
                is_demo=True,
            )
    number = JOINT_PLAN.format(year=today.year)
    if Plan.objects.filter(agency=bureau, number=number).exists():
        return
    start = max(date(today.year, 1, 1), today - timedelta(days=10))
    plan = save_plan(
        actor=officer,
        data=PlanData(
            number=number,
            title=f"{today.year}年度清真食品经营者部门联合“双随机”抽查",
            year=today.year,
            matter_codes=["JC-001", MARKET_MATTER],
            period_start=start,
            period_end=today + timedelta(days=20),
            ratio="10",
            categories=["halal"],
            team_size=3,
            joint_agency_ids=[market.pk],
            team_mix=TeamMix.MIXED,
        ),
        is_demo=True,
    )
    pending = freeze_plan(actor=head, plan_id=plan.pk)
    ledger.make_checkpoint()
    perform_draw(draw_id=pending.pk, actor=head)


def _conflicts(head: User) -> None:
    wang = Officer.objects.filter(user__username="wang").first()
    li = Officer.objects.filter(user__username="li").first()
    temple = Target.objects.filter(is_demo=True, category="venue").order_by("pk").first()
    if wang is not None:
        declare_conflict(
            actor=head, officer_id=wang.pk, kind="area", area="振兴街道", note="本人居住地"
        )
    if li is not None and temple is not None:
        declare_conflict(
            actor=head,
            officer_id=li.pk,
            kind="relative",
            target_id=temple.pk,
            note="近亲属任该场所管理组织成员",
        )


def _execute(head: User, plan: Plan, today: date) -> None:
    """Three inspections done: two without problems, one ordered to rectify (published).
    Recorded by a member of each drawn team who has an account, else by the head."""
    results = (
        (Outcome.CLEAR, "登记证书、管理制度齐全，财务账目清楚，未发现问题。", None),
        (Outcome.RECTIFY, "消防器材过期未更换，责令限期整改。", today + timedelta(days=15)),
        (Outcome.CLEAR, "经营场所清真标识使用规范，未发现问题。", None),
    )
    assignments = Assignment.objects.filter(plan=plan, active=True).order_by("position")
    for assignment, (outcome, findings, rectify_by) in zip(assignments, results, strict=False):
        member = assignment.team.filter(user__isnull=False).order_by("pk").first()
        actor = member.user if member is not None and member.user is not None else head
        start_inspection(actor=actor, assignment_id=assignment.pk, on=today)
        record_result(
            actor=actor,
            assignment_id=assignment.pk,
            outcome=outcome,
            findings=findings,
            inspected_on=today,
            rectify_by=rectify_by,
        )
