"""The hearing's schedule and the rules of 行政处罚法 第64条 around it.

第64条第（二）项: the agency notifies the party of the hearing's time and place 七日前 (at least
7 days before; 第85条: 七日 are working days). 第64条第（四）项: the hearing is presided over by
a person the agency names who is not the case's investigating officer. The schedule is written
by ``schedule_hearing`` (one entry ``case.hearing_scheduled``); the 听证通知书 prints it
(``notice_text``, registered with the documents app); ``hearing_order`` refuses leaving the
hearing for the decision before the scheduled day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.directory.models import Agency, Officer
from sanxiang.ledger.models import Entry
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.workdays import CalendarGap, add_working_days
from sanxiang.procedures.definitions import StageRole
from sanxiang.procedures.engine import GuardContext

from . import order
from .hearing_models import ScheduledHearing
from .models import Case
from .queries import get_case_for
from .services.common import local_today, may_take

# 行政处罚法 第64条第（二）项, counted per 第85条.
NOTICE_WORKING_DAYS = 7
BASIS = (
    "行政处罚法 第64条第（二）项：行政机关应当在举行听证的七日前，通知当事人及有关人员"
    "听证的时间、地点（第85条：七日指工作日）"
)


def current(case: Case | int) -> ScheduledHearing | None:
    """The case's latest schedule (a rescheduling replaces the earlier one)."""
    case_id = case if isinstance(case, int) else case.pk
    return (
        ScheduledHearing.objects.select_related("presiding")
        .filter(case_id=case_id)
        .order_by("-pk")
        .first()
    )


def earliest_hearing_day(notified_on: date) -> date:
    try:
        return add_working_days(notified_on, NOTICE_WORKING_DAYS)
    except CalendarGap as error:
        raise DomainError("calendar_gap", str(error)) from None


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _check_presiding(case: Case, officer_id: int) -> Officer:
    officer = Officer.objects.filter(
        pk=officer_id, agency_id__in=Agency.subtree_ids({case.agency_id})
    ).first()
    if officer is None:
        raise ValidationFailed("听证主持人须为本机关的执法人员。", field="presiding_id")
    if case.members.filter(officer=officer, recused=False).exists():
        raise DomainError(
            "hearing_presiding_investigator",
            f"{officer.name}是本案调查人员，不能主持听证（行政处罚法 第64条第（四）项："
            "听证由行政机关指定的非本案调查人员主持）。",
        )
    return officer


# --- A rescheduled hearing (issue 10, h10a item 3) -----------------------------------------
# 第64条第（二）项 notifies the time and place: once a 听证通知书 was issued for a schedule, a new
# time or place is notified again by a new 听证通知书, and the 七日 (working days, 第85条) run
# from the new notice's service. The old notice no longer lets the case leave the hearing.
SUMMONS = "hearing_summons"
RECEIPT = "delivery_receipt"


@dataclass(frozen=True)
class _Issued:
    entry: int
    kind: str
    at: datetime


def _issued(case_id: int, *kinds: str) -> list[_Issued]:
    """The case's 听证通知书 and 送达回证 as the ledger records their issue (cases sits below
    documents, so it reads the ``document.issued`` entries, not the documents' rows)."""
    rows = Entry.objects.filter(case_id=case_id, event_type="document.issued").order_by("id")
    out = []
    for entry, raw, at in rows.values_list("id", "payload", "created_at"):
        kind = json.loads(raw).get("kind")
        if kind in kinds:
            out.append(_Issued(entry, kind, at))
    return out


def _same_time_and_place(a: ScheduledHearing, b: ScheduledHearing) -> bool:
    return a.held_at == b.held_at and a.place == b.place


def notified_schedule(case_id: int) -> tuple[ScheduledHearing, _Issued] | None:
    """The schedule the latest 听证通知书 was issued for (the one in force when it was issued),
    with that notice; None before any notice."""
    summonses = _issued(case_id, SUMMONS)
    if not summonses:
        return None
    last = summonses[-1]
    schedule = (
        ScheduledHearing.objects.filter(case_id=case_id, created_at__lte=last.at)
        .order_by("-pk")
        .first()
    )
    return (schedule, last) if schedule is not None else None


def _check_renotice(case: Case, held_at: datetime, place: str, day: date, today: date) -> bool:
    """Whether this (re)scheduling changes a time or place already notified; then the new
    notice is yet to be issued, so its service cannot be dated before today."""
    notified = notified_schedule(case.pk)
    if notified is None:
        return False
    schedule, summons = notified
    if schedule.held_at == held_at and schedule.place == place:
        return False
    if day < today:
        served = timezone.localdate(summons.at)
        raise DomainError(
            "hearing_notice_too_late",
            f"听证的时间、地点已变更：{_cn(served)}制发的《听证通知书》通知的是原定时间、地点，"
            "不再有效，须重新制发《听证通知书》并送达；七个工作日自新通知送达之日起算，"
            f"送达之日不能早于今天（{BASIS}）。",
            field="notified_on",
        )
    return True


