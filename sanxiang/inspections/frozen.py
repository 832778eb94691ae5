"""The input of a draw, read from the libraries at the moment a plan is frozen (docs/draw.md §1).

The 执法检查人员名录库 is derived here from the officer library: officers of the lead agency and
of every agency of a 联合抽查 who hold the 行政检查 category and their agency's area on a
certificate valid for the whole period (or, when the plan names its inspectors, exactly those,
refused if not valid), with their declared conflicts and the targets they inspected in the
plan's year or the year before. A target is marked ``complaint`` (the yearly cap does not
apply) when its row says so or a 投诉举报 case names it as a party (``_complained_of``).

A 联合抽查 (the lead agency and agencies of the same district) is frozen as
``sanxiang-draw-input/2``: the candidates are the targets of every agency's 名录库 that the
plan's matters (of any of those agencies' 随机抽查事项清单) apply to, each with the agency that
holds it; a target in two libraries (the same 统一社会信用代码) is one candidate, kept with the
first agency in the plan's order (the lead first), which opens its inspection case.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q

from sanxiang.cases.models import Case, CaseMember, CaseSource, Party
from sanxiang.directory.models import Agency, CertificateStatus, MatterCategory, Officer
from sanxiang.directory.queries import areas_of
from sanxiang.lib import draw
from sanxiang.lib.errors import DomainError

from .models import Assignment, Conflict, DrawStatus, Plan, Target


def plan_section(plan: Plan, agencies: list[Agency]) -> dict[str, Any]:
    return {
        "id": plan.number,
        "title": plan.title,
        "agency": plan.agency.name,
        "year": plan.year,
        "matters": sorted(m.code for m in plan.matters.all()),
        "categories": sorted(plan.categories),
        "areas": sorted(plan.areas),
        "period": {"start": plan.period_start.isoformat(), "end": plan.period_end.isoformat()},
        "ratio": None if plan.ratio is None else format(plan.ratio.normalize(), "f"),
        "count": plan.count,
        "team_size": plan.team_size,
        "key_rules": plan.key_rules,
        "agencies": [a.name for a in agencies] if len(agencies) > 1 else [],
        **({"team_mix": plan.team_mix} if len(agencies) > 1 else {}),
    }


def plan_agencies(plan: Plan) -> list[Agency]:
    """The lead agency, then the agencies of a 联合抽查 (by id): the plan's order."""
    return [plan.agency, *plan.joint_agencies.order_by("pk")]


def candidate_targets(plan: Plan, agencies: list[Agency] | None = None) -> list[Target]:
    """The plan's candidates, one per draw id (the first agency's row in the plan's order)."""
    agencies = agencies or [plan.agency]
    rows = Target.objects.filter(
        agency__in=agencies, active=True, matters__in=plan.matters.all()
    ).select_related("agency")
    if plan.categories:
        rows = rows.filter(category__in=plan.categories)
    if plan.areas:
        rows = rows.filter(area__in=plan.areas)
    rank = {a.pk: n for n, a in enumerate(agencies)}
    kept: dict[str, Target] = {}
    for target in sorted(rows.distinct(), key=lambda t: (rank[t.agency_id], t.pk)):
        kept.setdefault(target.draw_id, target)
    return sorted(kept.values(), key=lambda t: t.pk)


def _checked_this_year(plan: Plan, matter_codes: set[str]) -> dict[str, set[str]]:
    """Per draw id, the plan's matters it was already drawn for in another plan of the year
    (whichever agency's library the earlier plan took it from)."""
    rows = Assignment.objects.filter(
        active=True, draw__status=DrawStatus.DRAWN, plan__year=plan.year
    ).exclude(plan=plan)
    out: dict[str, set[str]] = defaultdict(set)
    for target_id, code, matter in rows.values_list(
        "target_id", "target__credit_code", "plan__matters__code"
    ):
        if matter in matter_codes:
            out[code or f"P{target_id:08d}"].add(matter)
    return out


def _complained_of(agencies: list[Agency], year: int) -> set[str]:
    """Codes and ID numbers of parties of 投诉举报 cases of the agencies opened in the plan's
    year or still open: a complaint lifts the yearly cap (DOMAIN.md, 双随机), so a target
    already checked for the matter stays a candidate while one is recorded against it."""
    cases = Case.objects.filter(
        agency_id__in=Agency.subtree_ids(a.pk for a in agencies), source=CaseSource.COMPLAINT
    ).filter(Q(opened_on__year=year) | Q(closed_on__isnull=True))
    out: set[str] = set()
    for code, id_number in Party.objects.filter(case__in=cases).values_list(
        "credit_code", "id_number"
    ):
        out.update(v.strip().upper() for v in (code, id_number) if v and v.strip())
    return out


