"""Test helpers other apps may use to get a case quickly (matter, parties, an opened case)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanxiang.catalog.models import Matter, MatterVersion
from sanxiang.directory.models import Agency
from sanxiang.lib.identifiers import credit_code_check_char, resident_id_check_char
from sanxiang.procedures.definitions import StageRole, get_definition

from . import execution
from .models import Case
from .services import PartyData, open_case, record_payment

CATEGORY_NAMES = {
    "penalty": "为违法宗教活动提供条件的处罚",
    "licence": "宗教活动场所登记",
    "coercion": "查封、扣押涉嫌违法财物",
    "inspection": "宗教活动场所监督检查",
}


def resident_id(born: date, seq: int = 1) -> str:
    head = f"211103{born:%Y%m%d}{seq:03d}"
    return head + resident_id_check_char(head)


def org_credit_code(n: int) -> str:
    head = f"912111030{n:08d}"
    return head + credit_code_check_char(head)


def make_matter(agency: Agency, category: str = "penalty", code: str = "") -> Matter:
    """A matter of ``agency`` in force since last year (ORM only: test data, not a service)."""
    matter = Matter.objects.create(agency=agency, code=code or f"T-{category}")
    MatterVersion.objects.create(
        matter=matter,
        number=1,
        valid_from=timezone.localdate() - timedelta(days=400),
        category=category,
        name=CATEGORY_NAMES.get(category, category),
        handling_unit="宗教事务股",
        legal_basis=[{"law": "宗教事务条例", "article": "第七十一条", "text": "……"}],
    )
    return matter


def person(name: str = "张某", born: date = date(1980, 5, 17), **kwargs: Any) -> PartyData:
    kwargs.setdefault("id_number", resident_id(born))
    return PartyData(kind="natural", name=name, **kwargs)


def company(name: str = "某文化传播有限公司", n: int = 7, **kwargs: Any) -> PartyData:
    kwargs.setdefault("credit_code", org_credit_code(n))
    kwargs.setdefault("legal_representative", "李某")
    return PartyData(kind="organisation", name=name, **kwargs)


def open_test_case(
    world: Any,
    *,
    procedure: str = "penalty_ordinary",
    matter: Matter | None = None,
    parties: list[PartyData] | None = None,
    opened_on: date | None = None,
    title: str = "测试案件",
) -> Case:
    """A case opened by ``world.officer`` with ``officer`` and ``officer2`` as the team."""
    category = get_definition(procedure).category
    matter = matter or (
        Matter.objects.filter(agency=world.agency, code=f"T-{category}").first()
        or make_matter(world.agency, category)
    )
    return open_case(
        actor=world.officer,
        matter_id=matter.pk,
        procedure=procedure,
        title=title,
        source="inspection",
        facts="检查发现。",
        parties=parties or [person()],
        team=[world.officer.officer.pk, world.officer2.officer.pk],
        opened_on=opened_on or timezone.localdate(),
    )


def settle(actor: Any, case_id: int, target: str, *, on: date | None = None) -> Decimal | None:
    """Before a 结案 step, record the payment of what the decision still asks (the fine and the
    加处罚款 to ``on``) from a test 缴款书, as an officer would after the party paid; return the
    amount recorded (None when nothing is owed or the step is not 结案)."""
    case = Case.objects.get(pk=case_id)
    if not case.definition.has_role(target, StageRole.CLOSING) or case.decided_on is None:
        return None
    day = on or timezone.localdate()
    owed = execution.schedule(case, as_of=day)
    if owed.executed or owed.outstanding <= 0:
        return None
    record_payment(
        actor=actor,
        case_id=case_id,
        receipt_number=f"TEST-{case_id}-{len(owed.payments) + 1}",
        amount=owed.outstanding,
        paid_on=max(day, case.decided_on),
    )
    return owed.outstanding


def working_days_before(day: date, n: int) -> date:
    """The latest day from which ``n`` working days have run by ``day`` (``add_working_days``
    backwards; on a working ``day`` exactly ``n`` working days before it)."""
    from sanxiang.lib.workdays import add_working_days

    back = day
    while add_working_days(back, n) > day:
        back -= timedelta(days=1)
    return back


def hold_hearing(
    world: Any, case_id: int, *, notified_on: date | None = None, place: str = "本机关听证室"
) -> Any:
    """Schedule the case's hearing (presided over by ``world.head``, who is not on the team) on
    the earliest day the law allows after ``notified_on`` (行政处罚法 第64条: 7 working days)."""
    from datetime import datetime, time

    from .hearings import earliest_hearing_day, schedule_hearing

    day = notified_on or timezone.localdate()
    held = datetime.combine(earliest_hearing_day(day), time(9, 30))
    return schedule_hearing(
        actor=world.officer,
        case_id=case_id,
        held_at=timezone.make_aware(held),
        place=place,
        presiding_id=world.head.officer.pk,
        notified_on=day,
    )