def renotice_order(case: Case, hearing: ScheduledHearing) -> None:
    """Refuse leaving a rescheduled hearing on the old notice, or on a new notice served less
    than 七个工作日 before the new day."""
    notified = notified_schedule(case.pk)
    if notified is None:
        return  # no notice at all: the step's Needs refuses it (document_required)
    schedule, summons = notified
    held_on = timezone.localdate(hearing.held_at)
    if schedule.pk != hearing.pk:
        if _same_time_and_place(schedule, hearing):
            return
        at = timezone.localtime(hearing.held_at)
        raise DomainError(
            "hearing_not_held",
            f"听证已改定于{_cn(at.date())}{at:%H:%M}在{hearing.place}举行，"
            f"{_cn(timezone.localdate(summons.at))}制发的《听证通知书》通知的是原定时间、地点，"
            f"须重新制发《听证通知书》并送达当事人（{BASIS}）。",
        )
    earlier = ScheduledHearing.objects.filter(case_id=case.pk, pk__lt=hearing.pk)
    if not any(not _same_time_and_place(e, hearing) and _issued_after(case.pk, e) for e in earlier):
        return  # a first notice: its service day is the schedule's ``notified_on``
    receipt = next((r for r in _issued(case.pk, RECEIPT) if r.entry > summons.entry), None)
    if receipt is None:
        return  # not yet delivered: the step's Needs(delivered=True) refuses it
    served = max(hearing.notified_on, timezone.localdate(receipt.at))
    earliest = earliest_hearing_day(served)
    if held_on < earliest:
        raise DomainError(
            "hearing_notice_too_late",
            f"变更后的《听证通知书》于{_cn(served)}送达，听证定于{_cn(held_on)}，不足七个工作日，"
            f"最早可定于{_cn(earliest)}；请重新安排听证并再次通知（{BASIS}）。",
        )


def _issued_after(case_id: int, schedule: ScheduledHearing) -> bool:
    """Whether a 听证通知书 was issued while ``schedule`` was the case's latest."""
    later = ScheduledHearing.objects.filter(case_id=case_id, pk__gt=schedule.pk).order_by("pk")
    until = later.values_list("created_at", flat=True).first()
    return any(
        s.at >= schedule.created_at and (until is None or s.at < until)
        for s in _issued(case_id, SUMMONS)
    )


@transaction.atomic(durable=True)
def schedule_hearing(
    *,
    actor: User,
    case_id: int,
    held_at: datetime,
    place: str,
    presiding_id: int,
    notified_on: date | None = None,
) -> ScheduledHearing:
    """Schedule (or reschedule) the case's hearing while it is at its hearing stage.

    ``notified_on``: the day the 听证通知书 is served (today by default; an earlier day for a
    notice served on paper and entered afterwards, not before the case entered the hearing).
    Refused (``hearing_notice_too_late``) when the hearing is less than 7 working days after it.
    """
    case = get_case_for(actor, case_id, write=True)
    case = Case.objects.select_for_update().select_related("agency").get(pk=case.pk)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以安排听证。")
    definition = case.definition
    if not definition.has_role(case.stage, StageRole.HEARING):
        raise DomainError("conflict", f"案件处于“{case.stage_label}”，只能在听证阶段安排听证。")
    place = place.strip()
    if not place:
        raise ValidationFailed("请填写听证地点。", field="place")
    if timezone.is_naive(held_at):
        raise ValidationFailed("听证时间须带时区。", field="held_at")
    today = local_today()
    day = notified_on or today
    if day > today:
        raise ValidationFailed("通知日期不能晚于今天。", field="notified_on")
    entered = order.stage_entered_on(case, definition.codes_with_role(StageRole.HEARING))
    if entered is not None and day < entered:
        raise ValidationFailed(
            f"通知日期不能早于案件进入听证阶段之日（{_cn(entered)}）。", field="notified_on"
        )
    renotice = _check_renotice(case, held_at, place, day, today)
    held_on = timezone.localdate(held_at)
    earliest = earliest_hearing_day(day)
    if held_on < earliest:
        raise DomainError(
            "hearing_notice_too_late",
            f"听证定于{_cn(held_on)}，距通知之日（{_cn(day)}）不足七个工作日，"
            f"最早可定于{_cn(earliest)}（{BASIS}）。",
        )
    presiding = _check_presiding(case, presiding_id)
    hearing = ScheduledHearing.objects.create(
        case=case,
        held_at=held_at,
        place=place,
        presiding=presiding,
        notified_on=day,
        created_by=actor,
    )
    append(
        event_type="case.hearing_scheduled",
        payload={
            "number": case.number,
            "hearing": hearing.pk,
            "held_at": timezone.localtime(held_at).isoformat(),
            "place": place,
            "presiding": presiding.certificate_no,
            "presiding_name": presiding.name,
            "notified_on": day,
            # A time or place already notified changed: a new 听证通知书 is due (第64条).
            **({"renotice": True} if renotice else {}),
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return hearing


def notice_text(case: Case) -> str:
    """What the 听证通知书 prints of the schedule (documents ``register_sheet_text``): one
    line each, ``label：value``; empty without a schedule."""
    hearing = current(case)
    if hearing is None:
        return ""
    at = timezone.localtime(hearing.held_at)
    return "\n".join(
        (
            f"听证时间：{at.year}年{at.month}月{at.day}日{at:%H:%M}",
            f"听证地点：{hearing.place}",
            f"听证主持人：{hearing.presiding.name}",
            f"通知日期：{_cn(hearing.notified_on)}",
        )
    )


def hearing_order(context: GuardContext) -> None:
    """The guard: leave the hearing for the decision only once a hearing was scheduled and its
    day has come (行政处罚法 第64条、第65条: the decision follows the hearing and its 笔录)."""
    if not context.leaves(StageRole.HEARING) or not context.enters(StageRole.DECISION):
        return
    hearing = current(context.case)
    if hearing is None:
        raise DomainError(
            "hearing_not_held",
            f"本案尚未安排听证，不得离开听证阶段作出决定（{BASIS}；第65条）。",
        )
    renotice_order(context.case, hearing)
    held_on = timezone.localdate(hearing.held_at)
    day = context.on or local_today()
    if day < held_on:
        raise DomainError(
            "hearing_not_held",
            f"听证定于{_cn(held_on)}举行，此前不得作出决定（行政处罚法 第64条、第65条）。",
        )
