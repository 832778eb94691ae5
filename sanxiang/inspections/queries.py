"""Reads of 双随机、一公开, for staff pages and the portal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from sanxiang.lib.errors import DomainError
from sanxiang.lib.masking import mask_text

from .models import Assignment, Draw, DrawStatus, Outcome, Plan, PlanStatus, Target, TargetKind


def plans_of(agency_ids: set[int]) -> QuerySet[Plan]:
    """Plans the agencies lead or take part in (联合抽查); no other agency's."""
    ids = list(agency_ids)
    joined = Plan.joint_agencies.through.objects.filter(agency_id__in=ids).values("plan_id")
    return Plan.objects.filter(Q(agency_id__in=ids) | Q(pk__in=joined)).select_related("agency")


def plan_for(agency_ids: set[int], pk: int) -> Plan:
    plan = plans_of(agency_ids).filter(pk=pk).first()
    if plan is None:
        raise DomainError("not_found", "未找到该抽查计划，或无权访问。")
    return plan


def targets_of(agency_ids: set[int]) -> QuerySet[Target]:
    return Target.objects.filter(agency_id__in=agency_ids).order_by("pk")


def _visible(agency_ids: set[int]) -> Q:
    """The lead sees every assignment of its plans; a participating agency those whose target
    its 名录库 holds (it executes them) or whose team has its officers."""
    ids = list(agency_ids)
    on_team = Assignment.team.through.objects.filter(officer__agency_id__in=ids).values(
        "assignment_id"
    )
    return Q(plan__agency_id__in=ids) | Q(target__agency_id__in=ids) | Q(pk__in=on_team)


def assignments_of(plan: Plan, agency_ids: set[int] | None = None) -> QuerySet[Assignment]:
    rows = Assignment.objects.filter(plan=plan, active=True)
    if agency_ids is not None:
        rows = rows.filter(_visible(agency_ids))
    return (
        rows.select_related("target__agency", "case", "penalty_case", "draw")
        .prefetch_related("team__agency")
        .order_by("position")
    )


def assignment_for(agency_ids: set[int], pk: int) -> Assignment:
    found = (
        Assignment.objects.filter(_visible(agency_ids), pk=pk)
        .select_related("plan", "target__agency", "case", "penalty_case", "draw")
        .prefetch_related("team__agency")
        .first()
    )
    if found is None:
        raise DomainError("not_found", "未找到该抽查任务，或无权访问。")
    return found


def history(target: Target) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(target=target, draw__status=DrawStatus.DRAWN)
        .select_related("plan", "case")
        .order_by("-plan__year", "-pk")
    )


# --- portal ---------------------------------------------------------------------------------


def public_plans() -> QuerySet[Plan]:
    return Plan.objects.exclude(status=PlanStatus.DRAFT).select_related("agency")


def public_plan(pk: int) -> Plan:
    plan = public_plans().filter(pk=pk).first()
    if plan is None:
        raise DomainError("not_found", "未找到该抽查计划。")
    return plan


def public_draws(plan: Plan) -> list[Draw]:
    return list(plan.draws.exclude(status=DrawStatus.PENDING).order_by("round"))


def certificate(plan: Plan, round_no: int) -> str:
    found = plan.draws.filter(round=round_no).exclude(status=DrawStatus.PENDING).first()
    if found is None:
        raise DomainError("not_found", "该轮抽取尚未完成或不存在。")
    return found.certificate


@dataclass(frozen=True)
class PublicResult:
    position: int
    target: str
    credit_code: str
    area: str
    category: str
    stratum: str
    team: str
    outcome: str
    findings: str
    inspected_on: date | None
    rectify_by: date | None
    follow_up_on: date | None
    agency: str = ""  # the agency that inspected and published (联合抽查: whose library)
    publish_by: date | None = None  # 20 working days after the inspection (国办发〔2015〕58号)


def masked_name(name: str) -> str:
    """A natural person's name as published: surname + 某 (as disclosure publishes parties)."""
    masked = mask_text(name, names=[name])
    return masked if masked != name else (name[:1] + "某" if name else name)


def _public_name(target: Target) -> str:
    return masked_name(target.name) if target.kind == TargetKind.NATURAL else target.name


def public_results(plan: Plan) -> list[PublicResult]:
    """Published results, masked as decisions are (lib.masking; a natural person's name
    becomes 张某, the legal representative's name is masked in the text)."""
    rows = []
    for a in assignments_of(plan):
        names = [n for n in (a.target.legal_representative,) if n]
        if a.target.kind == TargetKind.NATURAL:
            names.append(a.target.name)
        published = a.published_at is not None
        rows.append(
            PublicResult(
                position=a.position,
                target=_public_name(a.target),
                credit_code=a.target.credit_code,
                area=a.target.area,
                category=a.target.get_category_display(),
                stratum="重点" if a.stratum.startswith("key:") else "一般",
                team="、".join(o.name for o in a.team.all()),
                outcome=a.get_outcome_display() if published else "检查中",
                findings=mask_text(a.findings, names=names) if published else "",
                inspected_on=a.inspected_on,
                rectify_by=a.rectify_by if a.outcome == Outcome.RECTIFY else None,
                follow_up_on=a.follow_up_on,
                agency=a.target.agency.name,
                publish_by=a.publish_by,
            )
        )
    return rows


def summary(draw_row: Draw) -> dict[str, Any]:
    cert = json.loads(draw_row.certificate)
    return {
        "round": draw_row.round,
        "reason": draw_row.reason,
        "status": draw_row.get_status_display(),
        "drawn_at": draw_row.drawn_at,
        "seed": draw_row.seed,
        "input_sha256": cert["input_sha256"],
        "targets_sha256": cert["targets_sha256"],
        "inspectors_sha256": cert["inspectors_sha256"],
        "targets": len(cert["input"]["targets"]),
        "inspectors": len(cert["input"]["inspectors"]),
        "strata": cert["result"]["strata"],
        "capped": cert["result"]["capped"],
        "checkpoint": cert["seed_source"]["checkpoint"],
        "entry_seq": cert["seed_source"]["entry"]["seq"],
        "public_key": cert["seed_source"]["public_key"],
        "sha256": draw_row.certificate_sha256,
    }
