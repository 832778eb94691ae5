"""Reads of 法制审核: the catalogue as of a date, why a case is major, the gate, the queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import home_agency, visible_agency_ids
from sanxiang.cases.models import Case, CaseMember, DecisionDraft, threshold_class
from sanxiang.cases.queries import had_role
from sanxiang.catalog.queries import in_force_on
from sanxiang.directory.models import Agency, Officer
from sanxiang.documents import queries as documents
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import StageRole
from sanxiang.records import grants
from sanxiang.records import queries as records

from . import drafts, rules
from .models import (
    OPEN_STATUSES,
    CaseReview,
    CatalogueVersion,
    DecisionGate,
    Discussion,
    MajorFlag,
    ReviewRound,
    RoundStatus,
)

# Persistent disagreement (DOMAIN.md): this many failed rounds send the case to the head.
ESCALATE_AFTER_FAILED = 2


def catalogue_as_of(agency: Agency, on: date) -> CatalogueVersion | None:
    """The version of ``agency``'s 法制审核目录清单 in force on ``on`` (None: none published)."""
    return CatalogueVersion.objects.filter(in_force_on(on), agency=agency).first()


def catalogue_history(agency: Agency) -> QuerySet[CatalogueVersion]:
    return CatalogueVersion.objects.filter(agency=agency).order_by("-number")


def effective_catalogue(agency: Agency, on: date) -> CatalogueVersion:
    """The published version, or the national-practice defaults when none is published yet."""
    return catalogue_as_of(agency, on) or CatalogueVersion(agency=agency, number=0, valid_from=on)


def draft_of(case: Case) -> DecisionDraft | None:
    return DecisionDraft.objects.filter(case=case).first()


def has_draft(case: Case) -> bool:
    """Whether the case has a decision draft (asked after every transition: an EXISTS)."""
    return DecisionDraft.objects.filter(case=case).exists()


def draft_facts(case: Case, draft: DecisionDraft) -> rules.DraftFacts:
    return rules.DraftFacts(
        kind=draft.kind,
        fine_amount=draft.fine_amount,
        confiscation_value=draft.confiscation_value,
        # 个体工商户 under 公民's figure, 其他组织 under 单位's (cases.models.threshold_class).
        party_kinds=frozenset(
            threshold_class(k) for k in case.parties.values_list("kind", flat=True)
        ),
        outside_benchmark=draft.outside_benchmark,
        hearing_held=had_role(case, StageRole.HEARING),
        text=draft.text,
        additional_kinds=tuple(draft.additional_kinds),
    )


def case_review(case: Case) -> CaseReview | None:
    return CaseReview.objects.filter(case=case).first()


def rule_reasons(case: Case, *, on: date | None = None) -> list[str]:
    """Reasons from the catalogue rules and the manual flags (not the "already major" mark)."""
    draft = draft_of(case)
    reasons: list[str] = []
    if draft is not None:
        catalogue = effective_catalogue(case.agency, on or timezone.localdate())
        reasons = rules.evaluate(catalogue, draft_facts(case, draft))
    elif had_role(case, StageRole.HEARING):
        reasons = ["案件经过听证程序"]
    for flag in MajorFlag.objects.filter(case=case):
        reasons.append(f"经认定{flag.get_reason_display()}：{flag.note}")
    return reasons


def major_reasons(case: Case) -> list[str]:
    """Why the case's decision is major (an empty list: it is not). Shown on the case page."""
    reasons = rule_reasons(case)
    file = case_review(case)
    if not reasons and file is not None and file.major:
        reasons = ["已认定为重大执法决定并进入法制审核，须以审核通过的稿本作出决定"]
    return reasons


def latest_round(case: Case) -> ReviewRound | None:
    return (
        ReviewRound.objects.filter(review__case=case)
        .select_related("reviewer", "submitted_by")
        .order_by("-number")
        .first()
    )


def rounds_for(case: Case) -> QuerySet[ReviewRound]:
    return (
        ReviewRound.objects.filter(review__case=case)
        .select_related("reviewer", "submitted_by", "assigned_by")
        .prefetch_related("discussions")
        .order_by("number")
    )


