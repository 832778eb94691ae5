"""The cockpit (执法监督驾驶舱): every figure of the agencies a person oversees, set-based.

The justice bureau's supervisor sees every agency it supervises; an agency's head sees their
own. Each figure is one grouped query over the whole scope (``GROUP BY agency``), so the number
of queries does not grow with the number of agencies or cases (tests/test_cockpit.py counts
them). Every figure has a drill-down: ``cases_for_figure`` returns the cases behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any, cast

from django.db.models import Case as DbCase
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases.models import Case, CaseMember, Deadline, DeadlineStatus
from sanxiang.directory.models import Agency, AgencyLevel, CertificateStatus, Officer
from sanxiang.directory.queries import REVIEWER_RATIO_MINIMUM, ReviewerRatio, certified_on
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.disclosure.queries import ReportStatus, report_status_for
from sanxiang.inspections import publication as results
from sanxiang.inspections.models import Assignment
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import DEFINITIONS
from sanxiang.records.models import AV_KINDS, AvLevel, AvRequirement, Record
from sanxiang.records.queries import in_force_on
from sanxiang.review.models import CaseReview, ReviewRound, RoundStatus

from .models import AWAITING, FileReview, Notice, Verdict

# A certificate that ends within this many days shows as expiring (local practice: renew in
# time; 《行政执法证件管理办法》 asks for renewal before expiry).
EXPIRING_DAYS = 30

# Stages a case can be in while open: every stage but those playing 结案 or 归档 (closing sets
# closed_on) and the final ones. Filtering on them as well as on closed_on lets PostgreSQL
# read only the open cases through the (agency, stage) index instead of every case the
# district ever had.
OPEN_STAGES = sorted(
    {s.code for d in DEFINITIONS.values() for s in d.stages if not d.is_closed(s.code)}
)

# The figures a drill-down can be asked for, with their Chinese names.
FIGURES = {
    "open": "在办案件",
    "red": "已超期",
    "yellow": "临近期限",
    "unpublished": "决定未公示",
    "unpublished_late": "逾期未公示",
    "published_late": "逾期公示",
    "withdrawal_pending": "待撤回公示",
    "major": "重大执法决定",
    "major_passed": "重大执法决定·审核同意",
    "major_failed": "重大执法决定·存在问题",
    "major_open": "重大执法决定·审核中",
    "major_none": "重大执法决定·未报审",
    "uncertified": "无有效证件人员在办案组",
    "expiring": "证件即将到期人员在办案组",
    "av_missing": "缺少应当音像记录",
    "notices": "督办未办结",
    "notices_overdue": "督办逾期未报整改情况",
    "review_failed": "评查不合格",
    "random_late": "双随机结果逾期公开",
    "random_overdue": "双随机结果逾期未公开",
}

# The officer figures' drill-down (officers_for_figure): the people behind them.
OFFICER_FIGURES = {
    "expired": "证件过期或失效的执法人员",
    "expiring": "证件30日内到期的执法人员",
    "reviewers": "持有效证件的法制审核人员",
    "officers": "持有效证件的执法人员（不含法制审核人员）",
}


def cockpit_bodies(user: Any, agency_id: int | None = None) -> list[Agency]:
    """The enforcement bodies of the cockpit: supervised ones (司法局) or the head's own.

    ``agency_id`` narrows to one of them; one outside the scope is refused, not shown empty.
    """
    if not getattr(user, "is_authenticated", False):
        raise DomainError("forbidden", "请先登录。")
    if user.is_superuser:
        bodies = Agency.objects.filter(level=AgencyLevel.DEPARTMENT)
    elif user.role == Role.SUPERVISOR and user.agency_id is not None:
        bodies = Agency.objects.filter(
            level=AgencyLevel.DEPARTMENT,
            supervised_by_id=user.agency.enforcement_body().pk,
        )
    elif user.role == Role.HEAD and user.agency_id is not None:
        bodies = Agency.objects.filter(pk=user.agency.enforcement_body().pk)
    else:
        raise DomainError("forbidden", "执法监督驾驶舱仅限司法局执法监督人员和本机关负责人。")
    found = list(bodies.order_by("pk"))
    if agency_id is not None:
        found = [b for b in found if b.pk == agency_id]
        if not found:
            raise DomainError(
                "forbidden", "该执法主体不在您的监督范围内（只能查看本区司法局监督的执法主体）。"
            )
    return found


def _unit_to_body(bodies: list[Agency]) -> dict[int, int]:
    """Every agency id of the bodies' subtrees mapped to its body (one query per tree level)."""
    owner = {b.pk: b.pk for b in bodies}
    frontier = set(owner)
    while frontier:
        rows = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", "parent_id"))
        frontier = set()
        for pk, parent in rows:
            if pk not in owner:
                owner[pk] = owner[parent]
                frontier.add(pk)
    return owner


