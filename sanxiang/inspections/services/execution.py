"""Executing a draw: each assignment is a 行政检查 case; its result is recorded and published.

"谁检查、谁录入、谁公开": the team records the result, which is published on the portal at once
(masked as decisions are); the deadline is 20 working days after the inspection ends
(国办发〔2015〕58号 二(四) and the local rule; ``inspections.publication``), and 公示 staff are
warned before it passes by disclosure's yellow/red rule.
"""

from __future__ import annotations

import inspect
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency, require_role
from sanxiang.cases.models import Case, CaseSource
from sanxiang.cases.services import opening
from sanxiang.directory.models import Agency
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.workdays import CalendarGap, add_working_days

from .. import listeners, publication
from ..models import Assignment, Conflict, Outcome, RiskGrade, Target, TargetKind
from .targets import record_version

RESULT_DAYS = publication.RESULT_DAYS  # 国办发〔2015〕58号 二(四); local rule: 20 working days

# ``open_case`` is its own durable transaction; opening the inspection (or penalty) case and
# linking it to the assignment must commit together, so the undecorated function is called
# inside this module's one durable transaction (it checks the same things either way).
_open_case: Any = inspect.unwrap(opening.open_case)


def _assignment_for(actor: User, assignment_id: int) -> Assignment:
    """The assignment the actor's agency executes: the one whose 名录库 holds the target (the
    lead's for a plan of one agency; in a 联合抽查, each participating agency its own)."""
    agency = home_agency(actor)
    assignment = (
        Assignment.objects.select_for_update(of=("self",))  # PostgreSQL: not the nullable case
        .select_related("plan", "target", "draw", "case")
        .filter(pk=assignment_id, target__agency=agency)
        .first()
    )
    if assignment is None:
        raise DomainError("not_found", "未找到该抽查任务，或无权访问。")
    if not assignment.active:
        raise DomainError("conflict", "该抽查任务已因重新抽取而作废。")
    return assignment


def _require_team(actor: User, assignment: Assignment) -> None:
    """谁检查、谁录入: the drawn team (or the head) acts on an assignment, nobody else."""
    if actor.is_superuser or actor.role == Role.HEAD:
        return
    officer = getattr(actor, "officer", None)
    if officer is None or not assignment.team.filter(pk=officer.pk).exists():
        raise DomainError("forbidden", "只有抽中的检查组成员或负责人可以办理该抽查任务。")


def _party(target: Target) -> opening.PartyData:
    return opening.PartyData(
        kind=target.kind,
        name=target.name,
        id_number=target.id_number,
        credit_code=target.credit_code,
        legal_representative=target.legal_representative,
        address=target.address,
        phone=target.phone,
    )


def _team_ids(assignment: Assignment) -> list[int]:
    """The case team: the drawn members of the executing agency (the case engine takes one
    agency's officers); in a 联合抽查 the others join the inspection and are named in the facts."""
    scope = Agency.subtree_ids({assignment.target.agency_id})
    by_code = {o.certificate_no: o.pk for o in assignment.team.all() if o.agency_id in scope}
    return [by_code[c] for c in assignment.team_order if c in by_code]


def _joint_members(assignment: Assignment) -> str:
    scope = Agency.subtree_ids({assignment.target.agency_id})
    others = [o for o in assignment.team.select_related("agency") if o.agency_id not in scope]
    if not others:
        return ""
    names = "、".join(f"{o.agency.enforcement_body().name}{o.name}" for o in others)
    return f"联合抽查，会同{names}共同检查。"


def _case_matter(assignment: Assignment) -> Any:
    """The first of the plan's matters that the executing agency holds."""
    return (
        assignment.plan.matters.filter(agency_id=assignment.target.agency_id)
        .order_by("code")
        .first()
        or assignment.plan.matters.order_by("code").first()
    )


def _no_conflict_since(assignment: Assignment) -> None:
    """A member who declared a conflict with the target (or its area) after the freeze does
    not inspect it: the drawn team cannot be changed by hand, so the head redraws with a reason
    (recusal, 行政处罚法 第43条)."""
    target = assignment.target
    found = (
        Conflict.objects.filter(officer__in=assignment.team.all(), withdrawn=False)
        .filter(Q(target=target) | Q(area=target.area))
        .select_related("officer")
        .first()
    )
    if found is not None:
        raise DomainError(
            "conflict",
            f"检查组成员{found.officer.name}已申报与该对象的回避情形（{found.get_kind_display()}），"
            "不能开展检查；请负责人写明理由重新抽取（行政处罚法 第43条：执法人员与案件有直接利害"
            "关系或者有其他关系可能影响公正执法的，应当回避）。",
        )


