"""The writes of a 查封、扣押 case (行政强制法), each one durable transaction with its entry.

- ``set_items``: the 清单 (第24条第2款第（三）项), replaced as a whole until the 查封扣押决定书
  prints it (then ``seizure_list_issued``).
- ``release``: the head's 解除 on one of 第28条's grounds (the 解除查封扣押决定书 prints it; its
  issue stops the 第25条 clock, ``procedures.definitions.COERCION``).
- ``record_confiscation``: the goods 没收 by a decision (第27条); stops the clock.
- ``report_on_spot``: a measure carried out on the spot, reported to the head (第19条).
The extension of the 三十日 is the cases app's ``extend_deadline`` (rule ``seizure``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.cases.deadlines import stop_clocks
from sanxiang.cases.models import Case, Deadline
from sanxiang.cases.queries import get_case_for
from sanxiang.cases.services.common import local_today, may_take
from sanxiang.documents.models import IssuedDocument
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import STAFF, StageRole

from .models import OnSpotReport, Outcome, ReleaseGround, SeizureItem, SeizureOutcome

MAX_ITEMS = 200
# 行政强制法 第19条: reported to the head within 二十四小时.
REPORT_HOURS = 24
REPORT_BASIS = (
    "行政强制法 第19条：情况紧急，需要当场实施行政强制措施的，行政执法人员应当在二十四小时内"
    "向行政机关负责人报告，并补办批准手续"
)
RELEASE_BASIS = "行政强制法 第28条：有下列情形之一的，行政机关应当及时作出解除查封、扣押决定"


@dataclass(frozen=True)
class ItemData:
    name: str
    quantity: Decimal | str
    unit: str
    specification: str = ""
    location: str = ""


def _coercion_case(actor: User, case_id: int) -> Case:
    case = get_case_for(actor, case_id, write=True)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.definition.category != "coercion":
        raise DomainError("conflict", "只有行政强制措施案件登记查封、扣押事项。")
    return case


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _quantity(raw: Decimal | str, n: int) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"第{n}项的数量“{raw}”不是数字。", field="items") from None
    if not value.is_finite() or value <= 0 or value >= Decimal("1e9"):
        raise ValidationFailed(f"第{n}项的数量须大于零。", field="items")
    if value != value.quantize(Decimal("0.001")):
        raise ValidationFailed(f"第{n}项的数量最多三位小数。", field="items")
    return value


def _clean(items: Sequence[ItemData]) -> list[ItemData]:
    if not items:
        raise ValidationFailed(
            "请至少登记一项查封、扣押的场所、设施或者财物（行政强制法 第24条）。", field="items"
        )
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(f"清单最多{MAX_ITEMS}项。", field="items")
    clean = []
    for n, item in enumerate(items, 1):
        name, unit = item.name.strip(), item.unit.strip()
        if not name:
            raise ValidationFailed(f"第{n}项未填写名称。", field="items")
        if not unit:
            raise ValidationFailed(f"第{n}项“{name}”未填写单位。", field="items")
        spec, where = item.specification.strip(), item.location.strip()
        if len(name) > 200 or len(spec) > 200 or len(where) > 200 or len(unit) > 20:
            raise ValidationFailed(f"第{n}项内容过长。", field="items")
        clean.append(ItemData(name, _quantity(item.quantity, n), unit, spec, where))
    return clean


def item_payload(item: SeizureItem | ItemData, position: int) -> dict[str, str | int]:
    return {
        "position": position,
        "name": item.name,
        "specification": item.specification,
        "quantity": f"{Decimal(item.quantity).normalize():f}",
        "unit": item.unit,
        "location": item.location,
    }


@transaction.atomic(durable=True)
def set_items(*, actor: User, case_id: int, items: Sequence[ItemData]) -> list[SeizureItem]:
    """Record (or correct) the 清单 before the 查封扣押决定书 is issued."""
    case = _coercion_case(actor, case_id)
    if not may_take(actor, case, STAFF, head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以登记查封、扣押清单。")
    if IssuedDocument.objects.filter(case=case, kind="seizure_decision").exists():
        raise DomainError(
            "seizure_list_issued",
            "《查封扣押决定书》已载明清单并制发，清单不能再修改（行政强制法 第24条）。",
        )
    if not case.definition.has_role(case.stage, StageRole.FILING, StageRole.DECISION):
        raise DomainError("conflict", f"案件处于“{case.stage_label}”，不能再登记查封、扣押清单。")
    clean = _clean(items)
    SeizureItem.objects.filter(case=case).delete()
    rows = SeizureItem.objects.bulk_create(
        SeizureItem(
            case=case,
            position=n,
            name=i.name,
            specification=i.specification,
            quantity=Decimal(i.quantity),
            unit=i.unit,
            location=i.location,
        )
        for n, i in enumerate(clean, 1)
    )
    append(
        event_type="coercion.items_set",
        payload={
            "number": case.number,
            "items": [item_payload(i, n) for n, i in enumerate(clean, 1)],
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return rows


def measure_taken(case: Case) -> bool:
    """Whether anything was seized: a 查封扣押决定书 issued, or a measure taken on the spot."""
    return (
        IssuedDocument.objects.filter(case=case, kind="seizure_decision").exists()
        or OnSpotReport.objects.filter(case=case).exists()
    )


def _check_ending(actor: User, case: Case, day: date) -> None:
    if SeizureOutcome.objects.filter(case=case).exists():
        raise DomainError("conflict", "本案已登记查封、扣押的处理结果。")
    if not measure_taken(case):
        raise DomainError("conflict", "本案尚未实施查封、扣押，无需解除或者处理。")
    if case.definition.is_closed(case.stage):
        raise DomainError("conflict", "案件已结案。")
    if day > local_today():
        raise ValidationFailed("决定日期不能晚于今天。", field="on")
    if day < case.opened_on:
        raise ValidationFailed("决定日期不能早于立案日期。", field="on")


def _stop_clock(case: Case, on: date) -> list[dict[str, object]]:
    return stop_clocks(case, ["seizure"], on)


@transaction.atomic(durable=True)
def release(
    *, actor: User, case_id: int, ground: str, explanation: str = "", on: date | None = None
) -> SeizureOutcome:
    """The head decides to lift the measure (行政强制法 第28条); the 解除查封扣押决定书 prints it
    and, once issued, stops the 三十日 clock."""
    case = _coercion_case(actor, case_id)
    if not may_take(actor, case, frozenset({Role.HEAD}), head_approval=True):
        raise DomainError("forbidden", "解除查封、扣押须由本机关负责人决定。")
    day = on or local_today()
    _check_ending(actor, case, day)
    if ground not in ReleaseGround.values:
        raise ValidationFailed(f"请选择解除的理由（{RELEASE_BASIS}）。", field="ground")
    explanation = explanation.strip()
    if ground == ReleaseGround.OTHER and not explanation:
        raise ValidationFailed(
            "“其他不再需要采取查封、扣押措施的情形”须写明情形。", field="explanation"
        )
    if len(explanation) > 500:
        raise ValidationFailed("说明不超过500字。", field="explanation")
    if ground == ReleaseGround.EXPIRED:
        clock = Deadline.objects.filter(case=case, rule="seizure").first()
        if clock is None or day <= clock.due_on:
            due = f"，期限至{_cn(clock.due_on)}" if clock is not None else ""
            raise ValidationFailed(
                f"查封、扣押期限尚未届满{due}，不能以“期限已经届满”为由解除。", field="ground"
            )
    outcome = SeizureOutcome.objects.create(
        case=case,
        outcome=Outcome.RELEASE,
        ground=ground,
        explanation=explanation,
        decided_on=day,
        decided_by=actor,
    )
    append(
        event_type="coercion.released",
        payload={
            "number": case.number,
            "outcome": Outcome.RELEASE,
            "ground": ground,
            "explanation": explanation,
            "on": day,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return outcome


@transaction.atomic(durable=True)
def record_confiscation(
    *, actor: User, case_id: int, decision_number: str, note: str = "", on: date | None = None
) -> SeizureOutcome:
    """The seized goods were 没收 by a decision (行政强制法 第27条), named by its 文号: nothing
    is left to release. Stops the 三十日 clock (the entry carries it)."""
    case = _coercion_case(actor, case_id)
    if not may_take(actor, case, STAFF, head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以登记处理结果。")
    day = on or local_today()
    _check_ending(actor, case, day)
    number, note = decision_number.strip(), note.strip()
    if not number or len(number) > 64:
        raise ValidationFailed(
            "请填写作出没收决定的《行政处罚决定书》文号（行政强制法 第27条）。",
            field="decision_number",
        )
    if len(note) > 500:
        raise ValidationFailed("说明不超过500字。", field="note")
    outcome = SeizureOutcome.objects.create(
        case=case,
        outcome=Outcome.CONFISCATION,
        explanation=note,
        decision_number=number,
        decided_on=day,
        decided_by=actor,
    )
    stopped = _stop_clock(case, day)
    append(
        event_type="coercion.confiscated",
        payload={
            "number": case.number,
            "outcome": Outcome.CONFISCATION,
            "decision_number": number,
            "explanation": note,
            "on": day,
            "clocks": {"started": [], "stopped": stopped},
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return outcome


def report_is_late(report: OnSpotReport) -> bool:
    return report.reported_at - report.carried_out_at > timedelta(hours=REPORT_HOURS)


@transaction.atomic(durable=True)
def report_on_spot(
    *,
    actor: User,
    case_id: int,
    carried_out_at: datetime,
    circumstances: str,
    reported_at: datetime | None = None,
) -> OnSpotReport:
    """Record that the measure was carried out on the spot and reported to the head (第19条).
    A report made more than 二十四小时 after is recorded as what it is (the page and the report
    say 逾期), not refused: the fact cannot be undone and must stay on file."""
    case = _coercion_case(actor, case_id)
    if not may_take(actor, case, STAFF, head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以报告当场实施情况。")
    if not case.definition.has_role(case.stage, StageRole.FILING):
        raise DomainError("conflict", "当场实施的报告须在负责人补办批准手续之前登记。")
    if OnSpotReport.objects.filter(case=case).exists():
        raise DomainError("conflict", "本案已登记当场实施的报告。")
    now = timezone.now()
    reported = reported_at or now
    for value, field in ((carried_out_at, "carried_out_at"), (reported, "reported_at")):
        if timezone.is_naive(value):
            raise ValidationFailed("时间须带时区。", field=field)
    if reported > now + timedelta(minutes=5):
        raise ValidationFailed("报告时间不能晚于现在。", field="reported_at")
    if carried_out_at > reported:
        raise ValidationFailed("实施时间不能晚于报告时间。", field="carried_out_at")
    if timezone.localdate(carried_out_at) < case.opened_on - timedelta(days=1):
        raise ValidationFailed("实施时间与立案日期不符。", field="carried_out_at")
    circumstances = circumstances.strip()
    if not circumstances:
        raise ValidationFailed(
            f"请写明情况紧急、需要当场实施的事由（{REPORT_BASIS}）。", field="circumstances"
        )
    if len(circumstances) > 1000:
        raise ValidationFailed("事由不超过1000字。", field="circumstances")
    report = OnSpotReport.objects.create(
        case=case,
        carried_out_at=carried_out_at,
        reported_at=reported,
        circumstances=circumstances,
        reported_by=actor,
    )
    append(
        event_type="coercion.on_spot_reported",
        payload={
            "number": case.number,
            "carried_out_at": timezone.localtime(carried_out_at).isoformat(),
            "reported_at": timezone.localtime(reported).isoformat(),
            "circumstances": circumstances,
            "late": report_is_late(report),
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return report