@dataclass
class AgencyFigures:
    agency: Agency
    open: int = 0
    red: int = 0
    yellow: int = 0
    unpublished: int = 0
    unpublished_late: int = 0
    published_late: int = 0
    withdrawal_pending: int = 0
    major: dict[str, int] = field(default_factory=dict)  # passed / failed / open / none
    certificates_expired: int = 0
    certificates_expiring: int = 0
    uncertified: int = 0  # open cases with an officer without a valid certificate on the team
    expiring: int = 0  # open cases with an officer whose certificate ends within the month
    officers: int = 0
    reviewers: int = 0
    av_missing: int = 0
    notices: int = 0
    notices_overdue: int = 0
    reviewed: int = 0
    review_failed: int = 0
    # 双随机、一公开 (inspections.publication): results published, published late, and
    # unpublished past the 20 working days after the inspection's end.
    random_published: int = 0
    random_late: int = 0
    random_overdue: int = 0
    report: ReportStatus | None = None
    # The latest 执法工作手册 filed (报备) with the bureau: version and day (None: never).
    handbook_version: int | None = None
    handbook_filed: date | None = None

    @property
    def major_total(self) -> int:
        return sum(self.major.values())

    @cached_property
    def ratio(self) -> ReviewerRatio:
        return ReviewerRatio(officers=self.officers, reviewers=self.reviewers)

    @property
    def warnings(self) -> int:
        """How many things call for attention (the order of the agency table)."""
        return (
            self.red
            + self.unpublished_late
            + self.withdrawal_pending
            + self.uncertified
            + self.av_missing
            + self.notices_overdue
            + self.random_overdue
            + self.major.get("failed", 0)
            + (0 if self.ratio.meets_rule else 1)
        )


@dataclass
class Cockpit:
    today: date
    agencies: list[AgencyFigures]
    by_stage: list[tuple[str, str, str, str, int]]  # procedure, its label, stage, label, n

    @property
    def totals(self) -> dict[str, int]:
        names = ("open", "red", "yellow", "unpublished_late", "uncertified", "av_missing")
        found = {n: sum(int(getattr(a, n)) for a in self.agencies) for n in names}
        found["notices"] = sum(a.notices for a in self.agencies)
        return found

    @property
    def major_total(self) -> int:
        return sum(a.major_total for a in self.agencies)

    def chart(self) -> dict[str, Any]:
        """What the ECharts on the page draw (put in the page with json_script)."""
        names = [a.agency.short_name or a.agency.name for a in self.agencies]
        return {
            "agencies": names,
            "red": [a.red for a in self.agencies],
            "yellow": [a.yellow for a in self.agencies],
            "open": [a.open for a in self.agencies],
            "unpublished": [a.unpublished for a in self.agencies],
            "stages": [f"{p}·{s}" for _, p, _, s, _ in self.by_stage],
            "stage_counts": [n for *_, n in self.by_stage],
        }


def _category_of_procedure() -> DbCase:
    return DbCase(
        *[When(procedure=code, then=Value(d.category)) for code, d in DEFINITIONS.items()],
        default=Value(""),
    )


def av_missing_filter(today: date) -> Q:
    """Open cases in a stage whose 音像记录 is 应当 (records' list) with no AV record there yet:
    the case cannot leave that stage (records' av_record_guard) until one is uploaded."""
    lines = AvRequirement.objects.filter(
        in_force_on(today),
        Q(matter_id=OuterRef("matter_id"))
        | Q(matter__isnull=True, category=OuterRef("sx_category")),
        agency_id=OuterRef("agency_id"),
        stage=OuterRef("stage"),
        level=AvLevel.REQUIRED,
    )
    recorded = Record.objects.filter(
        case_id=OuterRef("pk"), stage=OuterRef("stage"), media_kind__in=AV_KINDS
    )
    return Q(Exists(lines)) & ~Q(Exists(recorded))


