"""案卷评查: the write path (automatic scoring of a batch, the reviewer's manual items) and the
reads of the scores per agency and per officer over time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.cases.models import Case
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import scoring
from .models import FileReview, Verdict
from .queries import cockpit_bodies


def _scope_ids(actor: User) -> set[int]:
    if not (actor.is_superuser or actor.role in (Role.SUPERVISOR, Role.HEAD)):
        raise DomainError("forbidden", "案卷评查由司法局执法监督人员或本机关负责人（自查）组织。")
    return {b.pk for b in cockpit_bodies(actor)}


def closed_unreviewed(actor: User) -> QuerySet[Case]:
    """Closed cases in the actor's scope that have no 评查 yet."""
    return Case.objects.filter(
        agency_id__in=_scope_ids(actor), closed_on__isnull=False, file_reviews__isnull=True
    )


def review_files(*, actor: User, case_ids: Iterable[int], batch: str = "") -> list[FileReview]:
    """Score closed case files automatically; an open case (or one outside scope) is refused
    before anything is written. Chunked: one short transaction per ``scoring.CHUNK`` files."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise ValidationFailed("请选择要评查的案件。", field="cases")
    scope = _scope_ids(actor)
    rows = {
        c["pk"]: c
        for c in Case.objects.filter(pk__in=ids).values("pk", "agency_id", "number", "closed_on")
    }
    outside = [pk for pk in ids if pk not in rows or rows[pk]["agency_id"] not in scope]
    if outside:
        raise DomainError("not_found", "所选案件不存在，或不在您的评查范围内。")
    still_open = [rows[pk]["number"] for pk in ids if rows[pk]["closed_on"] is None]
    if still_open:
        raise DomainError(
            "conflict", f"案件尚未结案，不能评查：{'、'.join(still_open[:5])}。评查对象为已结案件。"
        )
    made: list[FileReview] = []
    for start in range(0, len(ids), scoring.CHUNK):
        made += _review_chunk(actor=actor, ids=ids[start : start + scoring.CHUNK], batch=batch)
    return made


@transaction.atomic(durable=True)
def _review_chunk(*, actor: User, ids: list[int], batch: str) -> list[FileReview]:
    now = timezone.now()
    facts = scoring.load(ids)
    reviews = []
    for pk in ids:
        fact = facts[pk]
        items = [i.as_dict() for i in scoring.score(fact)]
        form, content, verdict, vetoed = scoring.totals(items, manual_done=False)
        reviews.append(
            FileReview(
                case_id=pk,
                agency_id=fact.case.agency_id,
                batch=batch[:60],
                items=items,
                form_score=form,
                content_score=content,
                total=form + content,
                verdict=verdict,
                veto_failed=vetoed,
                created_at=now,
                created_by=actor,
            )
        )
    made = FileReview.objects.bulk_create(reviews)
    for review in made:
        ledger.append(
            event_type="supervision.file_reviewed",
            payload={
                "review": review.pk,
                "batch": review.batch,
                "form": str(review.form_score),
                "content": str(review.content_score),
                "verdict": review.verdict,
                "failed": [i["code"] for i in review.items if not i["passed"]],
            },
            actor=actor,
            agency_id=review.agency_id,
            case_id=review.case_id,
        )
    return made


@dataclass(frozen=True)
class ManualScore:
    code: str
    score: str
    reason: str = ""


@transaction.atomic(durable=True)
def complete_review(*, actor: User, review_id: int, scores: list[ManualScore]) -> FileReview:
    """The reviewer scores the manual items; the totals and the verdict follow."""
    review = FileReview.objects.select_for_update().filter(pk=review_id).first()
    if review is None or review.agency_id not in _scope_ids(actor):
        raise DomainError("not_found", "未找到该评查记录，或无权评查。")
    if review.manual_done:
        raise DomainError("conflict", "该案卷已完成人工评查。")
    given = {s.code: s for s in scores}
    items = []
    for item in review.items:
        if item["automatic"]:
            items.append(item)
            continue
        mark = given.get(item["code"])
        if mark is None:
            raise ValidationFailed(f"请为“{item['label']}”评分。", field=item["code"])
        try:
            value = Decimal(mark.score)
        except InvalidOperation:
            raise ValidationFailed(
                f"“{item['label']}”的得分应为数字。", field=item["code"]
            ) from None
        points = Decimal(item["points"])
        if not Decimal(0) <= value <= points:
            raise ValidationFailed(
                f"“{item['label']}”的得分应在0—{points}之间。", field=item["code"]
            )
        if value < points and not mark.reason.strip():
            raise ValidationFailed(f"“{item['label']}”扣分须写明理由。", field=item["code"])
        items.append(
            {**item, "score": str(value), "passed": value == points, "reason": mark.reason.strip()}
        )
    form, content, verdict, vetoed = scoring.totals(items, manual_done=True)
    FileReview.objects.filter(pk=review.pk).update(
        items=items,
        form_score=form,
        content_score=content,
        total=form + content,
        verdict=verdict,
        veto_failed=vetoed,
        manual_done=True,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    ledger.append(
        event_type="supervision.file_review_completed",
        payload={"review": review.pk, "total": str(form + content), "verdict": verdict},
        actor=actor,
        agency_id=review.agency_id,
        case_id=review.case_id,
    )
    review.refresh_from_db()
    return review


# --- reads ------------------------------------------------------------------------------------


def reviews_for(user: Any) -> QuerySet[FileReview]:
    return FileReview.objects.filter(
        agency_id__in={b.pk for b in cockpit_bodies(user)}
    ).select_related("case", "agency")


def by_agency(user: Any) -> list[dict[str, Any]]:
    """Per agency and month: files reviewed, average score, 不合格 count."""
    return [
        dict(row)
        for row in reviews_for(user)
        .annotate(month=TruncMonth("created_at"))
        .values("agency__name", "month")
        .annotate(
            n=Count("pk"),
            average=Avg("total"),
            failed=Count("pk", filter=Q(verdict=Verdict.FAILED)),
        )
        .order_by("agency__name", "month")
    ]


def by_officer(user: Any) -> list[dict[str, Any]]:
    """Per officer of the case teams and month: files, average score, 不合格 count."""
    return [
        dict(row)
        for row in reviews_for(user)
        .filter(case__members__recused=False)
        .annotate(month=TruncMonth("created_at"))
        .values("case__members__officer__name", "agency__name", "month")
        .annotate(
            n=Count("pk"),
            average=Avg("total"),
            failed=Count("pk", filter=Q(verdict=Verdict.FAILED)),
        )
        .order_by("agency__name", "case__members__officer__name", "month")
    ]
