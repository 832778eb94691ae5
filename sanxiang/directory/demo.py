"""Demo 主体库 and 人员库: 兴隆台区民族和宗教事务局 under 兴隆台区人民政府, supervised by the
district justice bureau. Idempotent: rows are found by their natural keys before creating."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanxiang.accounts.models import Role, User

from .models import Agency, AgencyKind, AgencyLevel, Officer
from .services import AgencyData, OfficerData, create_agency, create_officer

DEMO_PASSWORD = "sanxiang-demo-2026"  # noqa: S105 - printed for the demo; demo users only
AREA = "兴隆台区"


# Fixed TOTP keys so a demo user can sign in with `manage.py otp_code <user>`; demo only.
def demo_totp_key(username: str) -> str:
    return (username.encode().hex() + "0" * 40)[:40]


def _agency(name: str, **kwargs: Any) -> Agency:
    found = Agency.objects.filter(name=name).first()
    if found:
        return found
    return create_agency(actor=None, data=AgencyData(name=name, is_demo=True, **kwargs))


def load_agencies() -> dict[str, Agency]:
    gov = _agency(
        "兴隆台区人民政府",
        level=AgencyLevel.GOVERNMENT,
        credit_code="112111030012345672",
        address="辽宁省盘锦市兴隆台区",
        area=AREA,
    )
    justice = _agency(
        "兴隆台区司法局",
        level=AgencyLevel.JUSTICE,
        parent_id=gov.pk,
        credit_code="11211103001234583P",
        address="盘锦市兴隆台区市府大街",
        phone="0427-2800000",
        area=AREA,
    )
    bureau = _agency(
        "兴隆台区民族和宗教事务局",
        level=AgencyLevel.DEPARTMENT,
        parent_id=gov.pk,
        short_name="兴民宗",
        credit_code="11211103001234575W",
        kind=AgencyKind.STATUTORY,
        supervised_by_id=justice.pk,
        legal_basis="《宗教事务条例》第六条：县级以上地方人民政府宗教事务部门依法对涉及国家利益和社会公共利益的宗教事务进行管理。",
        address="辽宁省盘锦市兴隆台区兴隆台街（演示地址）",
        phone="0427-2800001",
        office_hours="工作日 8:30—11:30，13:30—17:00",
        supervision_channels="兴隆台区司法局行政执法监督电话：0427-2800000\n12345政务服务便民热线",
        payment_instructions="持本决定书及非税收入一般缴款书到中国工商银行盘锦兴隆台支行缴纳，"
        "或通过辽宁省非税收入电子缴款系统（扫描缴款书上的二维码）缴纳。",
        remedy_channels="对行政执法决定不服的，可自收到决定之日起60日内向兴隆台区人民政府申请行政复议，或者6个月内向人民法院提起行政诉讼。",
        area=AREA,
    )
    legal = _agency(
        "兴隆台区民族和宗教事务局法制股",
        level=AgencyLevel.UNIT,
        parent_id=bureau.pk,
        is_legal_unit=True,
        area=AREA,
    )
    religion = _agency(
        "兴隆台区民族和宗教事务局宗教事务股", level=AgencyLevel.UNIT, parent_id=bureau.pk, area=AREA
    )
    ethnic = _agency(
        "兴隆台区民族和宗教事务局民族工作股", level=AgencyLevel.UNIT, parent_id=bureau.pk, area=AREA
    )
    return {
        "gov": gov,
        "justice": justice,
        "bureau": bureau,
        "legal": legal,
        "religion": religion,
        "ethnic": ethnic,
    }


# (username or "", name, unit key, position, role, reviewer, expired)
PEOPLE = [
    ("head", "刘建国", "bureau", "局长", Role.HEAD, False, False),
    ("wang", "王立新", "religion", "股长", Role.OFFICER, False, False),
    ("li", "李晓梅", "religion", "科员", Role.OFFICER, False, False),
    ("", "张志强", "religion", "科员", Role.OFFICER, False, False),
    ("", "陈宏伟", "religion", "科员", Role.OFFICER, False, False),
    ("", "杨帆", "ethnic", "股长", Role.OFFICER, False, False),
    ("", "赵文静", "ethnic", "科员", Role.OFFICER, False, False),
    ("", "黄海涛", "ethnic", "科员", Role.OFFICER, False, False),
    ("", "周丽娜", "religion", "科员", Role.OFFICER, False, False),
    ("", "吴振东", "religion", "科员", Role.OFFICER, False, True),
    ("zhao", "孙明哲", "legal", "法制股股长", Role.REVIEWER, True, False),
    ("qian", "钱雨涵", "legal", "法制审核员", Role.REVIEWER, True, False),
]


def _user(username: str, name: str, agency: Agency, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=name, agency=agency, role=role, is_demo=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
        TOTPDevice.objects.create(
            user=user, name="演示身份验证器", key=demo_totp_key(username), confirmed=True
        )
    return user


def load() -> None:
    units = load_agencies()
    today = timezone.localdate()
    for number, (username, name, unit, position, role, reviewer, expired) in enumerate(PEOPLE, 1):
        cert = f"21110320{number:04d}"
        user = _user(username, name, units[unit], role) if username else None
        if Officer.objects.filter(certificate_no=cert).exists():
            continue
        issued = date(2023, 3, 1)
        expires = today - timedelta(days=1) if expired else date(today.year + 2, 12, 31)
        create_officer(
            actor=None,
            data=OfficerData(
                agency_id=units[unit].pk,
                name=name,
                position=position,
                certificate_no=cert,
                categories=["licence", "penalty", "coercion", "inspection"],
                area=AREA,
                certificate_issued=issued,
                certificate_expires=expires,
                is_reviewer=reviewer,
                legal_qualification_no=f"A2019{number:07d}" if reviewer else "",
                user_id=user.pk if user else None,
                is_demo=True,
            ),
        )
    _user("admin", "系统管理员", units["bureau"], Role.ADMIN)
    _user("sun", "孙正义", units["justice"], Role.SUPERVISOR)
