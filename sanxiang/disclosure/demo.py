"""Demo 公示 data: two window posts, two more decided penalty cases, and every queued demo
decision published, so the portal shows masked decisions. Idempotent (found by natural keys)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases.demo import prepare_step
from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, PartyData, open_case, save_draft, transition
from sanxiang.cases.testing import org_credit_code, resident_id
from sanxiang.catalog.models import Matter
from sanxiang.directory.models import Agency, Officer
from sanxiang.documents.services import issue_document
from sanxiang.lib.errors import DomainError

from . import samples, services
from .models import Post, Publication, PublicationStatus, SampleText

logger = logging.getLogger(__name__)
AGENCY = "兴隆台区民族和宗教事务局"
PATH = ["investigation", "case_review", "notice", "defence", "decision"]

POSTS = [
    services.PostData(
        window="1号窗口（宗教活动场所登记）",
        name="王立新",
        position="股长",
        duties="受理宗教活动场所设立、变更、注销登记申请；一次性告知补正材料；答复办理进度。",
        enforcement_kinds="行政许可、行政检查",
        sample_materials="《宗教活动场所变更登记申请表》填写示范（窗口可取，网站可下载）",
        progress_query="窗口查询或拨打 0427-2800001",
        consultation="工作日 8:30-17:00 现场咨询",
        complaint="区司法局行政执法监督电话 0427-2800000；12345 政务服务便民热线",
    ),
    services.PostData(
        window="2号窗口（综合执法）",
        name="李晓梅",
        position="科员",
        duties="接收投诉举报，登记案件线索，告知当事人权利。",
        enforcement_kinds="行政处罚、行政检查",
        progress_query="凭受理回执查询",
        consultation="工作日 8:30-17:00",
        complaint="区司法局行政执法监督电话 0427-2800000",
    ),
]


def _decision_text(name: str, id_number: str, phone: str, penalty: str, fined: bool) -> str:
    # 行政处罚法 第67、72条: pay within 15 days, 3% a day after.
    payment = (
        "当事人应当自收到本决定书之日起十五日内缴纳罚款。逾期不缴纳的，每日按罚款数额的百分之三加处罚款。\n"
        if fined
        else ""
    )
    return (
        f"当事人：{name}，公民身份号码 {id_number}，"
        f"住址：盘锦市兴隆台区振兴街道某小区3号楼2单元401室，联系电话 {phone}。\n"
        "经查，当事人于2026年8月至9月间，在其经营的民宿内多次为未经批准的聚会活动提供场地，"
        "有现场检查笔录、询问笔录、证人赵某某证言等证据证实。\n"
        "当事人的上述行为违反了《宗教事务条例》第四十一条的规定。依据《宗教事务条例》第七十一条，"
        f"经本机关负责人批准，决定对当事人作出如下行政处罚：\n{penalty}\n"
        f"{payment}"
        "如不服本决定，可在收到本决定书之日起六十日内向盘锦市兴隆台区人民政府申请行政复议，"
        "或者在六个月内向人民法院提起行政诉讼。"
    )


DEMO_DECISIONS = [
    (
        "刘某某为违法宗教活动提供场所案",
        PartyData(
            kind="natural",
            name="刘海军",
            id_number=resident_id(date(1979, 6, 1), 52),
            address="盘锦市兴隆台区振兴街道某小区3号楼2单元401室",
            phone="13904271234",
        ),
        None,
    ),
    (
        "某商贸有限公司为违法宗教活动提供条件案",
        PartyData(
            kind="organisation",
            name="盘锦某商贸有限公司",
            credit_code=org_credit_code(21),
            legal_representative="陈志强",
        ),
        "50000.00",
    ),
]


# 申请材料示范文本 of the demo agency's licence matters (demo wording, abridged; an agency writes
# its own from its 服务指南). 【】 marks what the applicant fills in.
SAMPLES = {
    "XK-001": (
        "申请书",
        "宗教活动场所登记申请书（示范文本）",
        "兴隆台区民族和宗教事务局：\n"
        "【宗教活动场所名称】经批准筹备，现已建设完工，依据《宗教事务条例》第二十三条的规定，"
        "特申请办理宗教活动场所登记。\n"
        "一、场所基本情况\n"
        "场所名称：【××寺（教堂）】\n"
        "宗教类别：【佛教／道教／伊斯兰教／天主教／基督教】\n"
        "场所地址：【盘锦市兴隆台区××街道××路××号】\n"
        "建筑面积：【××】平方米；可容纳信教群众【××】人\n"
        "筹备批准文号：【盘宗批〔20××〕××号】\n"
        "二、管理组织\n"
        "管理组织负责人：【姓名】，联系电话：【××××××××××】\n"
        "管理组织成员【×】人，名单附后；已制定财务、安全、人员、档案等管理制度。\n"
        "三、宗教教职人员\n"
        "主持宗教活动的宗教教职人员：【姓名】，宗教教职人员证书编号：【××××】\n"
        "四、申请事项\n"
        "请予登记并颁发《宗教活动场所登记证》。\n"
        "附件：1. 场所管理组织成员名单；2. 场所管理制度；3. 建设完工验收材料；"
        "4. 所在地街道办事处意见。\n"
        "申请人（场所筹备组）：【名称】（盖章）\n"
        "负责人（签字）：【姓名】\n"
        "【20××】年【×】月【×】日",
    ),
    "XK-002": (
        "申请书",
        "宗教活动场所变更登记申请书（示范文本）",
        "兴隆台区民族和宗教事务局：\n"
        "我场所【场所名称】（登记证编号：【××××】）因【变更原因，如：管理组织负责人换届】，"
        "拟变更以下登记内容，依据《宗教事务条例》第二十五条的规定，特申请办理变更登记。\n"
        "变更事项：【负责人／地址／名称／其他】\n"
        "变更前：【原登记内容】\n"
        "变更后：【拟变更内容】\n"
        "变更依据：【场所管理组织会议纪要（20××年×月×日）】\n"
        "附件：1. 宗教活动场所登记证原件；2. 管理组织会议纪要；3. 新任负责人身份证明复印件。\n"
        "申请人：【场所名称】（盖章）\n"
        "负责人（签字）：【姓名】　联系电话：【××××××××××】\n"
        "【20××】年【×】月【×】日",
    ),
    "XK-003": (
        "申请书",
        "宗教活动场所内改建或者新建建筑物申请书（示范文本）",
        "兴隆台区民族和宗教事务局：\n"
        "为【改建原因，如：原大殿年久失修存在安全隐患】，我场所拟在场所内【改建／新建】"
        "【建筑物名称】，依据《宗教事务条例》第三十三条的规定，特提出申请。\n"
        "一、建设内容：【建筑物名称】，建筑面积【××】平方米，层数【×】层，"
        "高度【××】米，不改变场所原有用途。\n"
        "二、资金来源：【信教公民自愿捐献／场所自有资金】，预算【××】万元，不向社会摊派。\n"
        "三、安全保障：已委托【设计单位名称】出具设计方案，施工期间停止在该区域举行宗教活动。\n"
        "附件：1. 建设方案及设计图纸；2. 资金来源说明；3. 管理组织会议纪要；"
        "4. 所在地街道办事处意见。\n"
        "申请人：【场所名称】（盖章）　负责人（签字）：【姓名】\n"
        "【20××】年【×】月【×】日",
    ),
    "XK-004": (
        "申请书",
        "临时活动地点指定申请书（示范文本）",
        "兴隆台区民族和宗教事务局：\n"
        "我们是居住在【××街道××社区】的【宗教类别】信教公民，共【××】人，"
        "因附近没有宗教活动场所，有经常进行集体宗教活动的需要。依据《宗教事务条例》第三十五条的规定，"
        "现由信教公民代表提出申请，请求指定临时活动地点。\n"
        "拟用地点：【地址】，面积【××】平方米，产权人【姓名或名称】同意使用（书面意见附后）。\n"
        "活动时间：【每周×上午×时至×时】；主持活动人员：【姓名及资格说明】。\n"
        "附件：1. 信教公民名单（含签名）；2. 场地使用同意书；3. 所在地社区、街道意见。\n"
        "信教公民代表（签字）：【姓名】　联系电话：【××××××××××】\n"
        "【20××】年【×】月【×】日",
    ),
    "XK-005": (
        "申请书",
        "举行大型宗教活动申请书（示范文本）",
        "兴隆台区民族和宗教事务局：\n"
        "我【宗教团体／宗教活动场所名称】拟于【20××年×月×日×时至×时】在【地点】举行"
        "【活动名称】，预计参加人数【××】人。依据《宗教事务条例》第四十二条的规定，"
        "在拟举行日的30日前提出申请。\n"
        "一、活动内容和日程：【简要说明】\n"
        "二、组织者和主持人：【姓名及联系方式】\n"
        "三、安全工作方案：已制定安全预案，设安全员【××】名，与公安、消防部门沟通【情况】。\n"
        "附件：1. 活动方案；2. 安全工作方案和应急预案；3. 场地使用证明。\n"
        "申请人：【名称】（盖章）　负责人（签字）：【姓名】\n"
        "【20××】年【×】月【×】日",
    ),
}


def _samples(agency: Agency) -> None:
    admin = User.objects.get(username="admin")
    for code, (material, title, body) in SAMPLES.items():
        matter = Matter.objects.filter(agency=agency, code=code).first()
        if matter is None or SampleText.objects.filter(matter=matter, title=title).exists():
            continue
        samples.save_sample(
            actor=admin, matter_id=matter.pk, material=material, title=title, body=body
        )
    SampleText.objects.filter(matter__agency=agency).update(is_demo=True)


def _posts(agency: Agency) -> None:
    head = User.objects.get(username="admin")
    officers = {o.name: o for o in Officer.objects.filter(agency__in=[agency])}
    for data in POSTS:
        if Post.objects.filter(agency=agency, window=data.window).exists():
            continue
        officer = officers.get(data.name)
        services.save_post(
            actor=head,
            agency_id=agency.pk,
            data=services.PostData(
                **{**data.__dict__, "officer_id": officer.pk if officer else None}
            ),
        )
    Post.objects.filter(agency=agency).update(is_demo=True)


def _decided_case(agency: Agency, title: str, party: PartyData, amount: str | None) -> None:
    officer = User.objects.get(username="wang")
    head = User.objects.get(username="head")
    matter = Matter.objects.filter(agency=agency, code="CF-002").first()
    if matter is None or Case.objects.filter(agency=agency, title=title).exists():
        return
    opened = timezone.localdate() - timedelta(days=20)
    name = party.name if party.kind == "natural" else party.legal_representative
    # 裁量基准 (cases demo): 一般情节 warning only; 较重 a fine of 2万–10万.
    penalty = f"给予警告，并处罚款人民币{amount}元。" if amount else "给予警告。"
    phone = party.phone or "0427-2812345"
    text = _decision_text(name, party.id_number, phone, penalty, fined=bool(amount))
    if party.kind != "natural":
        first, rest = text.split("\n", 1)
        first = f"当事人：{party.name}，统一社会信用代码 {party.credit_code}，法定代表人{name}。"
        text = first + "\n" + rest.replace("民宿", "门店")
    case = open_case(
        actor=officer,
        matter_id=matter.pk,
        procedure="penalty_ordinary",
        title=title,
        source="complaint",
        # The facts found, as the 决定书 states them (its 经查明 paragraph): what the portal
        # publishes is the issued document's body.
        facts=text,
        parties=[party],
        team=[officer.officer.pk, User.objects.get(username="li").officer.pk],
        opened_on=opened,
        is_demo=True,
    )
    save_draft(
        actor=officer,
        case_id=case.pk,
        data=DraftData(
            violated_provision="《宗教事务条例》第四十一条",
            kind="fine" if amount else "warning",
            # 给予警告，并处罚款: the warning is imposed together with the fine (并处).
            additional_kinds=("warning",) if amount else (),
            fine_amount=Decimal(amount) if amount else None,
            circumstance="serious" if amount else "ordinary",
            legal_basis="《宗教事务条例》第七十一条",
            text=text,
        ),
    )
    for i, target in enumerate(PATH, start=1):
        actor = head if target in {"investigation", "decision"} else officer
        on = opened + timedelta(days=i * 3)
        prepare_step(actor, case, target, on)  # the 告知书, and the party's written waiver
        transition(actor=actor, case_id=case.pk, target=target, on=on)
    # 行政处罚法 第59条: the 决定书 served, from which the publication is taken (issue 10 item 11).
    issue_document(actor=officer, case_id=case.pk, kind="penalty_decision")


def load() -> None:
    agency = Agency.objects.filter(name=AGENCY).first()
    if agency is None:
        return
    _posts(agency)
    _samples(agency)
    for title, party, amount in DEMO_DECISIONS:
        try:
            _decided_case(agency, title, party, amount)
        except DomainError as err:  # another app's guard (e.g. a required AV record)
            logger.warning("演示案件“%s”未能作出决定：%s", title, err.message)
    head = User.objects.get(username="head")
    for item in Publication.objects.filter(agency=agency, status=PublicationStatus.QUEUED):
        services.publish(actor=head, publication_id=item.pk)
