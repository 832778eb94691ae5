"""Demo 公示 data: two window posts, two more decided penalty cases, and every queued demo
decision published, so the portal shows masked decisions. Idempotent (found by natural keys)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, PartyData, open_case, save_draft, transition
from sanxiang.cases.testing import org_credit_code, resident_id
from sanxiang.catalog.models import Matter
from sanxiang.directory.models import Agency, Officer
from sanxiang.lib.errors import DomainError

from . import services
from .models import Post, Publication, PublicationStatus

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
    case = open_case(
        actor=officer,
        matter_id=matter.pk,
        procedure="penalty_ordinary",
        title=title,
        source="complaint",
        facts=title,
        parties=[party],
        team=[officer.officer.pk, User.objects.get(username="li").officer.pk],
        opened_on=opened,
        is_demo=True,
    )
    name = party.name if party.kind == "natural" else party.legal_representative
    # 裁量基准 (cases demo): 一般情节 warning only; 较重 a fine of 2万–10万.
    penalty = f"给予警告，并处罚款人民币{amount}元。" if amount else "给予警告。"
    phone = party.phone or "0427-2812345"
    text = _decision_text(name, party.id_number, phone, penalty, fined=bool(amount))
    if party.kind != "natural":
        first, rest = text.split("\n", 1)
        first = f"当事人：{party.name}，统一社会信用代码 {party.credit_code}，法定代表人{name}。"
        text = first + "\n" + rest.replace("民宿", "门店")
    save_draft(
        actor=officer,
        case_id=case.pk,
        data=DraftData(
            kind="fine" if amount else "warning",
            fine_amount=Decimal(amount) if amount else None,
            circumstance="serious" if amount else "ordinary",
            legal_basis="《宗教事务条例》第七十一条",
            text=text,
        ),
    )
    for i, target in enumerate(PATH, start=1):
        actor = head if target in {"investigation", "decision"} else officer
        transition(actor=actor, case_id=case.pk, target=target, on=opened + timedelta(days=i * 3))


def load() -> None:
    agency = Agency.objects.filter(name=AGENCY).first()
    if agency is None:
        return
    _posts(agency)
    for title, party, amount in DEMO_DECISIONS:
        try:
            _decided_case(agency, title, party, amount)
        except DomainError as err:  # another app's guard (e.g. a required AV record)
            logger.warning("演示案件“%s”未能作出决定：%s", title, err.message)
    head = User.objects.get(username="head")
    for item in Publication.objects.filter(agency=agency, status=PublicationStatus.QUEUED):
        services.publish(actor=head, publication_id=item.pk)
