"""Demo cases of 兴隆台区民族和宗教事务局 in different stages (idempotent: found by title).

Includes one case whose 90-day decision deadline has passed, and the 150,000 元 fine against a
company that the legal-review demo picks up by its title.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.catalog.models import Matter
from sanxiang.directory.models import Agency
from sanxiang.procedures.definitions import StageRole

from . import execution, order
from .models import Case, Circumstance, DiscretionBenchmark
from .services import (
    DraftData,
    Limitation,
    PartyData,
    open_case,
    record_defence,
    record_payment,
    request_closing,
    save_draft,
    transition,
)
from .testing import org_credit_code, resident_id

AGENCY = "兴隆台区民族和宗教事务局"
COMPANY_CASE = "某文化传播有限公司为违法宗教活动提供条件案"

# 《宗教事务条例》第71条: 警告; 情节严重的, 并处2万元以上20万元以下罚款 (demo split of the range).
BENCHMARKS = [
    ("minor", "初次违法、危害后果轻微并及时改正", "0", "0", True, "", ""),
    ("ordinary", "提供场所或便利条件，未造成社会影响", "0", "0", False, "主动消除危害后果", ""),
    (
        "serious",
        "多次提供条件或者造成一定社会影响",
        "20000",
        "100000",
        False,
        "配合调查、如实陈述",
        "受他人胁迫",
    ),
    (
        "grave",
        "以营利为目的长期提供条件，造成恶劣社会影响",
        "100000",
        "200000",
        False,
        "",
        "",
    ),
]


@dataclass
class DemoCase:
    title: str
    matter: str
    procedure: str
    parties: list[PartyData]
    days_ago: int
    path: list[tuple[str, str]]  # (target, "officer" | "head")
    draft: DraftData | None = None
    draft_before: str = "decision"
    source: str = "inspection"
    step_every: int = 0  # days between steps from the opening day; 0: every step today
    facts: str = ""
    # Payments the party made, as (days after the opening day, amount) (cases/execution.py).
    payments: tuple[tuple[int, str], ...] = ()


def _company(name: str, n: int) -> PartyData:
    return PartyData(
        kind="organisation",
        name=name,
        credit_code=org_credit_code(n),
        legal_representative="李某某",
        address="盘锦市兴隆台区（演示地址）",
    )


def _person(name: str, born: date, seq: int) -> PartyData:
    return PartyData(
        kind="natural", name=name, id_number=resident_id(born, seq), address="盘锦市兴隆台区"
    )


CASES = [
    DemoCase(
        title=COMPANY_CASE,
        matter="CF-002",
        procedure="penalty_ordinary",
        parties=[_company("某文化传播有限公司", 11)],
        days_ago=30,
        source="complaint",
        facts="群众举报：该公司以营利为目的，多次为未经批准的聚会活动提供场地和设备。",
        path=[("investigation", "head"), ("case_review", "officer")],
        draft=DraftData(
            violated_provision="《宗教事务条例》第四十一条",
            kind="fine",
            fine_amount=Decimal("150000"),
            circumstance=Circumstance.GRAVE,
            legal_basis="《宗教事务条例》第七十一条",
            text="责令改正，给予警告，并处罚款人民币壹拾伍万元整。",
        ),
    ),
    DemoCase(
        # In execution: delivered a month ago, half the fine paid late, 加处罚款 running.
        title="某会展服务公司为非法宗教聚会提供场地案",
        matter="CF-002",
        procedure="penalty_ordinary",
        parties=[_company("兴隆台区某会展服务有限公司", 15)],
        days_ago=60,
        step_every=5,
        facts="检查发现该公司多次将会展厅出租给未经登记的团体举行宗教聚会。",
        path=[
            ("investigation", "head"),
            ("case_review", "officer"),
            ("notice", "officer"),
            ("defence", "officer"),
            ("decision", "head"),
            ("delivery", "officer"),
            ("execution", "officer"),
        ],
        draft=DraftData(
            kind="fine",
            fine_amount=Decimal("20000"),
            circumstance="serious",
            violated_provision="《宗教事务条例》第四十一条",
            legal_basis="《宗教事务条例》第七十一条",
            text="罚款人民币贰万元整。",
        ),
        payments=((52, "10000"),),
    ),
    DemoCase(
        title="王某擅自设立宗教活动场所案",
        matter="CF-001",
        procedure="penalty_ordinary",
        parties=[_person("王某", date(1968, 4, 12), 31)],
        days_ago=100,
        facts="检查发现王某在自家院内擅自设立固定宗教活动点。",
        path=[("investigation", "head")],
    ),
    DemoCase(
        title="某宗教活动场所未按规定办理变更登记案",
        matter="CF-003",
        procedure="penalty_ordinary",
        parties=[_company("兴隆台区某宗教活动场所管理组织", 12)],
        days_ago=40,
        path=[
            ("investigation", "head"),
            ("case_review", "officer"),
            ("notice", "officer"),
            ("defence", "officer"),
            ("decision", "head"),
            ("delivery", "officer"),
        ],
        draft=DraftData(
            violated_provision="《宗教事务条例》第四十一条",
            kind="warning",
            legal_basis="《宗教事务条例》第六十五条",
            text="给予警告。",
        ),
    ),
    DemoCase(
        title="张某在非宗教活动场所散发宗教宣传品案",
        matter="CF-003",
        procedure="penalty_summary",
        parties=[_person("张某", date(1975, 9, 3), 41)],
        days_ago=12,
        path=[
            ("notice", "officer"),
            ("decision", "officer"),
            ("delivery", "officer"),
            ("closing", "head"),
            ("archived", "officer"),
        ],
        draft=DraftData(
            violated_provision="《宗教事务条例》第四十一条",
            kind="warning",
            legal_basis="《宗教事务条例》第六十五条",
        ),
    ),
    DemoCase(
        title="某寺宗教活动场所变更登记申请",
        matter="XK-002",
        procedure="licence",
        parties=[_company("兴隆台区某寺", 13)],
        days_ago=26,
        step_every=1,
        source="application",
        path=[("acceptance", "officer"), ("examination", "officer")],
    ),
    DemoCase(
        title="对某教堂遵守法律法规情况的监督检查",
        matter="JC-001",
        procedure="inspection",
        parties=[_company("兴隆台区某教堂", 14)],
        days_ago=3,
        path=[("investigation", "officer")],
    ),
]


def _benchmarks(matter: Matter) -> None:
    for circumstance, text, low, high, exempt, lighter, reduced in BENCHMARKS:
        DiscretionBenchmark.objects.get_or_create(
            matter=matter,
            circumstance=circumstance,
            defaults={
                "description": text,
                "fine_min": Decimal(low),
                "fine_max": Decimal(high),
                "first_offence_exempt": exempt,
                "lighter_factors": lighter,
                "reduced_factors": reduced,
                # 第71条: a 警告 in every case; the fine only where 情节严重 (serious, grave).
                "penalty_kinds": ",warning,fine," if high != "0" else ",warning,",
            },
        )


def prepare_step(
    actor: User, case: Case, target: str, on: date, *, officer: User | None = None
) -> None:
    """Do what the step needs first, as the officers would: issue its documents (the
    documents app's service, imported here only: the demo is glue, not a layer), before a
    decision record the party's written waiver of a period that still runs, and before 结案
    the party's payment of what the decision still asks (行政处罚法 第67条、第72条)."""
    from sanxiang.documents.services import issue_for_step

    issue_for_step(actor=actor, case_id=case.pk, target=target)
    fresh = Case.objects.get(pk=case.pk)
    if fresh.definition.has_role(target, StageRole.CLOSING) and fresh.decided_on is not None:
        owed = execution.schedule(fresh, as_of=on)
        if not owed.executed and owed.outstanding > 0:
            record_payment(
                actor=actor,
                case_id=case.pk,
                receipt_number=f"演示{fresh.pk:06d}{len(owed.payments) + 1:02d}",
                amount=owed.outstanding,
                paid_on=max(on, fresh.decided_on),
                note="演示缴款书",
            )
    for period in order.periods(fresh):
        if fresh.definition.has_role(target, period.rule.before) and period.holds_back(on):
            record_defence(
                actor=actor,
                case_id=case.pk,
                kind=period.rule.answered_by[-1],
                on=on,
                note="当事人当场签署放弃声明（演示）",
            )
    # 结案 is the head's (结案审批表): the officer asks for it first, as on the case page.
    closes = fresh.definition.has_role(target, StageRole.CLOSING)
    if officer is not None and actor.role == Role.HEAD and closes:
        request_closing(actor=officer, case_id=case.pk, note="报请结案（演示）")


def load() -> None:
    agency = Agency.objects.filter(name=AGENCY).first()
    if agency is None:
        return
    officer = User.objects.get(username="wang")
    second = User.objects.get(username="li")
    head = User.objects.get(username="head")
    team = [officer.officer.pk, second.officer.pk]
    matters = {m.code: m for m in Matter.objects.filter(agency=agency)}
    if "CF-002" in matters:
        _benchmarks(matters["CF-002"])
    today = timezone.localdate()
    for demo in CASES:
        if demo.matter not in matters or Case.objects.filter(agency=agency, title=demo.title):
            continue
        case = open_case(
            actor=officer,
            matter_id=matters[demo.matter].pk,
            procedure=demo.procedure,
            title=demo.title,
            source=demo.source,
            facts=demo.facts or demo.title,
            parties=demo.parties,
            team=team,
            opened_on=today - timedelta(days=demo.days_ago),
            is_demo=True,
            # 行政处罚法 第36条: the act ten days before the filing, well within two years.
            limitation=Limitation(violation_on=today - timedelta(days=demo.days_ago + 10)),
        )
        saved = False
        for i, (target, who) in enumerate(demo.path, start=1):
            on = case.opened_on + timedelta(days=i * demo.step_every) if demo.step_every else today
            # The draft first where the 告知 states it (行政处罚法 第44条), else before its step.
            notice = case.definition.has_role(target, StageRole.NOTICE)
            if demo.draft and not saved and (target == demo.draft_before or notice):
                save_draft(actor=officer, case_id=case.pk, data=demo.draft)
                saved = True
            actor = head if who == "head" else officer
            prepare_step(actor, case, target, on, officer=officer)
            transition(actor=actor, case_id=case.pk, target=target, note="演示", on=on)
        if demo.draft and not saved:
            save_draft(actor=officer, case_id=case.pk, data=demo.draft)
        for n, (after, amount) in enumerate(demo.payments, start=1):
            record_payment(
                actor=officer,
                case_id=case.pk,
                receipt_number=f"演示{case.pk:06d}{n:02d}",
                amount=amount,
                paid_on=case.opened_on + timedelta(days=after),
                note="演示缴款书",
            )