@dataclass(frozen=True)
class GateVerdict:
    """Whether the case may enter the decision stage, and if not, why (in Chinese)."""

    major: bool
    reasons: list[str]
    allowed: bool
    message: str
    round: ReviewRound | None = None
    changed: list[str] = field(default_factory=list)


def gate_verdict(case: Case) -> GateVerdict:
    """行政处罚法 第58条: a major decision needs its latest review passed on this very draft."""
    reasons = major_reasons(case)
    if not reasons:
        return GateVerdict(False, [], True, "非重大执法决定，无需法制审核。")
    why = "；".join(reasons)
    last = latest_round(case)
    if last is None:
        return GateVerdict(
            True, reasons, False, f"本案属于重大执法决定（{why}），尚未提交法制审核。"
        )
    if last.status != RoundStatus.PASSED:
        state = "尚在审核中" if last.is_open else "未通过，须修改后重新报审"
        return GateVerdict(
            True,
            reasons,
            False,
            f"本案属于重大执法决定（{why}），第{last.number}轮法制审核{state}。",
            last,
        )
    draft = draft_of(case)
    current = drafts.snapshot(draft) if draft is not None else {}
    if draft is None or draft.fingerprint != last.fingerprint:
        changed = drafts.changed_labels(last.draft, current) or ["决定内容"]
        return GateVerdict(
            True,
            reasons,
            False,
            f"决定草稿在第{last.number}轮法制审核通过后被修改（{'、'.join(changed)}），"
            "须重新提交法制审核。",
            last,
            changed,
        )
    return GateVerdict(
        True, reasons, True, f"第{last.number}轮法制审核已同意，可以作出决定。", last
    )


@dataclass(frozen=True)
class Deadline:
    due_on: date
    level: str  # "ok" | "yellow" | "red"
    left: int | None  # working days left; None when the calendar lacks a year


def deadline_of(round_: ReviewRound, *, warn_days: int, today: date | None = None) -> Deadline:
    today = today or timezone.localdate()
    if today > round_.due_on:
        return Deadline(round_.due_on, "red", -1)
    try:
        left = workdays.working_days_between(today, round_.due_on)
    except workdays.CalendarGap:
        return Deadline(round_.due_on, "yellow", None)
    return Deadline(round_.due_on, "yellow" if left <= warn_days else "ok", left)


@dataclass(frozen=True)
class ReviewStatus:
    """What the case page shows about the legal review."""

    case: Case
    verdict: GateVerdict
    round: ReviewRound | None
    rounds: int
    escalated: bool
    deadline: Deadline | None


def escalated(file: CaseReview | None) -> bool:
    """Persistent disagreement waiting for the head: the latest round failed, and the unit
    disputes it or it is the second failure, and no 集体讨论 has dealt with it yet."""
    if file is None:
        return False
    latest = file.rounds.order_by("-number").first()
    if latest is None or latest.status != RoundStatus.FAILED:
        return False
    if file.disputed:
        return True
    failed = file.rounds.filter(status=RoundStatus.FAILED).count()
    return failed >= ESCALATE_AFTER_FAILED and not latest.discussions.exists()


def status_for(case: Case) -> ReviewStatus:
    verdict = gate_verdict(case)
    last = latest_round(case)
    file = case_review(case)
    deadline = None
    if last is not None and last.is_open:
        cat = effective_catalogue(case.agency, timezone.localdate())
        deadline = deadline_of(last, warn_days=cat.warn_days)
    return ReviewStatus(
        case=case,
        verdict=verdict,
        round=last,
        rounds=file.rounds.count() if file else 0,
        escalated=escalated(file),
        deadline=deadline,
    )


def on_case_team(officer: Officer, case: Case) -> bool:
    """Any membership counts, also a recused one: a reviewer must never have handled the case."""
    return CaseMember.objects.filter(case=case, officer=officer).exists()


def is_first_review(officer: Officer) -> bool:
    return not ReviewRound.objects.filter(
        reviewer=officer, status__in=[RoundStatus.PASSED, RoundStatus.FAILED]
    ).exists()