def _with_category(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.annotate(sx_category=_category_of_procedure())


def _latest_round_status() -> Subquery:
    return Subquery(
        ReviewRound.objects.filter(review_id=OuterRef("pk"))
        .order_by("-number")
        .values("status")[:1]
    )


def _major_key(status: str | None) -> str:
    if status == RoundStatus.PASSED:
        return "passed"
    if status == RoundStatus.FAILED:
        return "failed"
    if status in (RoundStatus.SUBMITTED, RoundStatus.ASSIGNED):
        return "open"
    return "none"


Rows = dict[int, AgencyFigures]


def _open_cases(
    rows: Rows, open_cases: QuerySet[Case], flagged: tuple[list[int], list[int]]
) -> dict[tuple[str, str], int]:
    """Open cases per agency and stage, and (same scan) those with an officer on the team whose
    certificate is not valid or ends within the month: each case is in one group, so the
    groups' counts add up to distinct cases. The teams part is an uncorrelated ``IN`` (one
    hashed set of the few flagged officers' cases), read beside the index of open cases."""
    counts: dict[str, Any] = {"n": Count("pk")}
    for name, officers in zip(("uncertified", "expiring"), flagged, strict=True):
        if officers:
            teams = CaseMember.objects.filter(officer_id__in=officers, recused=False)
            counts[name] = Count("pk", filter=Q(pk__in=teams.values("case_id")))
    stage_counts: dict[tuple[str, str], int] = defaultdict(int)
    grouped = open_cases.values("agency_id", "stage", "procedure").annotate(**counts)
    # The annotations are built from a dict, which the stubs cannot see into.
    for row in cast("Iterable[dict[str, Any]]", grouped):
        target = rows[row["agency_id"]]
        target.open += row["n"]
        target.uncertified += row.get("uncertified", 0)
        target.expiring += row.get("expiring", 0)
        stage_counts[(row["procedure"], row["stage"])] += row["n"]
    return stage_counts


def _deadlines(rows: Rows, today: date) -> None:
    running = Q(status=DeadlineStatus.RUNNING)
    red = running & Q(due_on__lt=today)
    yellow = running & Q(warn_on__lte=today, due_on__gte=today)
    for row in (
        Deadline.objects.filter(running, agency_id__in=list(rows), warn_on__lte=today)
        .values("agency_id")
        .annotate(
            red=Count("case_id", filter=red, distinct=True),
            yellow=Count("case_id", filter=yellow, distinct=True),
        )
    ):
        rows[row["agency_id"]].red = row["red"]
        rows[row["agency_id"]].yellow = row["yellow"]


def _publications(rows: Rows, today: date) -> None:
    queued = Q(status=PublicationStatus.QUEUED)
    for row in (
        Publication.objects.filter(agency_id__in=list(rows))
        .values("agency_id")
        .annotate(
            unpublished=Count("pk", filter=queued),
            unpublished_late=Count("pk", filter=queued & Q(due_on__lt=today)),
            published_late=Count(
                "pk", filter=Q(published_at__isnull=False, published_at__date__gt=F("due_on"))
            ),
            withdrawal_pending=Count(
                "pk", filter=Q(status=PublicationStatus.PUBLISHED, revoked_on__isnull=False)
            ),
        )
    ):
        target = rows[row["agency_id"]]
        target.unpublished = row["unpublished"]
        target.unpublished_late = row["unpublished_late"]
        target.published_late = row["published_late"]
        target.withdrawal_pending = row["withdrawal_pending"]


def _major(rows: Rows) -> None:
    for row in (
        CaseReview.objects.filter(agency_id__in=list(rows), major=True)
        .annotate(last=_latest_round_status())
        .values("agency_id", "last")
        .annotate(n=Count("pk"))
    ):
        major = rows[row["agency_id"]].major
        key = _major_key(row["last"])
        major[key] = major.get(key, 0) + row["n"]


def _officers(rows: Rows, bodies: list[Agency], today: date) -> None:
    owner = _unit_to_body(bodies)
    valid = certified_on(today)
    soon = today + timedelta(days=EXPIRING_DAYS)
    for row in (
        Officer.objects.filter(agency_id__in=list(owner))
        .values("agency_id")
        .annotate(
            expired=Count("pk", filter=~valid),
            expiring=Count("pk", filter=valid & Q(certificate_expires__lte=soon)),
            officers=Count("pk", filter=valid & Q(is_reviewer=False)),
            reviewers=Count("pk", filter=valid & Q(is_reviewer=True)),
        )
    ):
        target = rows[owner[row["agency_id"]]]
        target.certificates_expired += row["expired"]
        target.certificates_expiring += row["expiring"]
        target.officers += row["officers"]
        target.reviewers += row["reviewers"]


def _flagged_officers(bodies: list[Agency], today: date) -> tuple[list[int], list[int]]:
    """The (few) officers of these bodies whose certificate is not valid today, and those whose
    valid one ends within the month."""
    owner = _unit_to_body(bodies)
    valid = certified_on(today)
    soon = Q(certificate_expires__lte=today + timedelta(days=EXPIRING_DAYS))
    flagged = dict(
        Officer.objects.filter(Q(~valid) | (valid & soon), agency_id__in=list(owner))
        .annotate(bad=DbCase(When(valid, then=Value(False)), default=Value(True)))
        .values_list("pk", "bad")
    )
    return (
        [pk for pk, bad in flagged.items() if bad],
        [pk for pk, bad in flagged.items() if not bad],
    )


def _av(rows: Rows, open_cases: QuerySet[Case], today: date) -> None:
    missing = _with_category(open_cases).filter(av_missing_filter(today))
    for row in missing.values("agency_id").annotate(n=Count("pk")):
        rows[row["agency_id"]].av_missing = row["n"]


def _notices_and_reviews(rows: Rows, today: date) -> None:
    overdue = Q(due_on__lt=today)
    for row in (
        Notice.objects.filter(agency_id__in=list(rows), status__in=AWAITING)
        .values("agency_id")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue))
    ):
        rows[row["agency_id"]].notices = row["n"]
        rows[row["agency_id"]].notices_overdue = row["overdue"]
    failed = Q(verdict=Verdict.FAILED)
    for review in (
        FileReview.objects.filter(agency_id__in=list(rows))
        .values("agency_id")
        .annotate(n=Count("pk"), failed=Count("pk", filter=failed))
    ):
        rows[review["agency_id"]].reviewed = review["n"]
        rows[review["agency_id"]].review_failed = review["failed"]