def _fit(officer: Officer) -> bool:
    """The certificate covers 行政检查 and the area of the officer's enforcement body (the
    field and area a case engine checks again when the inspection starts: ``may_act``)."""
    area = officer.agency.enforcement_body().area
    return MatterCategory.INSPECTION in officer.categories and (
        not area or area in areas_of(officer)
    )


def _inspectors(plan: Plan, agencies: list[Agency]) -> list[Officer]:
    pool = list(plan.inspector_pool.select_related("agency"))
    if pool:
        bad = [o for o in pool if o.certificate_status != CertificateStatus.VALID]
        if bad:
            raise DomainError(
                "officer_not_certified",
                f"{'、'.join(o.name for o in bad)}的执法证件已暂扣或注销，"
                "不能列入执法检查人员名录。",
            )
        unfit = [o for o in pool if not _fit(o)]
        if unfit:
            raise DomainError(
                "officer_not_certified",
                f"{'、'.join(o.name for o in unfit)}的执法证件不含行政检查类别或本机关管辖区域，"
                "不能列入执法检查人员名录。",
            )
        return pool
    scope = Agency.subtree_ids(a.pk for a in agencies)
    return [
        o
        for o in Officer.objects.filter(
            agency_id__in=scope,
            certificate_status=CertificateStatus.VALID,
            certificate_issued__lte=plan.period_start,
            certificate_expires__gte=plan.period_end,
            is_reviewer=False,  # 法制审核人员 review the cases; they do not inspect
        ).select_related("agency")
        if _fit(o)
    ]


def _inspected_before(
    plan: Plan, officers: list[Officer], targets: list[Target]
) -> dict[int, set[str]]:
    """Per officer, the targets they inspected in the plan's year or the year before, drawn or
    in a 行政检查 case (recused, so that nobody inspects the same target twice running)."""
    rows = Assignment.objects.filter(
        active=True,
        draw__status=DrawStatus.DRAWN,
        team__in=officers,
        plan__year__gte=plan.year - 1,
        plan__year__lte=plan.year,
    ).select_related("target")
    out: dict[int, set[str]] = defaultdict(set)
    for assignment in rows.prefetch_related("team"):
        for officer in assignment.team.all():
            out[officer.pk].add(assignment.target.draw_id)
    # And 行政检查 cases outside the draws (a complaint, a 专项检查) that named the target as
    # a party, opened in those years by a team these officers were on.
    by_identifier = {v: t.draw_id for t in targets for v in (t.credit_code, t.id_number) if v}
    members = CaseMember.objects.filter(
        officer__in=officers,
        recused=False,
        case__procedure="inspection",
        case__opened_on__year__gte=plan.year - 1,
        case__opened_on__year__lte=plan.year,
    ).values_list("officer_id", "case_id")
    cases: dict[int, list[int]] = defaultdict(list)
    for officer_id, case_id in members:
        cases[case_id].append(officer_id)
    for case_id, code, id_number in Party.objects.filter(case_id__in=cases).values_list(
        "case_id", "credit_code", "id_number"
    ):
        found = by_identifier.get(code) or by_identifier.get(id_number)
        if found:
            for officer_id in cases[case_id]:
                out[officer_id].add(found)
    return out


def build(plan: Plan) -> tuple[dict[str, Any], list[Target], list[Officer]]:
    """The canonical draw input of a plan, with the rows it was read from."""
    agencies = plan_agencies(plan)
    section = plan_section(plan, agencies)
    targets = candidate_targets(plan, agencies)
    checked = _checked_this_year(plan, set(section["matters"]))
    complained = _complained_of(agencies, plan.year)
    officers = _inspectors(plan, agencies)
    conflicts = Conflict.objects.filter(officer__in=officers, withdrawn=False).select_related(
        "target"
    )
    by_officer: dict[int, list[Conflict]] = defaultdict(list)
    for conflict in conflicts:
        by_officer[conflict.officer_id].append(conflict)
    inspected = _inspected_before(plan, officers, targets)
    document = draw.input_document(
        plan=section,
        targets=[
            {
                "id": t.draw_id,
                "grade": t.risk_grade,
                "area": t.area,
                "checked": sorted(checked.get(t.draw_id, ())),
                "complaint": t.complaint or bool({t.credit_code, t.id_number} & complained),
                "agency": t.agency.name,
            }
            for t in targets
        ],
        inspectors=[
            {
                "id": o.certificate_no,
                "agency": o.agency.enforcement_body().name,
                "valid_from": o.certificate_issued.isoformat(),
                "valid_to": o.certificate_expires.isoformat(),
                "conflict_targets": [c.target.draw_id for c in by_officer[o.pk] if c.target],
                "conflict_areas": [c.area for c in by_officer[o.pk] if c.area],
                "inspected_targets": sorted(inspected.get(o.pk, ())),
            }
            for o in officers
        ],
    )
    return document, targets, officers
