"""A second agency in the demo district: 兴隆台区市场监督管理局, supervised by the same 司法局.

So the justice bureau's cockpit compares two agencies and shows real warnings: a case past its
90-day decision deadline, a decision made three weeks ago and still not published (the 7
working days of 118号 have passed), an officer whose certificate expires within the month, an
officer whose certificate was suspended while on a case team, an on-site inspection whose
required audio-video record is missing, and closed cases for the 案卷评查.

Idempotent and fast: every row is found by its natural key (agency name, username, certificate
number, matter code, case title) before anything is created, and every write goes through the
owning app's service, so each demo row has its ledger entry like a real one.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.cases.demo import prepare_step
from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, PartyData, open_case, save_draft, transition
from sanxiang.cases.testing import org_credit_code
from sanxiang.catalog.models import Matter
from sanxiang.catalog.services import MatterContent, create_matter
from sanxiang.directory.demo import AREA, _agency, _user
from sanxiang.directory.models import Agency, AgencyKind, AgencyLevel, CertificateStatus, Officer
from sanxiang.directory.services import OfficerData, create_officer, set_certificate_status
from sanxiang.documents.services import issue_document
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import StageRole
from sanxiang.records.models import AvLevel, AvRequirement
from sanxiang.records.services import AvRequirementData, RecordData, add_av_requirement, add_record

logger = logging.getLogger(__name__)

AGENCY = "兴隆台区市场监督管理局"
JUSTICE = "兴隆台区司法局"
GOVERNMENT = "兴隆台区人民政府"
UNIT = "食品安全监督管理股"

# (code, category, name, law, article, text, limit, unit)
MATTERS = [
    (
        "SJ-CF-001",
        "penalty",
        "对销售超过保质期食品的处罚",
        "中华人民共和国食品安全法",
        "第一百二十四条",
        "经营超过保质期的食品的，由县级以上人民政府食品安全监督管理部门没收违法所得和违法"
        "经营的食品，并可以没收用于违法经营的工具、设备、原料等物品；违法经营的食品货值金额"
        "不足一万元的，并处五万元以上十万元以下罚款。",
        90,
        "calendar",
    ),
    (
        "SJ-CF-002",
        "penalty",
        "对未取得食品经营许可从事食品经营活动的处罚",
        "中华人民共和国食品安全法",
        "第一百二十二条",
        "未取得食品生产经营许可从事食品生产经营活动的，由县级以上人民政府食品安全监督管理"
        "部门没收违法所得和违法生产经营的食品，并处罚款。",
        90,
        "calendar",
    ),
    (
        "SJ-CF-003",
        "penalty",
        "对发布虚假广告的处罚",
        "中华人民共和国广告法",
        "第五十五条",
        "违反本法规定，发布虚假广告的，由市场监督管理部门责令停止发布广告，责令广告主在相应"
        "范围内消除影响，处广告费用三倍以上五倍以下的罚款。",
        90,
        "calendar",
    ),
    (
        "SJ-XK-001",
        "licence",
        "食品经营许可",
        "中华人民共和国食品安全法",
        "第三十五条",
        "国家对食品生产经营实行许可制度。从事食品销售和餐饮服务，应当依法取得许可。",
        20,
        "working",
    ),
    (
        "SJ-JC-001",
        "inspection",
        "对食品经营者的监督检查",
        "中华人民共和国食品安全法",
        "第一百一十条",
        "县级以上人民政府食品安全监督管理部门履行食品安全监督管理职责，有权进入生产经营场所"
        "实施现场检查。",
        None,
        "working",
    ),
]

# (username or "", name, position, role, reviewer, certificate expires in days (None: 2 years))
PEOPLE = [
    ("mhead", "高振华", "局长", Role.HEAD, False, None),
    ("ma", "马晓东", "股长", Role.OFFICER, False, None),
    ("niu", "牛丽娟", "科员", Role.OFFICER, False, 20),  # expires within the month
    ("feng", "冯凯", "科员", Role.OFFICER, False, None),  # suspended below, on a case team
    ("", "邓雪", "科员", Role.OFFICER, False, None),
    ("", "许亮", "科员", Role.OFFICER, False, None),
    ("", "曹阳", "科员", Role.OFFICER, False, None),
    ("", "彭静", "科员", Role.OFFICER, False, None),
    ("", "曾伟", "科员", Role.OFFICER, False, None),
    ("", "萧然", "科员", Role.OFFICER, False, None),
    ("", "田野", "科员", Role.OFFICER, False, None),
    ("", "董明", "科员", Role.OFFICER, False, None),
    ("", "袁芳", "科员", Role.OFFICER, False, None),
    ("", "潘涛", "科员", Role.OFFICER, False, None),
    ("", "蒋勇", "科员", Role.OFFICER, False, None),
    ("", "蔡红", "科员", Role.OFFICER, False, None),
    ("", "余洋", "科员", Role.OFFICER, False, None),
    ("", "杜鹃", "科员", Role.OFFICER, False, None),
    ("", "叶青", "科员", Role.OFFICER, False, None),
    ("", "程刚", "科员", Role.OFFICER, False, None),
    ("", "魏华", "科员", Role.OFFICER, False, None),
    # One reviewer for 21 certified officers: 4.8 %, just under the 5 % rule (行政处罚法 第58条).
    ("lv", "吕文博", "法制审核员", Role.REVIEWER, True, None),
    ("", "韩冰", "科员", Role.OFFICER, False, None),
]


@dataclass
class DemoCase:
    title: str
    matter: str
    procedure: str
    party: PartyData
    days_ago: int
    path: list[tuple[str, str, int]]  # (target, "officer" | "head", days after opening)
    draft: DraftData | None = None
    team: list[str] = field(default_factory=lambda: ["ma", "niu"])
    # Documents issued while the case is at a stage, and whether evidence is uploaded.
    documents: dict[str, list[str]] = field(default_factory=dict)
    evidence: bool = False


def _company(name: str, n: int) -> PartyData:
    return PartyData(
        kind="organisation",
        name=name,
        credit_code=org_credit_code(n),
        legal_representative="赵某某",
        address="盘锦市兴隆台区（演示地址）",
    )


FOOD = "《中华人民共和国食品安全法》"
CASES = [
    DemoCase(
        # Opened 100 days ago and still under investigation: the 90 days of 第60条 have passed.
        title="某超市销售超过保质期食品案",
        matter="SJ-CF-001",
        procedure="penalty_ordinary",
        party=_company("兴隆台区某超市有限公司", 31),
        days_ago=100,
        path=[("investigation", "head", 1)],
    ),
    DemoCase(
        # Decided 20 days ago and delivered, but never published: 7 working days have passed.
        title="某餐饮店未取得食品经营许可从事经营案",
        matter="SJ-CF-002",
        procedure="penalty_ordinary",
        party=_company("兴隆台区某餐饮店", 32),
        days_ago=40,
        path=[
            ("investigation", "head", 1),
            ("case_review", "officer", 10),
            ("notice", "officer", 12),
            ("defence", "officer", 15),
            ("decision", "head", 20),
            ("delivery", "officer", 21),
        ],
        draft=DraftData(
            violated_provision=f"{FOOD}第三十五条第一款",
            kind="fine",
            fine_amount=Decimal("8000"),
            legal_basis=f"{FOOD}第一百二十二条",
            text="没收违法所得，并处罚款人民币捌仟元整。",
        ),
    ),
    DemoCase(
        # Closed and archived in order: the 案卷评查 scores it.
        title="某广告公司发布虚假广告案",
        matter="SJ-CF-003",
        procedure="penalty_ordinary",
        party=_company("兴隆台区某广告有限公司", 33),
        days_ago=70,
        path=[
            ("investigation", "head", 1),
            ("case_review", "officer", 15),
            ("notice", "officer", 18),
            ("defence", "officer", 22),
            ("decision", "head", 30),
            ("delivery", "officer", 32),
            ("closing", "head", 45),
            ("archived", "officer", 50),
        ],
        draft=DraftData(
            violated_provision="《中华人民共和国广告法》第四条、第二十八条",
            kind="fine",
            fine_amount=Decimal("30000"),
            legal_basis="《中华人民共和国广告法》第五十五条",
            text="责令停止发布广告，并处罚款人民币叁万元整。",
        ),
        documents={
            "filing": ["filing_approval"],  # 归档 wants it (procedures/filing.py)
            "case_review": ["penalty_notice"],
            "decision": ["penalty_decision", "delivery_receipt"],
        },
        evidence=True,
    ),
    DemoCase(
        # Closed without the 告知 step (decided straight after review) would be refused by the
        # engine; this one is closed on time but its decision was delivered after 7 days.
        title="某食品店销售超过保质期食品案",
        matter="SJ-CF-001",
        procedure="penalty_ordinary",
        party=_company("兴隆台区某食品店", 34),
        days_ago=80,
        path=[
            ("investigation", "head", 1),
            ("case_review", "officer", 20),
            ("notice", "officer", 25),
            ("defence", "officer", 28),
            ("decision", "head", 40),
            ("delivery", "officer", 52),
            ("closing", "head", 60),
        ],
        draft=DraftData(
            violated_provision=f"{FOOD}第三十四条第（十）项",
            kind="warning",
            legal_basis=f"{FOOD}第一百二十四条",
            text="给予警告。",
        ),
        team=["ma", "feng"],
    ),
    DemoCase(
        title="某便利店食品经营许可申请",
        matter="SJ-XK-001",
        procedure="licence",
        party=_company("兴隆台区某便利店", 35),
        days_ago=24,
        path=[("acceptance", "officer", 1), ("examination", "officer", 2)],
    ),
    DemoCase(
        # The team's second officer is 冯凯, whose certificate is suspended below.
        title="对某农贸市场食品经营情况的监督检查",
        matter="SJ-JC-001",
        procedure="inspection",
        party=_company("兴隆台区某农贸市场管理有限公司", 36),
        days_ago=2,
        path=[("investigation", "officer", 1)],
        team=["ma", "feng"],
    ),
]

# Added after the cases: the open inspection above now lacks its required recording.
AV_LINE = ("inspection", "investigation", "现场检查：出示执法证件、检查过程全程音像记录")


def _agencies() -> tuple[Agency, Agency]:
    gov = Agency.objects.get(name=GOVERNMENT)
    justice = Agency.objects.get(name=JUSTICE)
    bureau = _agency(
        AGENCY,
        level=AgencyLevel.DEPARTMENT,
        parent_id=gov.pk,
        short_name="兴市监",
        credit_code="112111030012346048",
        kind=AgencyKind.STATUTORY,
        supervised_by_id=justice.pk,
        legal_basis="《中华人民共和国食品安全法》第六条：县级以上地方人民政府依照本法和国务院的"
        "规定，确定本级食品安全监督管理部门的职责。",
        address="辽宁省盘锦市兴隆台区（演示地址）",
        phone="0427-2800002",
        office_hours="工作日 8:30—11:30，13:30—17:00",
        supervision_channels="兴隆台区司法局行政执法监督电话：0427-2800000",
        remedy_channels="对行政执法决定不服的，可依法申请行政复议或者提起行政诉讼。",
        area=AREA,
    )
    food = _agency(f"{AGENCY}{UNIT}", level=AgencyLevel.UNIT, parent_id=bureau.pk, area=AREA)
    _agency(
        f"{AGENCY}法制股",
        level=AgencyLevel.UNIT,
        parent_id=bureau.pk,
        is_legal_unit=True,
        area=AREA,
    )
    return bureau, food


def _matters(bureau: Agency) -> dict[str, Matter]:
    for code, category, name, law, article, text, limit, unit in MATTERS:
        if Matter.objects.filter(agency=bureau, code=code).exists():
            continue
        inspection = category == "inspection"
        create_matter(
            actor=None,
            agency_id=bureau.pk,
            code=code,
            content=MatterContent(
                category=category,
                name=name,
                handling_unit=UNIT,
                legal_basis=[{"law": law.strip("《》"), "article": article, "text": text}],
                time_limit=limit,
                time_limit_unit=unit,
                acceptance_body=AGENCY,
                approval_body=AGENCY,
                random_inspection=inspection,
                inspection_target="辖区内食品经营者" if inspection else "",
                inspection_content=name if inspection else "",
                inspection_ratio=Decimal("5.00") if inspection else None,
                inspection_method="双随机抽查" if inspection else "",
                inspection_frequency="每年不少于1次" if inspection else "",
            ),
            valid_from=date(2020, 1, 1),
            is_demo=True,
        )
    return {m.code: m for m in Matter.objects.filter(agency=bureau)}


def _people(bureau: Agency, food: Agency) -> None:
    today = timezone.localdate()
    legal = Agency.objects.get(name=f"{AGENCY}法制股")
    for number, (username, name, position, role, reviewer, expires_in) in enumerate(PEOPLE, 1):
        unit = legal if reviewer else (bureau if role == Role.HEAD else food)
        user = _user(username, name, unit, role) if username else None
        cert = f"21110321{number:04d}"
        if Officer.objects.filter(Q(certificate_no=cert) | Q(user=user, user__isnull=False)):
            continue
        expires = (
            today + timedelta(days=expires_in)
            if expires_in is not None
            else date(today.year + 2, 12, 31)
        )
        create_officer(
            actor=None,
            data=OfficerData(
                agency_id=unit.pk,
                name=name,
                position=position,
                certificate_no=cert,
                categories=["licence", "penalty", "coercion", "inspection"],
                area=AREA,
                certificate_issued=date(2022, 6, 1),
                certificate_expires=expires,
                is_reviewer=reviewer,
                legal_qualification_no=f"A2020{number:07d}" if reviewer else "",
                user_id=user.pk if user else None,
                is_demo=True,
            ),
        )
    _user("madmin", "市场局管理员", bureau, Role.ADMIN)


def _case(bureau: Agency, matters: dict[str, Matter], demo: DemoCase) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["ma", "mhead", *demo.team])}
    officer, head = users["ma"], users["mhead"]
    opened = timezone.localdate() - timedelta(days=demo.days_ago)
    case = open_case(
        actor=officer,
        matter_id=matters[demo.matter].pk,
        procedure=demo.procedure,
        title=demo.title,
        source="inspection",
        facts=demo.title,
        parties=[demo.party],
        team=[users[name].officer.pk for name in demo.team],
        opened_on=opened,
        is_demo=True,
    )
    saved = False
    for target, who, after in demo.path:
        # The draft before the 事先告知书 states it (行政处罚法 第44条), at the latest before 决定.
        notice = case.definition.has_role(target, StageRole.NOTICE)
        if demo.draft and not saved and (target == "decision" or notice):
            save_draft(actor=officer, case_id=case.pk, data=demo.draft)
            saved = True
        for kind in demo.documents.get(case.stage, []):
            issue_document(actor=officer, case_id=case.pk, kind=kind)
        if demo.evidence and case.stage == "investigation":
            _evidence(officer, case.pk)
        actor = head if who == "head" else officer
        on = opened + timedelta(after)
        # What the law's order needs (the 告知书, the 决定书 delivered, the party's waiver of a
        # period still running); documents the step does not require stay as the demo lists.
        prepare_step(actor, case, target, on, officer=officer)
        case = transition(actor=actor, case_id=case.pk, target=target, note="演示", on=on)


# A one-page PDF: the demo's scanned 询问笔录 (the sniffer recognises it as a PDF).
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def _evidence(officer: User, case_id: int) -> None:
    add_record(
        actor=officer,
        data=RecordData(
            case_id=case_id,
            evidence_type="party_statement",
            media_kind="document",
            title="询问笔录（当事人陈述）",
        ),
        stream=io.BytesIO(EVIDENCE_PDF),
        length=len(EVIDENCE_PDF),
        is_demo=True,
    )


def load() -> None:
    if not Agency.objects.filter(name=JUSTICE).exists():
        return
    bureau, food = _agencies()
    matters = _matters(bureau)
    _people(bureau, food)
    for demo in CASES:
        if Case.objects.filter(agency=bureau, title=demo.title).exists():
            continue
        try:
            _case(bureau, matters, demo)
        except DomainError as err:  # another app's guard refused a step: say so, go on
            logger.warning("演示案件“%s”未能完成：%s", demo.title, err.message)
    feng = Officer.objects.get(user__username="feng")
    if feng.certificate_status == CertificateStatus.VALID:
        set_certificate_status(
            actor=User.objects.get(username="madmin"),
            officer_id=feng.pk,
            status=CertificateStatus.SUSPENDED,
            reason="演示：年度考核不合格，暂扣执法证件",
        )
    _supervision(bureau)
    _devices(bureau)
    _training(bureau)
    category, stage, scene = AV_LINE
    if not AvRequirement.objects.filter(agency=bureau, category=category, stage=stage).exists():
        add_av_requirement(
            actor=None,
            agency_id=bureau.pk,
            data=AvRequirementData(
                category=category,
                stage=stage,
                level=AvLevel.REQUIRED,
                scene=scene,
                valid_from=timezone.localdate() - timedelta(days=30),
            ),
            is_demo=True,
        )


def _supervision(bureau: Agency) -> None:
    """The 司法局's own demo work: the closed files of the district scored automatically, and a
    督办 on the market bureau's case past its 90 days (waiting in its head's 待办)."""
    from sanxiang.supervision.models import Notice
    from sanxiang.supervision.notices import NoticeData, issue_notice
    from sanxiang.supervision.reviews import closed_unreviewed, review_files

    sun = User.objects.get(username="sun")
    waiting = list(closed_unreviewed(sun).values_list("pk", flat=True))
    if waiting:
        review_files(actor=sun, case_ids=waiting, batch="演示：2026年第四季度")
    late = Case.objects.filter(agency=bureau, title=CASES[0].title).first()
    if late is not None and not Notice.objects.filter(case=late).exists():
        issue_notice(
            actor=sun,
            data=NoticeData(
                agency_id=bureau.pk,
                case_id=late.pk,
                subject="超过法定期限未作出处罚决定",
                finding="该案立案已超过九十日，仍处于调查取证阶段，未作出处罚决定，也未办理延期审批。",
                requirement="依法作出处理决定或者按规定办理延期审批，并说明超期原因及整改措施。",
                due_on=timezone.localdate() + timedelta(days=10),
            ),
            is_demo=True,
        )


def _devices(bureau: Agency) -> None:
    """The market bureau's 音像记录设备 register (for the 自查 figures)."""
    from sanxiang.supervision.models import AvDevice
    from sanxiang.supervision.rollout import register_device

    admin = User.objects.get(username="madmin")
    holders = dict(
        Officer.objects.filter(user__username__in=["ma", "niu"]).values_list("user__username", "pk")
    )
    for kind, serial, holder in (
        ("bodycam", "XSJ-JLY-001", holders.get("ma")),
        ("bodycam", "XSJ-JLY-002", holders.get("niu")),
        ("camera", "XSJ-SXJ-001", None),
    ):
        if not AvDevice.objects.filter(agency=bureau, serial=serial).exists():
            register_device(actor=admin, kind=kind, serial=serial, holder_id=holder, is_demo=True)


def _training(bureau: Agency) -> None:
    """One training of the market bureau's officers (the 落实台账's 培训 line)."""
    from sanxiang.supervision.models import Training
    from sanxiang.supervision.rollout import record_training

    if Training.objects.filter(agency=bureau).exists():
        return
    people = list(
        Officer.objects.filter(user__username__in=["ma", "niu", "lv"]).values_list("pk", flat=True)
    )
    if people:
        record_training(
            actor=User.objects.get(username="mhead"),
            title="行政执法三项制度及执法全过程记录专题培训",
            held_on=timezone.localdate() - timedelta(days=20),
            hours="4",
            attendee_ids=people,
            is_demo=True,
        )
