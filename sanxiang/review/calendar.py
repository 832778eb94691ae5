"""Open reviews whose 审核期限 was counted provisionally (暂定) across a year whose notice an
administrator just entered: count them again (registered with ``catalog.calendar``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from sanxiang.catalog.calendar import Moved, touches
from sanxiang.lib import workdays

from . import queries
from .models import OPEN_STATUSES, ReviewRound


def recompute_for_year(year: int) -> list[Moved]:
    first, last = touches(year)
    rounds = ReviewRound.objects.filter(status__in=OPEN_STATUSES, due_on__gte=first).select_related(
        "review__case__agency"
    )
    moved: list[Moved] = []
    for round_ in rounds:
        started = timezone.localdate(round_.submitted_at)
        if started > last:
            continue
        case = round_.review.case
        catalogue = queries.effective_catalogue(case.agency, started)
        due = workdays.add_working_days(started, catalogue.review_days)
        if round_.extended:
            due = workdays.add_working_days(due, catalogue.extension_days)
        if due == round_.due_on:
            continue
        ReviewRound.objects.filter(pk=round_.pk).update(due_on=due)
        moved.append(
            Moved(
                agency_id=case.agency_id,
                kind="法制审核期限",
                subject=f"{case.number} 第{round_.number}轮法制审核",
                link=reverse("review:round", args=[round_.pk]),
                old_due_on=round_.due_on,
                new_due_on=due,
            )
        )
    return moved
