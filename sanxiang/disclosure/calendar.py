"""Publications whose 公示期限 or 撤回期限 was counted provisionally (暂定) across a year whose
notice an administrator just entered, or could not be counted at all: count them again
(registered with ``catalog.calendar``)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.urls import reverse

from sanxiang.catalog.calendar import Moved, touches
from sanxiang.lib import workdays

from .models import Publication, PublicationStatus
from .services import WITHDRAW_WORKING_DAYS, rule_for


def recompute_for_year(year: int) -> list[Moved]:
    first, last = touches(year)
    moved: list[Moved] = []
    queued = Publication.objects.filter(
        Q(due_on__gte=first) | Q(due_on__isnull=True),
        status=PublicationStatus.QUEUED,
        decided_on__lte=last,
    )
    for item in queued:
        try:
            due = workdays.add_working_days(
                item.decided_on, rule_for(item.agency_id, item.category).days
            )
        except workdays.CalendarGap as gap:
            Publication.objects.filter(pk=item.pk).update(due_on=None, calendar_gap_year=gap.year)
            continue
        if due == item.due_on:
            continue
        Publication.objects.filter(pk=item.pk).update(due_on=due, calendar_gap_year=None)
        moved.append(_moved(item, "公示期限", item.due_on, due))
    withdrawing = Publication.objects.filter(
        status=PublicationStatus.PUBLISHED,
        withdraw_due_on__gte=first,
        revoked_on__lte=last,
    )
    for item in withdrawing:
        if item.revoked_on is None:  # a withdrawal clock always has its start; never guess one
            continue
        due = workdays.add_working_days(item.revoked_on, WITHDRAW_WORKING_DAYS)
        if due == item.withdraw_due_on:
            continue
        Publication.objects.filter(pk=item.pk).update(withdraw_due_on=due)
        moved.append(_moved(item, "撤回公示期限", item.withdraw_due_on, due))
    return moved


def _moved(item: Publication, kind: str, old: date | None, new: date) -> Moved:
    return Moved(
        agency_id=item.agency_id,
        kind=kind,
        subject=item.doc_number or item.matter_name,
        link=reverse("disclosure:preview", args=[item.pk]),
        old_due_on=old,
        new_due_on=new,
    )