def _handbooks(rows: Rows) -> None:
    from .models import Handbook

    for row in (
        Handbook.objects.filter(agency_id__in=list(rows), filed_at__isnull=False)
        .values("agency_id")
        .annotate(version=Max("version"), filed=Max("filed_at"))
    ):
        rows[row["agency_id"]].handbook_version = row["version"]
        rows[row["agency_id"]].handbook_filed = timezone.localdate(row["filed"])


def cockpit(user: Any, *, today: date, agency_id: int | None = None) -> Cockpit:
    """Every figure of the agencies in ``user``'s scope: one grouped query per figure."""
    bodies = cockpit_bodies(user, agency_id)
    rows: Rows = {b.pk: AgencyFigures(agency=b) for b in bodies}
    open_cases = Case.objects.filter(
        agency_id__in=list(rows), stage__in=OPEN_STAGES, closed_on__isnull=True
    )
    stage_counts = _open_cases(rows, open_cases, _flagged_officers(bodies, today))
    _deadlines(rows, today)
    _publications(rows, today)
    _major(rows)
    _officers(rows, bodies, today)
    _av(rows, open_cases, today)
    _notices_and_reviews(rows, today)
    _handbooks(rows)
    for agency_id, found in results.counts(set(rows), today).items():
        if agency_id in rows:
            rows[agency_id].random_published = found["published"]
            rows[agency_id].random_late = found["late"]
            rows[agency_id].random_overdue = found["overdue"]
    for status in report_status_for(bodies, today):
        rows[status.agency.pk].report = status
    by_stage = []
    for (procedure, stage), n in sorted(stage_counts.items()):
        definition = DEFINITIONS.get(procedure)
        plabel = definition.label if definition else procedure
        slabel = definition.label_of(stage) if definition else stage
        by_stage.append((procedure, plabel, stage, slabel, n))
    return Cockpit(today=today, agencies=list(rows.values()), by_stage=by_stage)


def _member_invalid(today: date) -> Q:
    return ~(
        Q(officer__certificate_status=CertificateStatus.VALID)
        & Q(officer__certificate_issued__lte=today)
        & Q(officer__certificate_expires__gte=today)
    )


def _member_expiring(today: date) -> Q:
    return Q(
        officer__certificate_status=CertificateStatus.VALID,
        officer__certificate_expires__gte=today,
        officer__certificate_expires__lte=today + timedelta(days=EXPIRING_DAYS),
    )


