"""集体讨论 (行政处罚法 第57条第2款): 对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当
集体讨论决定.

Which cases need it is the agency's to say (``settings.SANXIANG_COLLECTIVE_DISCUSSION``), since
the law names no figure: a fine at or above an amount (``fine``, off by default), a draft of
one of the ``circumstances`` (default 严重: a 重大违法行为), a case flagged with one of the
``flags`` of the review's manual flag (default 案情疑难复杂, 涉及多个法律关系: 情节复杂), and, with
``major``, every 重大执法决定 of the review catalogue (off by default). When they hold, the
decision needs the head's 集体讨论 on record (``services.record_discussion``, the same record as
a discussion of a disagreement) concluding for the decision, and its 集体讨论记录 issued after
it; ``collective_guard`` refuses the decision otherwise (``collective_discussion_required``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency, require_role
from sanxiang.cases.models import Case, Circumstance, DecisionDraft
from sanxiang.cases.queries import get_case_for
from sanxiang.documents.models import IssuedDocument
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import StageRole
from sanxiang.procedures.engine import GuardContext

from .models import CaseReview, Discussion, DiscussionOutcome, MajorFlag, MajorReason

KIND = "collective_discussion"
BASIS = (
    "行政处罚法 第57条第2款：对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定"
)
DEFAULTS: dict[str, Any] = {
    "fine": None,
    "circumstances": (Circumstance.GRAVE,),
    "flags": (MajorReason.COMPLEX, MajorReason.MULTIPLE_RELATIONS),
    "major": False,
}
# The conclusions with which the decision may be made (a 集体讨论 that said 不予作出 does not).
DECIDING = (DiscussionOutcome.DECIDE, DiscussionOutcome.RESOLVED)


def criteria() -> dict[str, Any]:
    configured = getattr(settings, "SANXIANG_COLLECTIVE_DISCUSSION", {}) or {}
    return DEFAULTS | dict(configured)


def reasons(case: Case) -> list[str]:
    """Why the case's decision is for the heads' 集体讨论 (empty: it is not)."""
    rules = criteria()
    out: list[str] = []
    draft = DecisionDraft.objects.filter(case=case).first()
    if draft is not None:
        limit = rules.get("fine")
        amount = draft.fine_amount
        if limit is not None and amount is not None and amount >= Decimal(str(limit)):
            out.append(f"拟罚款{draft.fine_amount}元，达到本机关集体讨论标准{limit}元")
        if draft.circumstance and draft.circumstance in set(rules.get("circumstances") or ()):
            out.append(f"违法情节{Circumstance(draft.circumstance).label}")
    flags = set(rules.get("flags") or ())
    for flag in MajorFlag.objects.filter(case=case, reason__in=flags):
        out.append(f"经认定{flag.get_reason_display()}")
    if rules.get("major"):
        from .queries import major_reasons

        if major_reasons(case):
            out.append("属于重大执法决定")
    return out


def latest_discussion(case: Case) -> Discussion | None:
    return Discussion.objects.filter(review__case=case).order_by("-pk").first()


def record_text(case: Case) -> str:
    """The 集体讨论记录's text (documents ``register_sheet_text``): the latest discussion."""
    discussion = latest_discussion(case)
    if discussion is None:
        return ""
    day = discussion.held_on
    return "\n".join(
        (
            f"讨论时间：{day.year}年{day.month}月{day.day}日",
            f"参加人员：{'、'.join(discussion.attendees)}",
            f"讨论情况：{discussion.minutes}",
            f"讨论结论：{discussion.get_outcome_display()}",
        )
    )


def collective_guard(context: GuardContext) -> None:
    """Refuse the decision of a case for 集体讨论 without the discussion and its record."""
    if not context.enters(StageRole.DECISION):
        return
    why = reasons(context.case)
    if not why:
        return
    discussion = latest_discussion(context.case)
    lead = f"本案{'、'.join(why)}，"
    if discussion is None or discussion.outcome not in DECIDING:
        said = (
            ""
            if discussion is None
            else f"（最近一次讨论结论为“{discussion.get_outcome_display()}”）"
        )
        raise DomainError(
            "collective_discussion_required",
            f"{lead}须经行政机关负责人集体讨论决定{said}，方可作出决定（{BASIS}）。",
        )
    recorded = IssuedDocument.objects.filter(
        case=context.case, kind=KIND, issued_at__gte=discussion.recorded_at
    )
    if not recorded.exists():
        raise DomainError(
            "collective_discussion_required",
            f"{lead}已集体讨论，须先制发本次讨论的《集体讨论记录》附卷，方可作出决定（{BASIS}）。",
        )


