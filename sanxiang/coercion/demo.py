"""The demo agency's 查封、扣押 of 非法宗教宣传品 (行政强制法): one case carried out on the spot,
reported within 二十四小时 and approved, its 清单 printed and the period extended once; one
released on 第28条's ground and closed. Idempotent: found by title."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases.demo import AGENCY, prepare_step
from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, PartyData, extend_deadline, open_case, save_draft
from sanxiang.cases.services import transition as move
from sanxiang.cases.testing import org_credit_code, resident_id
from sanxiang.catalog.models import Matter
from sanxiang.directory.models import Agency
from sanxiang.documents.services import issue_document

from . import services
from .services import ItemData

MATTER = "QZ-001"
EXTENDED = "张某散发非法宗教宣传品查封扣押案"
RELEASED = "某书店销售涉宗教内容出版物扣押案"
DRAFT = DraftData(
    kind="seizure",
    violated_provision="《宗教事务条例》第四十五条第二款",
    legal_basis="《宗教事务条例》第六十八条",
    text="扣押涉嫌非法的宗教宣传品。",
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _open(
    officer: User, matter: Matter, title: str, party: PartyData, on: date, team: list[int]
) -> Case:
    return open_case(
        actor=officer,
        matter_id=matter.pk,
        procedure="coercion",
        title=title,
        source="inspection",
        facts="执法人员巡查发现当事人散发、销售含有宗教极端内容的宣传品。",
        parties=[party],
        team=team,
        opened_on=on,
        is_demo=True,
    )


def _walk(case: Case, head: User, officer: User, on: date) -> None:
    for target, actor in (("decision", head), ("delivery", officer), ("execution", officer)):
        prepare_step(actor, case, target, on)
        move(actor=actor, case_id=case.pk, target=target, note="演示", on=on)


def load() -> None:
    agency = Agency.objects.filter(name=AGENCY).first()
    matter = Matter.objects.filter(agency=agency, code=MATTER).first() if agency else None
    if agency is None or matter is None:
        return
    officer = User.objects.get(username="wang")
    second = User.objects.get(username="li")
    head = User.objects.get(username="head")
    team = [officer.officer.pk, second.officer.pk]
    today = timezone.localdate()
    if not Case.objects.filter(agency=agency, title=EXTENDED).exists():
        on = today - timedelta(days=12)
        person = PartyData(
            kind="natural",
            name="张某",
            id_number=resident_id(date(1975, 9, 3), 41),
            address="盘锦市兴隆台区",
        )
        case = _open(officer, matter, EXTENDED, person, on, team)
        # 行政强制法 第19条: taken on the spot in the street, reported three hours later.
        services.report_on_spot(
            actor=officer,
            case_id=case.pk,
            carried_out_at=_at(on, 10, 30),
            reported_at=_at(on, 13, 30),
            circumstances="当事人正在广场向行人散发宣传品，不当场扣押将继续扩散",
        )
        services.set_items(
            actor=officer,
            case_id=case.pk,
            items=[
                ItemData("宗教宣传册《某某》", "1200", "册", "32开，彩色印刷", "本局物证保管室"),
                ItemData("宣传光盘", "85", "张", "无标识", "本局物证保管室"),
                ItemData("手推车", "1", "辆", "蓝色", "本局院内"),
            ],
        )
        save_draft(actor=officer, case_id=case.pk, data=DRAFT)
        issue_document(actor=officer, case_id=case.pk, kind="on_spot_report")
        _walk(case, head, officer, on)
        # 第25条: 情况复杂, the head extends once (20 of the 30 days the law allows).
        extend_deadline(
            actor=head,
            case_id=case.pk,
            rule="seizure",
            reason="宣传品来源涉及外地印刷点，需商请有关部门协查",
            days=20,
        )
        issue_document(actor=officer, case_id=case.pk, kind="seizure_extension")
    if not Case.objects.filter(agency=agency, title=RELEASED).exists():
        on = today - timedelta(days=40)
        shop = PartyData(
            kind="individual_business",
            name="兴隆台区某书店",
            credit_code=org_credit_code(16),
            legal_representative="刘某",
            id_number=resident_id(date(1982, 3, 9), 52),
            address="盘锦市兴隆台区（演示地址）",
        )
        case = _open(officer, matter, RELEASED, shop, on, team)
        services.set_items(
            actor=officer,
            case_id=case.pk,
            items=[ItemData("涉宗教内容图书", "36", "册", "精装", "本局物证保管室")],
        )
        save_draft(actor=officer, case_id=case.pk, data=DRAFT)
        _walk(case, head, officer, on)
        # 第28条第（二）项: the books proved unrelated to the violation; released, then closed.
        services.release(
            actor=head,
            case_id=case.pk,
            ground="unrelated",
            explanation="经出版管理部门鉴定为合法出版物",
            on=on + timedelta(days=9),
        )
        for kind in ("seizure_release", "site_record"):
            issue_document(actor=officer, case_id=case.pk, kind=kind)
        closing = on + timedelta(days=10)
        prepare_step(head, case, "closing", closing, officer=officer)
        move(actor=head, case_id=case.pk, target="closing", note="演示", on=closing)