def cases_for_figure(
    user: Any,
    *,
    figure: str,
    today: date,
    agency_id: int | None = None,
    procedure: str = "",
    stage: str = "",
) -> QuerySet[Case]:
    """The cases behind one figure of the cockpit, within the same scope."""
    if figure not in FIGURES:
        names = "、".join(FIGURES)
        raise DomainError("validation_error", f"未知的统计项“{figure}”，应为：{names}。")
    ids = [b.pk for b in cockpit_bodies(user, agency_id)]
    cases = Case.objects.filter(agency_id__in=ids)
    open_cases = cases.filter(closed_on__isnull=True)
    running = Deadline.objects.filter(case_id=OuterRef("pk"), status=DeadlineStatus.RUNNING)
    publications = Publication.objects.filter(case_id=OuterRef("pk"))
    queued = publications.filter(status=PublicationStatus.QUEUED)
    members = CaseMember.objects.filter(case_id=OuterRef("pk"), recused=False)
    reviews = CaseReview.objects.filter(case_id=OuterRef("pk"), major=True).annotate(
        last=_latest_round_status()
    )
    chosen: QuerySet[Case]
    if figure == "open":
        chosen = open_cases
        if procedure:
            chosen = chosen.filter(procedure=procedure)
        if stage:
            chosen = chosen.filter(stage=stage)
    elif figure == "red":
        chosen = cases.filter(Exists(running.filter(due_on__lt=today)))
    elif figure == "yellow":
        chosen = cases.filter(Exists(running.filter(warn_on__lte=today, due_on__gte=today)))
    elif figure == "unpublished":
        chosen = cases.filter(Exists(queued))
    elif figure == "unpublished_late":
        chosen = cases.filter(Exists(queued.filter(due_on__lt=today)))
    elif figure == "published_late":
        late = publications.filter(published_at__isnull=False, published_at__date__gt=F("due_on"))
        chosen = cases.filter(Exists(late))
    elif figure == "withdrawal_pending":
        chosen = cases.filter(
            Exists(
                publications.filter(status=PublicationStatus.PUBLISHED, revoked_on__isnull=False)
            )
        )
    elif figure.startswith("major"):
        key = figure.removeprefix("major").removeprefix("_")
        chosen = cases.filter(Exists(reviews))
        if key:
            wanted = {
                "passed": Q(last=RoundStatus.PASSED),
                "failed": Q(last=RoundStatus.FAILED),
                "open": Q(last__in=[RoundStatus.SUBMITTED, RoundStatus.ASSIGNED]),
                "none": Q(last__isnull=True),
            }[key]
            chosen = cases.filter(Exists(reviews.filter(wanted)))
    elif figure == "uncertified":
        chosen = open_cases.filter(Exists(members.filter(_member_invalid(today))))
    elif figure == "expiring":
        chosen = open_cases.filter(Exists(members.filter(_member_expiring(today))))
    elif figure == "av_missing":
        chosen = _with_category(open_cases).filter(av_missing_filter(today))
    elif figure in ("notices", "notices_overdue"):
        awaiting = Notice.objects.filter(case_id=OuterRef("pk"), status__in=AWAITING)
        if figure == "notices_overdue":
            awaiting = awaiting.filter(due_on__lt=today)
        chosen = cases.filter(Exists(awaiting))
    elif figure == "random_overdue":
        overdue = results.unpublished(set(ids), today).filter(
            plan__period_end__lte=results.overdue_cutoff(today)
        )
        chosen = cases.filter(pk__in=overdue.filter(case__isnull=False).values("case_id"))
    elif figure == "random_late":
        tardy = Assignment.objects.filter(
            target__agency_id__in=ids,
            active=True,
            published_at__isnull=False,
            published_at__date__gt=F("publish_by"),
            case__isnull=False,
        )
        chosen = cases.filter(pk__in=tardy.values("case_id"))
    else:  # review_failed
        chosen = cases.filter(
            Exists(FileReview.objects.filter(case_id=OuterRef("pk"), verdict=Verdict.FAILED))
        )
    return chosen.select_related("agency", "matter").order_by("agency_id", "opened_on", "pk")


def officers_for_figure(
    user: Any, *, figure: str, today: date, agency_id: int | None = None
) -> QuerySet[Officer]:
    """The officers behind a certificate or reviewer figure of the cockpit, in the same scope
    (units folded into their agency, as the figures count them)."""
    if figure not in OFFICER_FIGURES:
        names = "、".join(OFFICER_FIGURES)
        raise DomainError("validation_error", f"未知的人员统计项“{figure}”，应为：{names}。")
    owner = _unit_to_body(cockpit_bodies(user, agency_id))
    valid = certified_on(today)
    wanted = {
        "expired": ~valid,
        "expiring": valid & Q(certificate_expires__lte=today + timedelta(days=EXPIRING_DAYS)),
        "reviewers": valid & Q(is_reviewer=True),
        "officers": valid & Q(is_reviewer=False),
    }[figure]
    return (
        Officer.objects.filter(wanted, agency_id__in=list(owner))
        .select_related("agency")
        .order_by("agency_id", "name", "pk")
    )


__all__ = ["REVIEWER_RATIO_MINIMUM", "Cockpit", "cases_for_figure", "cockpit", "cockpit_bodies"]