# --- 集体讨论 from the case page (issue 10, h10a item 5) -------------------------------------
# 第57条第2款 puts a 情节复杂 or 重大违法 case to the heads whether or not its decision is a
# 重大执法决定 under legal review: a case with ``reasons`` is discussed by the heads from the
# case page before its decision, with no review round (``Discussion.round`` stays empty; the
# case's review file is the discussions' home and is created unmarked if it has none).
CASE_EVENT = "review.collective_discussion"
# A discussion of the case (not of a disagreement with the reviewer) decides or does not.
CASE_OUTCOMES = (DiscussionOutcome.DECIDE, DiscussionOutcome.NO_DECISION)
# Before the decision: from 审查 to the stages a decision is made from.
BEFORE_DECISION = (StageRole.REVIEW, StageRole.NOTICE, StageRole.DEFENCE, StageRole.HEARING)
MIN_ATTENDEES = 3  # the head and at least two others


def checked_minutes(case: Case, *, attendees: list[str], held_on: date, minutes: str) -> list[str]:
    """The attendees (each name once) of a 集体讨论 whose record may be kept, or the refusal.

    One check for both ways the heads meet: a case 第57条第2款 puts to them (here) and a
    persistent disagreement with the legal review (``services.record_discussion``). A name
    typed twice is one person: three lines of the same name are not three attendees.
    """
    names = list(dict.fromkeys(a.strip() for a in attendees if a.strip()))
    if len(names) < MIN_ATTENDEES:
        raise ValidationFailed(
            "集体讨论须至少三名参加人员（含负责人），同一人只计一次。", field="attendees"
        )
    if held_on > timezone.localdate():
        raise ValidationFailed("讨论日期不能晚于今天。", field="held_on")
    if held_on < case.opened_on:
        raise ValidationFailed("讨论日期不能早于立案日期。", field="held_on")
    if not minutes.strip():
        raise ValidationFailed("请填写讨论情况（各参加人员的意见）。", field="minutes")
    return names


@transaction.atomic(durable=True)
def convene_discussion(
    *,
    actor: User,
    case_id: int,
    held_on: date,
    attendees: list[str],
    outcome: str,
    minutes: str,
) -> Discussion:
    """The head records the heads' 集体讨论 of a case 第57条第2款 puts to them: who took part,
    what was said, the conclusion; the 集体讨论记录 then prints it (``record_text``)."""
    case = get_case_for(actor, case_id, write=True)
    require_role(actor, Role.HEAD)
    if home_agency(actor).pk != case.agency_id:
        raise DomainError("forbidden", "只有本机关负责人可以主持集体讨论。")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.definition.has_role(case.stage, *BEFORE_DECISION):
        raise DomainError(
            "conflict",
            f"案件处于“{case.stage_label}”，集体讨论须在调查终结后、作出决定前进行（{BASIS}）。",
        )
    why = reasons(case)
    if not why:
        raise DomainError(
            "conflict",
            "本案不属于本机关须集体讨论的情形（情节复杂或者重大违法，见集体讨论标准）；"
            f"承办机构与法制审核有分歧的，在法制审核页记录集体讨论（{BASIS}）。",
        )
    if outcome not in CASE_OUTCOMES:
        raise ValidationFailed(
            "请选择讨论结论：同意按拟定意见作出决定，或不予作出该决定。", field="outcome"
        )
    names = checked_minutes(case, attendees=attendees, held_on=held_on, minutes=minutes)
    file, _ = CaseReview.objects.get_or_create(case=case, defaults={"agency_id": case.agency_id})
    discussion = Discussion.objects.create(
        review=file,
        round=None,
        held_on=held_on,
        attendees=names,
        outcome=outcome,
        minutes=minutes.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    append(
        event_type=CASE_EVENT,
        payload={
            "number": case.number,
            "discussion": discussion.pk,
            "reasons": why,
            "held_on": held_on,
            "attendees": names,
            "outcome": outcome,
            "minutes": discussion.minutes,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return discussion