@transaction.atomic(durable=True)
def start_inspection(*, actor: User, assignment_id: int, on: date | None = None) -> Case:
    """Open the 行政检查 case of a drawn target with its drawn team (who must be certified
    today for 行政检查 in the agency's area)."""
    require_role(actor, Role.OFFICER, Role.HEAD)
    assignment = _assignment_for(actor, assignment_id)
    _require_team(actor, assignment)
    if assignment.case_id is not None:
        raise DomainError("conflict", "该抽查任务已开始检查。")
    plan = assignment.plan
    day = on or timezone.localdate()
    if not plan.period_start <= day <= plan.period_end:
        raise ValidationFailed(
            f"检查日期须在计划的检查期间（{plan.period_start} 至 {plan.period_end}）内。",
            field="on",
        )
    _no_conflict_since(assignment)
    matter = _case_matter(assignment)
    assert matter is not None  # noqa: S101 - a plan always names a matter
    team = _team_ids(assignment)
    if len(team) < 2:  # 行政处罚法 第42条; a /1 joint draw could leave one per agency
        raise DomainError(
            "officer_not_certified",
            "检查组中本机关的执法人员不足两名，不能以本机关名义开展检查。",
        )
    case: Case = _open_case(
        actor=actor,
        matter_id=matter.pk,
        procedure="inspection",
        title=f"{plan.title}：{assignment.target.name}",
        source=CaseSource.OTHER,
        facts=(
            f"双随机抽查：计划 {plan.number}，第{assignment.draw.round}轮抽取第"
            f"{assignment.position}号（{assignment.stratum}）。{_joint_members(assignment)}"
        ),
        parties=[_party(assignment.target)],
        team=team,
        opened_on=day,
        is_demo=plan.is_demo,
    )
    if Assignment.objects.filter(pk=assignment.pk, case__isnull=True).update(case=case) != 1:
        raise DomainError("conflict", "该抽查任务已开始检查。")
    append(
        event_type="inspection.started",
        payload={"plan": plan.number, "position": assignment.position, "case": case.number},
        actor=actor,
        agency_id=assignment.target.agency_id,
        case_id=case.pk,
    )
    return case


def _grade_after(target: Target, outcome: str) -> str:
    """Results feed the grade: a problem found raises it, a penalty or referral makes it high."""
    if outcome in (Outcome.PENALTY, Outcome.REFERRAL):
        return RiskGrade.HIGH
    if outcome == Outcome.RECTIFY and target.risk_grade == RiskGrade.LOW:
        return RiskGrade.MEDIUM
    return target.risk_grade


def _check_result(
    assignment: Assignment,
    *,
    outcome: str,
    findings: str,
    inspected_on: date,
    rectify_by: date | None,
    referred_to: str,
    penalty_matter_id: int | None,
) -> None:
    if assignment.case_id is None:
        raise DomainError("conflict", "尚未开始检查（未建立检查案件），不能录入结果。")
    if assignment.outcome:
        raise DomainError("conflict", "检查结果已录入并公示，不能重复录入。")
    if outcome not in Outcome.values:
        raise ValidationFailed("检查结果无效。", field="outcome")
    if not findings.strip():
        raise ValidationFailed("请填写检查情况。", field="findings")
    case = assignment.case
    assert case is not None  # noqa: S101 - checked above
    if inspected_on < case.opened_on or inspected_on > timezone.localdate():
        raise ValidationFailed("检查完成日期须在开始检查之后、不晚于今天。", field="inspected_on")
    if outcome == Outcome.RECTIFY and (rectify_by is None or rectify_by <= inspected_on):
        raise ValidationFailed("责令整改须写明晚于检查日期的整改期限。", field="rectify_by")
    if outcome == Outcome.REFERRAL and not referred_to.strip():
        raise ValidationFailed("移送须写明接收机关。", field="referred_to")
    if outcome == Outcome.PENALTY and penalty_matter_id is None:
        raise ValidationFailed("立案查处须选择行政处罚事项。", field="penalty_matter")


