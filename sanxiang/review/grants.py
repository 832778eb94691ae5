"""The assigned 法制审核人员 reads the 案卷 (issue 10 item 10).

法制审核 §四(三)4 asks whether the evidence is lawful and sufficient (证据是否合法充分): the
reviewer cannot answer without opening it. While a round is assigned to them, the reviewer opens
every record of that case without the head's approval (``records.grants``); each opening is a
retrieval logged like any other, and the ledger entry names the round. The grant ends when the
round ends (opinion given, or reassigned to someone else): nothing to revoke, it is read from
the round's state at each opening.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.records.grants import Grant

from .models import ReviewRound, RoundStatus

SOURCE = "legal_review"


def assigned_reviewer_grants(user: Any, case_ids: Collection[int]) -> dict[int, Grant]:
    """Case id → grant, for the cases among ``case_ids`` with a round now assigned to ``user``
    as a 法制审核人员 of the case's own agency."""
    if getattr(user, "is_superuser", False) or not getattr(user, "pk", None):
        return {}
    rows = (
        ReviewRound.objects.filter(
            status=RoundStatus.ASSIGNED,
            reviewer__user_id=user.pk,
            reviewer__is_reviewer=True,
            review__case_id__in=list(case_ids),
            review__case__agency_id__in=visible_agency_ids(user),
        )
        .values_list("review__case_id", "pk", "number")
        .order_by("pk")
    )
    return {
        case_id: Grant(source=SOURCE, ref=pk, label=f"第{number}轮法制审核")
        for case_id, pk, number in rows
    }
