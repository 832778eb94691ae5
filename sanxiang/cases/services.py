"""Every write to a case. Views, the API, commands and tests call these functions only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency, require_role
from sanxiang.catalog.models import Matter, MatterVersion
from sanxiang.catalog.queries import in_force_on
from sanxiang.directory.models import Agency, Officer
from sanxiang.directory.queries import may_act
from sanxiang.ledger.services import append
from sanxiang.lib.canonical import canonical_bytes
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.identifiers import (
    is_valid_credit_code,
    is_valid_resident_id,
    resident_id_birth_date,
)
from sanxiang.lib.money import MoneyError, parse_money
from sanxiang.procedures import engine
from sanxiang.procedures.definitions import DEFINITIONS, Definition

from . import deadlines as clocks
from .models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseSource,
    Circumstance,
    Deadline,
    DeadlinePause,
    DeadlineStatus,
    DecisionDraft,
    DecisionKind,
    DiscretionBenchmark,
    Party,
    PartyKind,
    Recusal,
    RecusalStatus,
)
from .queries import get_case_for, had_stage, is_on_team

# 行政处罚法 第51条: 当场处罚 only for a warning, or a fine up to 200 元 (person) / 3,000 元 (unit).
SUMMARY_FINE_LIMIT = {PartyKind.NATURAL: Decimal("200"), PartyKind.ORGANISATION: Decimal("3000")}
KINDS_BY_CATEGORY = {
    "penalty": {
        DecisionKind.WARNING,
        DecisionKind.FINE,
        DecisionKind.CONFISCATION,
        DecisionKind.SUSPENSION,
        DecisionKind.LICENCE_REVOCATION,
        DecisionKind.QUALIFICATION_LOWERING,
        DecisionKind.NO_PENALTY,
        DecisionKind.OTHER,
    },
    "licence": {
        DecisionKind.LICENCE_GRANT,
        DecisionKind.LICENCE_REFUSAL,
        DecisionKind.LICENCE_WITHDRAWAL,
    },
    "coercion": {DecisionKind.SEIZURE},
}
MINIMUM_TEAM = 2  # 行政处罚法 第42条: no fewer than two officers


@dataclass(frozen=True)
class PartyData:
    kind: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    address: str = ""
    phone: str = ""
    is_minor: bool | None = None


@dataclass(frozen=True)
class DraftData:
    kind: str
    fine_amount: Decimal | str | None = None
    confiscation_value: Decimal | str | None = None
    legal_basis: str = ""
    circumstance: str = ""
    outside_reason: str = ""
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _today() -> date:
    return timezone.localdate()


def _event(case: Case, kind: str, actor: Any, note: str = "", **stages: str) -> None:
    CaseEvent.objects.create(case=case, kind=kind, actor=actor, note=note, **stages)


def _matter_category(matter: Matter, on: date) -> str:
    version = MatterVersion.objects.filter(in_force_on(on), matter=matter).first()
    if version is None:
        raise ValidationFailed("该执法事项在立案日期不在有效期内。", field="matter_id")
    return version.category


def _check_team(agency: Agency, officer_ids: list[int], category: str) -> list[Officer]:
    """At least two officers certified today for the matter's category and the agency's area."""
    ids = list(dict.fromkeys(officer_ids))
    officers = list(
        Officer.objects.filter(pk__in=ids, agency_id__in=Agency.subtree_ids({agency.pk}))
    )
    if len(officers) != len(ids):
        raise ValidationFailed("办案人员须为本机关的执法人员。", field="team")
    today = _today()
    unfit = [
        o.name for o in officers if not may_act(o, category=category, area=agency.area, on=today)
    ]
    if unfit:
        raise DomainError(
            "officer_not_certified",
            f"{'、'.join(unfit)}的执法证件今日无效，或执法类别、区域不符，不能承办本案。",
            field="team",
        )
    if len(officers) < MINIMUM_TEAM:
        raise DomainError(
            "officer_not_certified", "办案须有两名以上持有效执法证件的执法人员。", field="team"
        )
    return [o for i in ids for o in officers if o.pk == i]


def _party(case: Case, data: PartyData) -> Party:
    name = data.name.strip()
    if not name:
        raise ValidationFailed("当事人名称或姓名不能为空。", field="parties")
    is_minor = bool(data.is_minor)
    if data.kind == PartyKind.NATURAL:
        id_number = data.id_number.strip().upper()
        if not is_valid_resident_id(id_number):
            raise ValidationFailed(f"当事人“{name}”的居民身份证号码校验不通过。", field="parties")
        born = resident_id_birth_date(id_number)
        adult_on = date(born.year + 18, born.month, 1) + timedelta(days=born.day - 1)
        is_minor = is_minor or case.opened_on < adult_on
        return Party.objects.create(
            case=case,
            kind=data.kind,
            name=name,
            id_number=id_number,
            address=data.address,
            phone=data.phone,
            is_minor=is_minor,
        )
    if data.kind != PartyKind.ORGANISATION:
        raise ValidationFailed("当事人类型无效。", field="parties")
    code = data.credit_code.strip().upper()
    if code and not is_valid_credit_code(code):
        raise ValidationFailed(f"当事人“{name}”的统一社会信用代码校验不通过。", field="parties")
    return Party.objects.create(
        case=case,
        kind=data.kind,
        name=name,
        credit_code=code,
        legal_representative=data.legal_representative,
        address=data.address,
        phone=data.phone,
    )


def _next_seq(agency: Agency, year: int) -> int:
    # The agency row is the lock: two officers filing at once get consecutive numbers.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    top = Case.objects.filter(agency=agency, year=year).aggregate(m=Max("seq"))["m"]
    return (top or 0) + 1


@transaction.atomic(durable=True)
def open_case(
    *,
    actor: User,
    matter_id: int,
    procedure: str,
    title: str,
    source: str,
    facts: str,
    parties: list[PartyData],
    team: list[int],
    opened_on: date,
    is_demo: bool = False,
) -> Case:
    """立案: register a case with its parties and a team of at least two certified officers."""
    require_role(actor, Role.OFFICER, Role.HEAD)
    agency = home_agency(actor)
    definition = DEFINITIONS.get(procedure)
    if definition is None:
        raise ValidationFailed("程序类型无效。", field="procedure")
    matter = Matter.objects.filter(pk=matter_id, agency=agency).first()
    if matter is None:
        raise ValidationFailed("请选择本机关的执法事项。", field="matter_id")
    category = _matter_category(matter, opened_on)
    if category != definition.category:
        raise ValidationFailed(f"该事项不适用“{definition.label}”。", field="procedure")
    if source not in CaseSource.values:
        raise ValidationFailed("案件来源无效。", field="source")
    if not title.strip():
        raise ValidationFailed("案由不能为空。", field="title")
    if opened_on > _today():
        raise ValidationFailed("立案日期不能晚于今天。", field="opened_on")
    if not parties:
        raise ValidationFailed("至少登记一名当事人。", field="parties")
    officers = _check_team(agency, team, category)
    seq = _next_seq(agency, opened_on.year)
    case = Case.objects.create(
        agency=agency,
        number=f"{agency.short_name or agency.name}案字〔{opened_on.year}〕第{seq}号",
        year=opened_on.year,
        seq=seq,
        procedure=procedure,
        stage=definition.initial.code,
        matter=matter,
        title=title.strip(),
        source=source,
        facts=facts,
        opened_on=opened_on,
        created_by=actor,
        is_demo=is_demo,
    )
    saved = [_party(case, p) for p in parties]
    for i, officer in enumerate(officers):
        CaseMember.objects.create(case=case, officer=officer, is_lead=i == 0)
    _event(case, "opened", actor, target=definition.initial.code)
    clocks.stage_entered(case, definition, definition.initial.code, opened_on)
    append(
        event_type="case.opened",
        payload={
            "number": case.number,
            "procedure": procedure,
            "matter": matter.code,
            "title": case.title,
            "opened_on": opened_on,
            "parties": [[p.name, p.identifier] for p in saved],
            "team": [o.certificate_no for o in officers],
        },
        actor=actor,
        agency_id=agency.pk,
        case_id=case.pk,
    )
    return case


def allowed_message(definition: Definition, stage: str) -> str:
    nexts = definition.next_steps(stage)
    if not nexts:
        return f"案件已处于“{definition.label_of(stage)}”，没有后续步骤。"
    names = "、".join(f"{s.label}（{definition.label_of(s.target)}）" for s in nexts)
    return f"当前阶段“{definition.label_of(stage)}”之后只能：{names}。"


def may_take(actor: Any, case: Case, roles: frozenset[str], *, head_approval: bool) -> bool:
    """Whether ``actor`` may take a step: the head for approvals, a team member otherwise."""
    if actor.is_superuser:
        return True
    if actor.role == Role.HEAD and Role.HEAD in roles:
        return True
    if head_approval:
        return False
    return actor.role in roles and is_on_team(actor, case)


@transaction.atomic(durable=True)
def transition(
    *,
    actor: User,
    case_id: int,
    target: str,
    note: str = "",
    expected_stage: str | None = None,
    on: date | None = None,
) -> Case:
    """Move a case one allowed step; guards first, then one guarded update, then after-hooks."""
    case = get_case_for(actor, case_id, write=True)
    definition = case.definition
    source = case.stage
    if expected_stage is not None and expected_stage != source:
        raise DomainError(
            "conflict", f"案件已处于“{definition.label_of(source)}”，请刷新后再操作。"
        )
    step = definition.step(source, target)
    if step is None:
        raise DomainError("transition_not_allowed", allowed_message(definition, source))
    if not may_take(actor, case, step.roles, head_approval=step.head_approval):
        who = "负责人" if step.head_approval else "本案办案人员或负责人"
        raise DomainError("forbidden", f"“{step.label}”须由{who}操作。")
    day = on or _today()
    changes: dict[str, Any] = {"stage": target}
    if target == "decision":
        _check_decision(case, day)
        changes["decided_on"] = day
    if definition.stage(target).final or target == "closing":
        if day < case.opened_on:
            raise ValidationFailed("结案日期不能早于立案日期。", field="on")
        changes["closed_on"] = day
    engine.run_guards(
        engine.GuardContext(
            case=case, definition=definition, source=source, target=target, actor=actor
        )
    )
    # The guarded update: of two simultaneous submissions exactly one finds the old stage.
    if Case.objects.filter(pk=case.pk, stage=source).update(**changes) != 1:
        raise DomainError("conflict", "案件已被他人处理，请刷新后再操作。")
    for name, value in changes.items():
        setattr(case, name, value)
    _event(case, "transition", actor, note, source=source, target=target)
    clocks.stage_entered(case, definition, target, day)
    append(
        event_type="case.transition",
        payload={
            "number": case.number,
            "source": source,
            "target": target,
            "on": day,
            "note": note,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    engine.run_after_transition(
        engine.GuardContext(
            case=case, definition=definition, source=source, target=target, actor=actor
        )
    )
    return case


def _check_decision(case: Case, day: date) -> None:
    if day < case.opened_on:
        raise ValidationFailed("决定日期不能早于立案日期。", field="on")
    if day > _today():
        raise ValidationFailed("决定日期不能晚于今天。", field="on")
    draft = DecisionDraft.objects.filter(case=case).first()
    if draft is None:
        raise ValidationFailed("请先保存决定草稿，再作出决定。", field="draft")
    if case.procedure == "penalty_summary":
        _check_summary_limit(case, draft.kind, draft.fine_amount)


def _check_summary_limit(case: Case, kind: str, fine: Decimal | None) -> None:
    """行政处罚法 第51条: 当场处罚 only for a warning or a small fine, else ordinary procedure."""
    if kind == DecisionKind.WARNING:
        return
    if kind != DecisionKind.FINE:
        raise ValidationFailed("简易程序只能给予警告或者罚款。", field="kind")
    kinds = set(case.parties.values_list("kind", flat=True))
    party_kind = PartyKind.ORGANISATION if PartyKind.ORGANISATION in kinds else PartyKind.NATURAL
    limit = SUMMARY_FINE_LIMIT[party_kind]
    if fine is not None and fine > limit:
        who = "法人或者其他组织" if party_kind == PartyKind.ORGANISATION else "公民"
        raise ValidationFailed(
            f"简易程序对{who}当场罚款不得超过{limit:,.0f}元，请转为普通程序。",
            field="fine_amount",
        )


def _amount(raw: Decimal | str | None, field_name: str) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_money(raw)
    except MoneyError as error:
        raise ValidationFailed(str(error), field=field_name) from None


def fingerprint(
    case: Case, kind: str, fine: Decimal | None, conf: Decimal | None, basis: str
) -> str:
    """sha256 of what the legal review approves: kind, amounts, basis and the parties."""
    body = {
        "kind": kind,
        "fine_amount": fine,
        "confiscation_value": conf,
        "legal_basis": basis,
        "parties": [[p.name, p.identifier] for p in case.parties.order_by("pk")],
    }
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


def _benchmark(case: Case, circumstance: str) -> DiscretionBenchmark | None:
    if not circumstance:
        return None
    if circumstance not in Circumstance.values:
        raise ValidationFailed("违法情节无效。", field="circumstance")
    return DiscretionBenchmark.objects.filter(matter=case.matter, circumstance=circumstance).first()


@transaction.atomic(durable=True)
def save_draft(*, actor: User, case_id: int, data: DraftData) -> DecisionDraft:
    """Save the decision draft; a fine outside the 裁量基准 needs a written reason (flagged)."""
    case = get_case_for(actor, case_id, write=True)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以起草决定。")
    if had_stage(case, "decision"):
        raise DomainError("conflict", "决定已作出，草稿不能再修改。")
    allowed = KINDS_BY_CATEGORY.get(case.definition.category, set())
    if data.kind not in allowed:
        raise ValidationFailed("该程序不能作出此种决定。", field="kind")
    fine = _amount(data.fine_amount, "fine_amount")
    conf = _amount(data.confiscation_value, "confiscation_value")
    if data.kind == DecisionKind.FINE and not fine:
        raise ValidationFailed("罚款决定须填写罚款金额。", field="fine_amount")
    if case.procedure == "penalty_summary":
        _check_summary_limit(case, data.kind, fine)
    bench = _benchmark(case, data.circumstance)
    if data.kind == DecisionKind.FINE and bench is None and case.matter.benchmarks.exists():
        raise ValidationFailed("本事项有裁量基准，请选择违法情节。", field="circumstance")
    outside = bool(bench and fine is not None and not (bench.fine_min <= fine <= bench.fine_max))
    reason = data.outside_reason.strip()
    if outside and not reason:
        raise ValidationFailed(
            f"罚款超出裁量基准（{bench.fine_min:,.2f}—{bench.fine_max:,.2f}元），须书面说明理由。"
            if bench
            else "",
            field="outside_reason",
        )
    values: dict[str, Any] = {
        "kind": data.kind,
        "fine_amount": fine,
        "confiscation_value": conf,
        "legal_basis": data.legal_basis.strip(),
        "circumstance": data.circumstance,
        "benchmark_min": bench.fine_min if bench else None,
        "benchmark_max": bench.fine_max if bench else None,
        "outside_benchmark": outside,
        "outside_reason": reason if outside else "",
        "text": data.text,
        "fingerprint": fingerprint(case, data.kind, fine, conf, data.legal_basis.strip()),
        "updated_at": timezone.now(),
    }
    draft = DecisionDraft.objects.select_for_update().filter(case=case).first()
    if draft is None:
        draft = DecisionDraft.objects.create(case=case, revision=1, **values)
    else:
        for name, value in values.items():
            setattr(draft, name, value)
        draft.revision += 1
        draft.save()
    _event(case, "draft_saved", actor, f"第{draft.revision}稿")
    append(
        event_type="case.draft_saved",
        payload={
            "number": case.number,
            "revision": draft.revision,
            "kind": draft.kind,
            "fine_amount": fine,
            "outside_benchmark": outside,
            "fingerprint": draft.fingerprint,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return draft


@transaction.atomic(durable=True)
def request_recusal(
    *, actor: User, case_id: int, member_id: int, requested_by: str, reason: str
) -> Recusal:
    """Record a 回避 request (by the party or the officer); the head decides it."""
    case = get_case_for(actor, case_id, write=True)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以登记回避申请。")
    member = CaseMember.objects.filter(pk=member_id, case=case, recused=False).first()
    if member is None:
        raise ValidationFailed("该办案人员不在本案承办人员中。", field="member_id")
    if not reason.strip() or not requested_by.strip():
        raise ValidationFailed("请填写申请人和回避理由。", field="reason")
    recusal = Recusal.objects.create(
        case=case, member=member, requested_by=requested_by.strip(), reason=reason.strip()
    )
    _event(case, "recusal_requested", actor, f"{member.officer.name}：{reason.strip()}")
    append(
        event_type="case.recusal_requested",
        payload={"number": case.number, "officer": member.officer.certificate_no, "reason": reason},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return recusal


@transaction.atomic(durable=True)
def decide_recusal(*, actor: User, recusal_id: int, grant: bool, note: str = "") -> Recusal:
    """行政处罚法 第43条: the head decides; a granted officer leaves the team."""
    recusal = (
        Recusal.objects.select_related("case", "member__officer").filter(pk=recusal_id).first()
    )
    if recusal is None:
        raise DomainError("not_found", "未找到该回避申请。")
    case = get_case_for(actor, recusal.case_id, write=True)
    require_role(actor, Role.HEAD)
    status = RecusalStatus.GRANTED if grant else RecusalStatus.REFUSED
    now = timezone.now()
    updated = Recusal.objects.filter(pk=recusal.pk, status=RecusalStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, decision_note=note
    )
    if updated != 1:
        raise DomainError("conflict", "该回避申请已经决定。")
    if grant:
        CaseMember.objects.filter(pk=recusal.member_id).update(recused=True, is_lead=False)
    recusal.refresh_from_db()
    label = "决定回避" if grant else "不予回避"
    _event(case, "recusal_decided", actor, f"{recusal.member.officer.name}：{label}。{note}")
    append(
        event_type="case.recusal_decided",
        payload={"number": case.number, "recusal": recusal.pk, "granted": grant, "note": note},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return recusal


@transaction.atomic(durable=True)
def add_member(*, actor: User, case_id: int, officer_id: int) -> CaseMember:
    """The head adds a certified officer (e.g. after a recusal)."""
    case = get_case_for(actor, case_id, write=True)
    require_role(actor, Role.HEAD)
    officer = Officer.objects.filter(
        pk=officer_id, agency_id__in=Agency.subtree_ids({case.agency_id})
    ).first()
    if officer is None:
        raise ValidationFailed("办案人员须为本机关的执法人员。", field="officer_id")
    category = _matter_category(case.matter, case.opened_on)
    if not may_act(officer, category=category, area=case.agency.area, on=_today()):
        raise DomainError("officer_not_certified", f"{officer.name}的执法证件今日无效或类别不符。")
    member, created = CaseMember.objects.get_or_create(case=case, officer=officer)
    if not created and not member.recused:
        raise DomainError("conflict", f"{officer.name}已是本案办案人员。")
    if member.recused:
        raise DomainError("conflict", f"{officer.name}已决定回避，不能再承办本案。")
    _event(case, "member_added", actor, officer.name)
    append(
        event_type="case.member_added",
        payload={"number": case.number, "officer": officer.certificate_no},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return member


def _deadline_for(actor: User, deadline_id: int) -> Deadline:
    deadline = Deadline.objects.select_related("case").filter(pk=deadline_id).first()
    if deadline is None:
        raise DomainError("not_found", "未找到该时限。")
    case = get_case_for(actor, deadline.case_id, write=True)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以暂停或恢复时限。")
    return deadline


@transaction.atomic(durable=True)
def pause_deadline(*, actor: User, deadline_id: int, reason: str, on: date) -> Deadline:
    """Stop a clock for time the law does not count (听证、检测、检验、鉴定 …)."""
    deadline = _deadline_for(actor, deadline_id)
    if not reason.strip():
        raise ValidationFailed("请填写暂停计时的理由。", field="reason")
    if on < deadline.starts_on or on > deadline.due_on:
        raise ValidationFailed("暂停日期须在时限起算日与届满日之间。", field="on")
    if (
        Deadline.objects.filter(pk=deadline.pk, status=DeadlineStatus.RUNNING).update(
            status=DeadlineStatus.PAUSED
        )
        != 1
    ):
        raise DomainError("conflict", "该时限当前不在计时中。")
    DeadlinePause.objects.create(
        deadline=deadline, reason=reason.strip(), paused_on=on, paused_by=actor
    )
    _event(deadline.case, "deadline_paused", actor, f"{deadline.label}：{reason.strip()}")
    append(
        event_type="case.deadline_paused",
        payload={"rule": deadline.rule, "on": on, "reason": reason.strip()},
        actor=actor,
        agency_id=deadline.agency_id,
        case_id=deadline.case_id,
    )
    deadline.refresh_from_db()
    return deadline


@transaction.atomic(durable=True)
def resume_deadline(*, actor: User, deadline_id: int, on: date) -> Deadline:
    """Restart a paused clock; the due date moves back by the paused interval."""
    deadline = _deadline_for(actor, deadline_id)
    pause = deadline.pauses.filter(resumed_on__isnull=True).first()
    if deadline.status != DeadlineStatus.PAUSED or pause is None:
        raise DomainError("conflict", "该时限没有暂停。")
    if on < pause.paused_on:
        raise ValidationFailed("恢复日期不能早于暂停日期。", field="on")
    due = clocks.extended(deadline, pause.paused_on, on)
    warn_days = clocks.effective(
        deadline.case, deadline.case.definition.rule(deadline.rule)
    ).warn_days
    if (
        Deadline.objects.filter(pk=deadline.pk, status=DeadlineStatus.PAUSED).update(
            status=DeadlineStatus.RUNNING, due_on=due, warn_on=clocks.warn_date(due, warn_days)
        )
        != 1
    ):
        raise DomainError("conflict", "该时限没有暂停。")
    DeadlinePause.objects.filter(pk=pause.pk).update(resumed_on=on)
    _event(deadline.case, "deadline_resumed", actor, f"{deadline.label}：届满日调整为{due}")
    append(
        event_type="case.deadline_resumed",
        payload={"rule": deadline.rule, "on": on, "due_on": due},
        actor=actor,
        agency_id=deadline.agency_id,
        case_id=deadline.case_id,
    )
    deadline.refresh_from_db()
    return deadline