def reviewers_of(agency: Agency) -> QuerySet[Officer]:
    """The agency's 法制股 reviewers (units flagged as legal units under the agency)."""
    units = Agency.objects.filter(
        pk__in=Agency.subtree_ids({agency.pk}), is_legal_unit=True
    ).values_list("pk", flat=True)
    return Officer.objects.filter(agency_id__in=list(units), is_reviewer=True).order_by("pk")


def reviewer_loads(agency: Agency) -> list[tuple[Officer, int, int]]:
    """Each reviewer with (open rounds, rounds decided), for the head's view."""
    rows = reviewers_of(agency).annotate(
        open=Count("review_rounds", filter=Q(review_rounds__status=RoundStatus.ASSIGNED)),
        done=Count(
            "review_rounds",
            filter=Q(review_rounds__status__in=[RoundStatus.PASSED, RoundStatus.FAILED]),
        ),
    )
    return [(o, int(o.open), int(o.done)) for o in rows]


def open_rounds(agency_ids: set[int]) -> QuerySet[ReviewRound]:
    return (
        ReviewRound.objects.filter(status__in=OPEN_STATUSES, review__case__agency_id__in=agency_ids)
        .select_related("review__case", "reviewer", "submitted_by")
        .order_by("due_on", "pk")
    )


def officer_of(user: Any) -> Officer | None:
    pk = getattr(user, "pk", None)
    return Officer.objects.filter(user_id=pk).first() if pk else None


def queue_for(user: Any) -> dict[str, Any]:
    """The review queue: mine (by deadline), unassigned, and for the head, all open rounds."""
    scope = visible_agency_ids(user)
    rounds = open_rounds(scope)
    me = officer_of(user)
    mine = rounds.filter(reviewer=me, status=RoundStatus.ASSIGNED) if me else rounds.none()
    unassigned = rounds.filter(status=RoundStatus.SUBMITTED)
    # Only files with a dispute or enough failures can be escalated; check those one by one.
    candidates = (
        CaseReview.objects.filter(agency_id__in=scope)
        .annotate(failed=Count("rounds", filter=Q(rounds__status=RoundStatus.FAILED)))
        .filter(Q(disputed=True) | Q(failed__gte=ESCALATE_AFTER_FAILED))
        .select_related("case")
    )
    escalations = [f for f in candidates if escalated(f)]
    return {"mine": mine, "unassigned": unassigned, "all": rounds, "escalations": escalations}


def submitted_by_team(user: Any) -> QuerySet[ReviewRound]:
    """Open rounds of the cases whose team ``user`` is on (the case unit's view)."""
    return open_rounds(visible_agency_ids(user)).filter(review__case__members__officer__user=user)


def agency_for_head(user: Any) -> Agency | None:
    if getattr(user, "role", None) != Role.HEAD or user.agency is None:
        return None
    return home_agency(user)


def discussions_for(case: Case) -> QuerySet[Discussion]:
    return Discussion.objects.filter(review__case=case).select_related("round", "recorded_by")


def gates_for(case: Case) -> QuerySet[DecisionGate]:
    return DecisionGate.objects.filter(case=case).select_related("round", "actor")


@dataclass
class CaseFile:
    """What the review page lists beside the checklist: the case's evidence and its issued 文书.

    ``records`` are redacted for ``user`` (a 商业秘密/个人隐私 title stays hidden from whoever
    may not open it; the assigned reviewer may, ``grants``); ``documents`` is None when ``user``
    may not read the case's documents. ``granted`` is the reviewer's standing grant, if any.
    """

    records: list[Any]
    documents: list[Any] | None
    granted: Any = None


def case_file_for(user: Any, case: Case) -> CaseFile:
    try:
        documents.case_for(user, case.pk)
    except DomainError:
        issued = None
    else:
        issued = documents.documents_of(case)
    shown = records.redact_for(user, records.records_of_case(case))
    return CaseFile(records=shown, documents=issued, granted=grants.grant_on(user, case.pk))
