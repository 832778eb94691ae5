"""Reads of cases, always scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.db.models import Case as DbCase
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import WRITE_ROLES, home_agency, visible_agency_ids
from sanxiang.catalog.models import MatterVersion
from sanxiang.catalog.queries import in_force_on
from sanxiang.directory import versioning
from sanxiang.lib.errors import DomainError

# The history reads the ledger (history.py); re-exported where callers have always found it.
from .history import TimelineItem as TimelineItem
from .history import had_role as had_role
from .history import had_stage as had_stage
from .history import timeline as timeline
from .models import (
    BENCHMARK_FIELDS,
    BENCHMARK_KIND,
    Case,
    CaseMember,
    Deadline,
    DeadlineSetting,
    DeadlineStatus,
    DiscretionBenchmark,
    DiscretionBenchmarkVersion,
    Party,
    PartyAgent,
    Witness,
)


def _may_read(user: Any, agency_id: int) -> bool:
    # Fast path: the user's own 执法主体 (no walk down the agency tree on every transition).
    own = getattr(user, "is_authenticated", False) and user.agency_id is not None
    if own and home_agency(user).pk == agency_id:
        return True
    return agency_id in visible_agency_ids(user)


def cases_for(user: Any) -> QuerySet[Case]:
    """Cases of the agencies ``user`` may read (their own, or all supervised for 司法局)."""
    return Case.objects.filter(agency_id__in=visible_agency_ids(user)).select_related(
        "agency", "matter"
    )


def get_case_for(user: Any, pk: int, *, write: bool = False) -> Case:
    """The case, or ``not_found`` (also for another agency's case) / ``forbidden`` on write."""
    # get(), not first(): no ORDER BY to compile and run for a primary key (every case request).
    try:
        case: Case | None = Case.objects.select_related("agency", "matter").get(pk=pk)
    except Case.DoesNotExist:
        case = None
    if case is None or not _may_read(user, case.agency_id):
        raise DomainError("not_found", "未找到该案件，或无权访问。")
    if write and not user.is_superuser and user.role not in WRITE_ROLES:
        raise DomainError("forbidden", "执法监督人员只能查看，不能修改。")
    return case


def is_on_team(user: Any, case: Case) -> bool:
    """Whether ``user`` is a member of the case team who has not recused."""
    if not getattr(user, "is_authenticated", False):
        return False
    return CaseMember.objects.filter(case=case, officer__user=user, recused=False).exists()


# --- lists, deadlines and the board -------------------------------------------------------------


def open_cases(scope: QuerySet[Case]) -> QuerySet[Case]:
    return scope.filter(closed_on__isnull=True)


def my_cases(user: Any) -> QuerySet[Case]:
    """An officer's own cases (on the team, not recused); the head and supervisors see all."""
    scope = cases_for(user)
    if getattr(user, "is_superuser", False) or user.role in {Role.HEAD, Role.SUPERVISOR}:
        return scope
    return scope.filter(members__officer__user=user, members__recused=False).distinct()


def warning_level(today: date) -> DbCase:
    """SQL expression: ``red`` when a running clock has passed, ``yellow`` when it is near."""
    running = Q(status=DeadlineStatus.RUNNING)
    return DbCase(
        When(running & Q(due_on__lt=today), then=Value("red")),
        When(running & Q(warn_on__lte=today), then=Value("yellow")),
        default=Value(""),
    )


def with_warnings(cases: QuerySet[Case], today: date) -> QuerySet[Case]:
    """Each case with its nearest running due date and whether any clock is yellow or red."""
    running = Deadline.objects.filter(case=OuterRef("pk"), status=DeadlineStatus.RUNNING)
    return cases.annotate(
        next_due=Subquery(running.order_by("due_on").values("due_on")[:1]),
        is_red=Exists(running.filter(due_on__lt=today)),
        is_yellow=Exists(running.filter(warn_on__lte=today, due_on__gte=today)),
    )


def deadlines_of(case: Case, today: date) -> QuerySet[Deadline]:
    return case.deadlines.annotate(level=warning_level(today)).prefetch_related("pauses")


@dataclass(frozen=True)
class DeadlineBoard:
    red: int
    yellow: int
    running: int
    paused: int
    urgent: Sequence[Deadline]


def deadline_board(
    scope: QuerySet[Case] | Iterable[int], today: date, *, limit: int = 20
) -> DeadlineBoard:
    """Warnings across many cases in two set-based queries (no loop over cases).

    ``scope`` is a queryset of cases (e.g. ``my_cases(user)``) or a set of agency ids.
    """
    live = Deadline.objects.filter(status__in=[DeadlineStatus.RUNNING, DeadlineStatus.PAUSED])
    if isinstance(scope, QuerySet):
        live = live.filter(case__in=scope)
    else:
        live = live.filter(agency_id__in=list(scope))
    running = Q(status=DeadlineStatus.RUNNING)
    counts = live.aggregate(
        red=Count("pk", filter=running & Q(due_on__lt=today)),
        yellow=Count("pk", filter=running & Q(warn_on__lte=today, due_on__gte=today)),
        running=Count("pk", filter=running),
        paused=Count("pk", filter=Q(status=DeadlineStatus.PAUSED)),
    )
    urgent = list(
        live.filter(running, warn_on__lte=today)
        .annotate(level=warning_level(today))
        .select_related("case")
        .order_by("due_on", "pk")[:limit]
    )
    return DeadlineBoard(
        red=counts["red"],
        yellow=counts["yellow"],
        running=counts["running"],
        paused=counts["paused"],
        urgent=urgent,
    )


def team(case: Case) -> QuerySet[CaseMember]:
    return case.members.select_related("officer").prefetch_related("recusals")


def benchmark_on(
    matter_id: int, circumstance: str, on: date
) -> DiscretionBenchmark | DiscretionBenchmarkVersion | None:
    """The 裁量基准 line in force on ``on``: the line itself from its ``valid_from``, before
    that the version then in force, hash-checked (``version_tampered`` if edited behind the
    application); None when the matter had no line for the circumstance that day."""
    line = DiscretionBenchmark.objects.filter(
        matter_id=matter_id, circumstance=circumstance
    ).first()
    if line is None or line.holds_on(on):
        return line
    version = DiscretionBenchmarkVersion.objects.filter(
        versioning.in_force(on), benchmark=line
    ).first()
    if version is None:
        return None
    label = f"裁量基准“{version.get_circumstance_display()}”"
    return cast(
        DiscretionBenchmarkVersion,
        versioning.check_hash(BENCHMARK_KIND, version, BENCHMARK_FIELDS, label),
    )


def benchmarks_for(case: Case) -> QuerySet[DiscretionBenchmark]:
    return DiscretionBenchmark.objects.filter(matter_id=case.matter_id).order_by("fine_min")


def matter_name(case: Case, on: date | None = None) -> str:
    version = (
        MatterVersion.objects.filter(in_force_on(on or case.opened_on), matter_id=case.matter_id)
        .values_list("name", flat=True)
        .first()
    )
    return version or case.matter.code


def deadline_settings(agency_id: int) -> QuerySet[DeadlineSetting]:
    return DeadlineSetting.objects.filter(agency_id=agency_id).select_related("matter")


def agency_benchmarks(agency_id: int) -> QuerySet[DiscretionBenchmark]:
    return (
        DiscretionBenchmark.objects.filter(matter__agency_id=agency_id)
        .select_related("matter")
        .order_by("matter__code", "fine_min")
    )


def current_version(matter_id: int) -> MatterVersion | None:
    """The version of a matter in force today (public pages show this one)."""
    return (
        MatterVersion.objects.filter(in_force_on(timezone.localdate()), matter_id=matter_id)
        .select_related("matter")
        .first()
    )


# --- parties, agents, witnesses -----------------------------------------------------------------


def parties_of(case: Case) -> QuerySet[Party]:
    """The parties with every agent (withdrawn ones too: the history) in two queries."""
    return case.parties.prefetch_related(
        Prefetch("agents", queryset=PartyAgent.objects.order_by("withdrawn_on", "pk"))
    )


def active_agents(
    case: Case, on: date | None = None, *, entered_by: datetime | None = None
) -> QuerySet[PartyAgent]:
    """The agents acting on ``on`` (today): not withdrawn by then, within their period; with
    ``entered_by``, only those registered by then (a document rebuilt as it was issued)."""
    day = on or timezone.localdate()
    rows = PartyAgent.objects.filter(case=case, valid_from__lte=day)
    if entered_by is not None:
        rows = rows.filter(added_at__lte=entered_by)
    return (
        rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
        .order_by("party_id", "pk")
    )


def witnesses_of(case: Case, role: str | None = None) -> QuerySet[Witness]:
    """The case's 证人/见证人 (``role``: one of ``WitnessRole``), as 笔录 and 送达 name them."""
    rows = Witness.objects.filter(case=case)
    return rows.filter(role=role) if role else rows


@dataclass(frozen=True)
class Person:
    """A natural person a case names besides its parties (for masking)."""

    name: str
    id_number: str
    phone: str
    address: str


def other_people(case: Any) -> list[Person]:
    """Every 委托代理人 (withdrawn too) and witness of ``case``: all natural persons whose name,
    ID number, phone and address a published text must not show (disclosure.masking)."""
    agents = PartyAgent.objects.filter(case_id=case.pk).values_list(
        "name", "id_number", "phone", "address"
    )
    witnesses = Witness.objects.filter(case_id=case.pk).values_list(
        "name", "id_number", "phone", "address"
    )
    return [Person(*row) for row in (*agents, *witnesses)]