@transaction.atomic(durable=True)
def record_result(
    *,
    actor: User,
    assignment_id: int,
    outcome: str,
    findings: str,
    inspected_on: date,
    rectify_by: date | None = None,
    referred_to: str = "",
    penalty_matter_id: int | None = None,
) -> Assignment:
    """Record the result (未发现问题 / 责令整改 / 立案查处 / 移送) and publish it.

    立案查处 opens the linked 行政处罚 case (普通程序) with the same team, in the same transaction.
    """
    require_role(actor, Role.OFFICER, Role.HEAD)
    assignment = _assignment_for(actor, assignment_id)
    _require_team(actor, assignment)
    _check_result(
        assignment,
        outcome=outcome,
        findings=findings,
        inspected_on=inspected_on,
        rectify_by=rectify_by,
        referred_to=referred_to,
        penalty_matter_id=penalty_matter_id,
    )
    try:
        publish_by = add_working_days(inspected_on, RESULT_DAYS)
    except CalendarGap as gap:
        raise DomainError("calendar_gap", str(gap)) from None
    penalty = None
    if outcome == Outcome.PENALTY:
        penalty = _open_case(
            actor=actor,
            matter_id=penalty_matter_id,
            procedure="penalty_ordinary",
            title=f"{assignment.target.name}涉嫌违法（双随机抽查发现）",
            source=CaseSource.INSPECTION,
            facts=findings.strip(),
            parties=[_party(assignment.target)],
            team=_team_ids(assignment),
            opened_on=inspected_on,
            is_demo=assignment.plan.is_demo,
        )
    target = assignment.target
    grade = _grade_after(target, outcome)
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk, outcome="").update(
        outcome=outcome,
        findings=findings.strip(),
        inspected_on=inspected_on,
        rectify_by=rectify_by if outcome == Outcome.RECTIFY else None,
        referred_to=referred_to.strip() if outcome == Outcome.REFERRAL else "",
        penalty_case=penalty,
        publish_by=publish_by,
        published_at=now,
    )
    if grade != target.risk_grade:
        Target.objects.filter(pk=target.pk).update(risk_grade=grade, version=target.version + 1)
        changed = Target.objects.get(pk=target.pk)
        record_version(changed, f"双随机检查结果：{Outcome(outcome).label}")
    append(
        event_type="inspection.result_recorded",
        payload={
            "plan": assignment.plan.number,
            "assignment": assignment.pk,
            "position": assignment.position,
            "target": target.draw_id,
            "outcome": outcome,
            "findings": findings.strip(),
            "inspected_on": inspected_on,
            "rectify_by": rectify_by if outcome == Outcome.RECTIFY else None,
            "referred_to": referred_to.strip() if outcome == Outcome.REFERRAL else "",
            "penalty_case": penalty.number if penalty else None,
            "grade": [target.risk_grade, grade],
            "publish_by": publish_by,
        },
        actor=actor,
        agency_id=assignment.target.agency_id,
        case_id=assignment.case_id,
    )
    assignment.refresh_from_db()
    listeners.notify_published(assignment)  # in this transaction: exchange's outbox row
    return assignment


@transaction.atomic(durable=True)
def record_follow_up(*, actor: User, assignment_id: int, on: date, note: str) -> Assignment:
    """The follow-up check (复查) of a 责令整改 result."""
    require_role(actor, Role.OFFICER, Role.HEAD)
    assignment = _assignment_for(actor, assignment_id)
    _require_team(actor, assignment)
    if assignment.outcome != Outcome.RECTIFY:
        raise DomainError("conflict", "只有责令整改的抽查任务需要复查。")
    if assignment.follow_up_on is not None:
        raise DomainError("conflict", "复查情况已录入。")
    if not note.strip():
        raise ValidationFailed("请填写复查情况。", field="note")
    assert assignment.inspected_on is not None  # noqa: S101 - a recorded result has its date
    if on < assignment.inspected_on or on > timezone.localdate():
        raise ValidationFailed("复查日期须在检查之后、不晚于今天。", field="on")
    Assignment.objects.filter(pk=assignment.pk).update(follow_up_on=on, follow_up_note=note.strip())
    append(
        event_type="inspection.follow_up_recorded",
        payload={
            "plan": assignment.plan.number,
            "position": assignment.position,
            "on": on,
            "note": note.strip(),
            "late": bool(assignment.rectify_by and on > assignment.rectify_by),
        },
        actor=actor,
        agency_id=assignment.target.agency_id,
        case_id=assignment.case_id,
    )
    assignment.refresh_from_db()
    return assignment


def natural_person(target: Target) -> bool:
    return target.kind == TargetKind.NATURAL
