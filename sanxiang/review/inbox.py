"""What 法制审核 puts in people's 待办 (registered into ``sanxiang.workbench.inbox``).

- the case team: cases whose latest review round found problems (存在问题) and that were not
  resubmitted yet (行政处罚法 第58条: no decision without a passing review);
- a reviewer: rounds assigned to them, by deadline; rounds of the agency waiting for a reviewer
  (a reviewer may take one, the head assigns);
- the head: rounds waiting for assignment.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import home_agency
from sanxiang.cases.models import CaseMember
from sanxiang.workbench.inbox import Context, Item, Section, cn_date
from sanxiang.workbench.notifications import Event, Notice, users_with_role

from . import queries
from .models import ReviewRound, RoundStatus

_LEVELS = {"red": "red", "yellow": "yellow", "ok": ""}


def returned(user: Any, ctx: Context) -> Section | None:
    """My cases returned by review: revise the draft and resubmit (重新报审)."""
    later = ReviewRound.objects.filter(review=OuterRef("review"), number__gt=OuterRef("number"))
    rounds = ReviewRound.objects.filter(
        status=RoundStatus.FAILED,
        review__case__agency_id__in=ctx.scope,
        review__case__decided_on__isnull=True,
        review__case__closed_on__isnull=True,
        review__case__members__officer__user=user,
        review__case__members__recused=False,
    ).filter(~Exists(later))
    count = rounds.count()
    items = [
        Item(
            title=f"审核退回：{r.review.case.title}（第{r.number}轮）",
            url=reverse("review:round", args=[r.pk]),
            detail=f"需修改：{(r.required_changes or r.opinion)[:80]}",
            case_number=r.review.case.number,
        )
        for r in rounds.select_related("review__case").order_by("reviewed_at", "pk")[: ctx.limit]
    ]
    return Section("review.returned", "审核退回待修改", 20, count, items, icon="arrow-return-left")


def _rows(ctx: Context, rounds: Any) -> list[Item]:
    if not ctx.limit:
        return []
    warn_days = queries.effective_catalogue(home_agency(ctx.user), ctx.today).warn_days
    items = []
    for r in rounds.select_related("review__case", "reviewer").order_by("due_on", "pk")[
        : ctx.limit
    ]:
        deadline = queries.deadline_of(r, warn_days=warn_days, today=ctx.today)
        who = f" · 审核人员 {r.reviewer.name}" if r.reviewer else ""
        items.append(
            Item(
                title=f"法制审核：{r.review.case.title}（第{r.number}轮）",
                url=reverse("review:round", args=[r.pk]),
                detail=f"审核期限 {cn_date(r.due_on)}{who}",
                level=_LEVELS.get(deadline.level, ""),
                due_on=r.due_on,
                case_number=r.review.case.number,
            )
        )
    return items


def assigned_to_me(user: Any, ctx: Context) -> Section | None:
    if ctx.role != Role.REVIEWER or ctx.officer is None:
        return None
    rounds = ReviewRound.objects.filter(
        status=RoundStatus.ASSIGNED, reviewer=ctx.officer, review__case__agency_id__in=ctx.scope
    )
    count = rounds.count()
    items = _rows(ctx, rounds) if count else []
    return Section(
        "review.assigned",
        "分配给我的审核",
        15,
        count,
        items,
        reverse("review:queue"),
        "journal-check",
    )


def unassigned(user: Any, ctx: Context) -> Section | None:
    if ctx.role not in {Role.REVIEWER, Role.HEAD}:
        return None
    rounds = ReviewRound.objects.filter(
        status=RoundStatus.SUBMITTED, review__case__agency_id__in=ctx.scope
    )
    count = rounds.count()
    items = _rows(ctx, rounds) if count else []
    return Section(
        "review.unassigned", "待分配的审核", 16, count, items, reverse("review:queue"), "people"
    )


SOURCES = (returned, assigned_to_me, unassigned)


# --- notifications (sanxiang.workbench.notifications) --------------------------------------------


def _round(event: Event) -> ReviewRound | None:
    number = event.payload.get("round")
    if event.case_id is None or number is None:
        return None
    return (
        ReviewRound.objects.filter(review__case_id=event.case_id, number=int(number))
        .select_related("review__case")
        .first()
    )


def _team(case_id: int) -> set[int]:
    return set(
        CaseMember.objects.filter(case_id=case_id, recused=False).values_list(
            "officer__user_id", flat=True
        )
    ) - {None}


def on_submitted(event: Event) -> list[Notice]:
    """The 法制股 (its reviewers) and the head: a round waits for a reviewer."""
    round_ = _round(event)
    if round_ is None:
        return []
    case = round_.review.case
    reviewers = set(
        queries.reviewers_of(case.agency)
        .filter(user__isnull=False)
        .values_list("user_id", flat=True)
    )
    heads = users_with_role(case.agency_id, Role.HEAD)
    url = reverse("review:round", args=[round_.pk])
    title = f"法制审核待分配：{case.title}（第{round_.number}轮）"
    return [Notice({int(r) for r in reviewers if r} | heads, title, url)]


def on_assigned(event: Event) -> list[Notice]:
    round_ = _round(event)
    if round_ is None or round_.reviewer is None or round_.reviewer.user_id is None:
        return []
    case = round_.review.case
    title = f"分配给您的法制审核：{case.title}，审核期限 {cn_date(round_.due_on)}"
    return [Notice({round_.reviewer.user_id}, title, reverse("review:round", args=[round_.pk]))]


def on_opinion(event: Event) -> list[Notice]:
    round_ = _round(event)
    if round_ is None:
        return []
    case = round_.review.case
    url = reverse("review:round", args=[round_.pk])
    if event.payload.get("outcome") == RoundStatus.FAILED:
        title = f"法制审核退回：{case.title}，请按审核意见修改后重新报审"
        return [Notice(_team(case.pk), title, url, body=f"需修改：{round_.required_changes}")]
    return [Notice(_team(case.pk), f"法制审核同意：{case.title}", url)]


NOTICES = (
    ("review.submitted", on_submitted),
    ("review.resubmitted", on_submitted),
    ("review.assigned", on_assigned),
    ("review.reassigned", on_assigned),
    ("review.opinion", on_opinion),
)
