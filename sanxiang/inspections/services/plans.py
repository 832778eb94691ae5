"""Plans: drafting, freezing (the lists' hash into the ledger), drawing, and a second draw."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency, require_role
from sanxiang.directory.models import Agency, AgencyLevel, Officer
from sanxiang.ledger import formats, keys, tree
from sanxiang.ledger import services as ledger
from sanxiang.ledger.models import Checkpoint, Entry
from sanxiang.ledger.queries import first_checkpoint_containing
from sanxiang.lib import draw
from sanxiang.lib.canonical import canonical_json
from sanxiang.lib.errors import DomainError, ValidationFailed

from .. import frozen
from ..models import (
    Assignment,
    Draw,
    DrawStatus,
    Plan,
    PlanStatus,
    RiskGrade,
    Target,
    TeamMix,
)
from .targets import inspection_matters


@dataclass(frozen=True)
class PlanData:
    number: str
    title: str
    year: int
    matter_codes: list[str]
    period_start: date
    period_end: date
    ratio: str | None = None
    count: int | None = None
    team_size: int = 2
    categories: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    key_rules: list[dict[str, Any]] = field(default_factory=list)
    joint_agency_ids: list[int] = field(default_factory=list)
    inspector_ids: list[int] = field(default_factory=list)
    team_mix: str = TeamMix.MIXED


def _ratio(raw: str | None) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip().rstrip("%"))
    except InvalidOperation:
        raise DomainError("draw_ratio_invalid", "抽查比例须为数字。", field="ratio") from None
    if not value.is_finite() or value <= 0 or value > 100:
        raise DomainError(
            "draw_ratio_invalid",
            f"抽查比例须大于 0% 且不超过 100%（现为 {raw}%）。",
            field="ratio",
        )
    if value != value.quantize(Decimal("0.01")):
        raise DomainError("draw_ratio_invalid", "抽查比例最多保留两位小数。", field="ratio")
    return value


def _key_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for rule in rules:
        if rule.get("grade") not in RiskGrade.values:
            raise ValidationFailed("重点检查规则的风险等级无效。", field="key_rules")
        ratio = _ratio(str(rule.get("ratio", "")))
        if ratio is None:
            raise DomainError(
                "draw_ratio_invalid", "重点检查规则须填写抽查比例。", field="key_rules"
            )
        out.append(
            {
                "grade": rule["grade"],
                "ratio": format(ratio.normalize(), "f"),
                "exempt_cap": bool(rule.get("exempt_cap")),
            }
        )
    return out


KEY_BASIS = "国办发〔2015〕58号：对投诉举报多、有严重违法违规记录等情况的，要加大随机抽查力度"


def _key_rules_above(rules: list[dict[str, Any]], ratio: Decimal) -> None:
    """重点 targets are drawn above the plan's ratio (issue 13 item 3): a rule at or below it
    would inspect the riskier grade less often than the rest (100 % cannot be exceeded)."""
    low = [r for r in rules if Decimal(r["ratio"]) <= ratio and Decimal(r["ratio"]) != Decimal(100)]
    if low:
        labels = dict(RiskGrade.choices)
        named = "、".join(f"{labels[r['grade']]}对象 {r['ratio']}%" for r in low)
        base = format(ratio.normalize(), "f")
        raise DomainError(
            "draw_ratio_invalid",
            f"重点检查比例须高于一般抽查比例 {base}%（{named}不高于它；{KEY_BASIS}）。",
            field="key_rules",
        )


def _joint(agency: Agency, ids: list[int]) -> list[Agency]:
    """联合抽查 (issue 13 item 3): other enforcement departments of the lead's own district."""
    joint = list(Agency.objects.filter(pk__in=ids).order_by("pk"))
    if len(joint) != len(set(ids)) or any(
        a.level != AgencyLevel.DEPARTMENT or a.pk == agency.pk for a in joint
    ):
        raise ValidationFailed("联合抽查部门须为本机关以外的执法部门。", field="joint_agencies")
    foreign = [a.name for a in joint if a.parent_id is None or a.parent_id != agency.parent_id]
    if foreign:
        raise ValidationFailed(
            f"{'、'.join(foreign)}不属于本区，只能与同一区（县）人民政府所属的执法部门联合抽查。",
            field="joint_agencies",
        )
    return joint


def _validated(agency: Agency, data: PlanData) -> dict[str, Any]:
    if not data.number.strip() or not data.title.strip():
        raise ValidationFailed("计划编号和名称不能为空。", field="title")
    joint = _joint(agency, data.joint_agency_ids)
    # A joint plan names matters of every participating agency's 随机抽查事项清单.
    matters = {code: m for a in (agency, *joint) for code, m in inspection_matters(a).items()}
    unknown = [c for c in data.matter_codes if c not in matters]
    if not data.matter_codes or unknown:
        raise ValidationFailed(
            "请选择参与抽查机关随机抽查事项清单中的事项"
            + (f"（“{'、'.join(unknown)}”不在清单中）。" if unknown else "。"),
            field="matters",
        )
    if data.team_mix not in TeamMix.values:
        raise ValidationFailed("联合抽查编组方式无效。", field="team_mix")
    if joint and data.team_mix == TeamMix.MIXED and data.team_size < len(joint) + 2:
        raise ValidationFailed(
            f"混合编组每组须有承办部门2名和其他部门各1名，每组至少 {len(joint) + 2} 人。",
            field="team_size",
        )
    ratio = _ratio(data.ratio)
    if (ratio is None) == (data.count is None):
        raise DomainError(
            "draw_ratio_invalid", "请填写抽查比例或抽查数量（二者选一）。", field="ratio"
        )
    if data.count is not None and data.count < 1:
        raise DomainError("draw_ratio_invalid", "抽查数量须为正整数。", field="count")
    key_rules = _key_rules(data.key_rules)
    if ratio is not None:
        _key_rules_above(key_rules, ratio)
    if data.team_size < 2:
        raise ValidationFailed("每个检查对象至少须由两名执法人员检查。", field="team_size")
    if data.period_end < data.period_start:
        raise ValidationFailed("检查结束日期不能早于开始日期。", field="period_end")
    if data.period_start.year != data.year:
        raise ValidationFailed("检查期间须在计划年度内开始。", field="period_start")
    pool = list(Officer.objects.filter(pk__in=data.inspector_ids).select_related("agency"))
    allowed = Agency.subtree_ids({agency.pk, *(a.pk for a in joint)})
    if len(pool) != len(set(data.inspector_ids)) or any(o.agency_id not in allowed for o in pool):
        raise ValidationFailed("指定的执法检查人员须属于参与抽查的部门。", field="inspectors")
    return {
        "fields": {
            "number": data.number.strip(),
            "title": data.title.strip(),
            "year": data.year,
            "ratio": ratio,
            "count": data.count,
            "team_size": data.team_size,
            "period_start": data.period_start,
            "period_end": data.period_end,
            "categories": sorted(set(data.categories)),
            "areas": sorted(set(data.areas)),
            "key_rules": key_rules,
            "team_mix": data.team_mix,
        },
        "matters": [matters[c] for c in data.matter_codes],
        "joint": joint,
        "pool": pool,
    }


@transaction.atomic(durable=True)
def save_plan(
    *, actor: User, data: PlanData, plan_id: int | None = None, is_demo: bool = False
) -> Plan:
    """Draft or revise a plan; a frozen plan cannot change (its hash is in the ledger)."""
    require_role(actor, Role.OFFICER, Role.HEAD)
    agency = home_agency(actor)
    checked = _validated(agency, data)
    if plan_id is None:
        if Plan.objects.filter(agency=agency, number=checked["fields"]["number"]).exists():
            raise DomainError("conflict", "计划编号已被使用。", field="number")
        plan = Plan.objects.create(
            agency=agency, created_by=actor, is_demo=is_demo, **checked["fields"]
        )
    else:
        locked = Plan.objects.select_for_update().filter(pk=plan_id, agency=agency).first()
        if locked is None:
            raise DomainError("not_found", "未找到该抽查计划。")
        plan = locked
        if plan.status != PlanStatus.DRAFT:
            raise DomainError("conflict", "计划已冻结，不能再修改；如需调整请另拟新计划。")
        for name, value in checked["fields"].items():
            setattr(plan, name, value)
        plan.save()
    plan.matters.set(checked["matters"])
    plan.joint_agencies.set(checked["joint"])
    plan.inspector_pool.set(checked["pool"])
    append_payload = {
        **{k: v for k, v in checked["fields"].items()},
        "plan": plan.pk,
        "matters": sorted(m.code for m in checked["matters"]),
        "joint_agencies": [a.name for a in checked["joint"]],
        "inspectors": sorted(o.certificate_no for o in checked["pool"]),
    }
    ledger.append(
        event_type="inspection.plan_saved",
        payload=append_payload,
        actor=actor,
        agency_id=agency.pk,
    )
    return plan


def _overlapping(plan: Plan) -> Any:
    """Other plans of the same year sharing one of the plan's matters: their draws and this
    plan's count against the same yearly cap (``frozen._checked_this_year``)."""
    return (
        Plan.objects.filter(year=plan.year, matters__in=plan.matters.all())
        .exclude(pk=plan.pk)
        .distinct()
        .order_by("pk")
    )


def _plan_for(actor: User, plan_id: int, *, lock: bool = False) -> Plan:
    agency = home_agency(actor)
    rows = Plan.objects.select_for_update() if lock else Plan.objects.all()
    plan = rows.filter(pk=plan_id, agency=agency).first()
    if plan is None:
        raise DomainError("not_found", "未找到该抽查计划，或无权访问。")
    return plan


@transaction.atomic(durable=True)
def freeze_plan(*, actor: User, plan_id: int) -> Draw:
    """Fix the plan and its full candidate lists, ledger their hash: the seed does not exist yet.

    Refused, with nothing frozen, when the lists cannot be drawn for every seed (no eligible
    target, too few inspectors after recusal, an inspector not certified for the period).
    """
    require_role(actor, Role.HEAD)
    plan = _plan_for(actor, plan_id, lock=True)
    if plan.status != PlanStatus.DRAFT:
        raise DomainError("conflict", "计划已冻结。")
    pending = _overlapping(plan).filter(draws__status=DrawStatus.PENDING).first()
    if pending is not None:
        raise DomainError(
            "conflict",
            f"计划 {pending.number} 含相同抽查事项，已冻结但尚未抽取：其抽中的对象要计入"
            "年度一次的限制（同一对象同一事项一年内只查一次），请待其抽取后再冻结本计划。",
        )
    document, targets, officers = frozen.build(plan)
    draw.check(document)  # raises the refusals of docs/draw.md §4.1
    hashes = draw.hashes(document)
    now = timezone.now()
    if (
        Plan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
            status=PlanStatus.FROZEN,
            frozen_input=canonical_json(document),
            input_sha256=hashes["input_sha256"],
            frozen_at=now,
        )
        != 1
    ):
        raise DomainError("conflict", "计划已被他人冻结，请刷新。")
    entry = ledger.append(
        event_type=draw.seed_entry_event(1),
        payload={
            "plan": plan.number,
            "plan_id": plan.pk,
            **hashes,
            "round": 1,
            "targets": len(targets),
            "inspectors": len(officers),
        },
        actor=actor,
        agency_id=plan.agency_id,
    )
    return Draw.objects.create(plan=plan, round=1, seed_entry_id=entry.pk, requested_by=actor)


@transaction.atomic(durable=True)
def request_redraw(*, actor: User, plan_id: int, reason: str) -> Draw:
    """A second (third …) draw of a frozen plan: only with a recorded reason, itself ledgered
    and published; its seed comes from the first checkpoint after this request."""
    require_role(actor, Role.HEAD)
    plan = _plan_for(actor, plan_id, lock=True)
    if not reason.strip():
        raise DomainError(
            "draw_reason_required", "重新抽取须写明理由，理由将与抽取结果一并公开。", field="reason"
        )
    if plan.status != PlanStatus.DRAWN:
        raise DomainError("conflict", "计划尚未完成抽取，不能申请重新抽取。")
    if Draw.objects.filter(plan=plan, status=DrawStatus.PENDING).exists():
        raise DomainError("conflict", "已有一轮抽取在等待检查点。")
    if Assignment.objects.filter(plan=plan, active=True, case__isnull=False).exists():
        raise DomainError("conflict", "已有抽查任务开始检查，不能重新抽取。")
    assert plan.frozen_at is not None  # noqa: S101 - a drawn plan was frozen
    later = (
        _overlapping(plan)
        .filter(draws__status=DrawStatus.DRAWN, draws__drawn_at__gt=plan.frozen_at)
        .first()
    )
    if later is not None:
        raise DomainError(
            "conflict",
            f"本计划冻结后，计划 {later.number} 已就相同抽查事项抽取：冻结名单中的年度抽查记录"
            "已过时，重新抽取可能使同一对象同一事项一年内被检查两次；请另拟新计划。",
        )
    current = Draw.objects.filter(plan=plan).order_by("-round").first()
    round_no = (current.round if current else 0) + 1
    entry = ledger.append(
        event_type=draw.seed_entry_event(round_no),
        payload={
            "plan": plan.number,
            "input_sha256": plan.input_sha256,
            "round": round_no,
            "reason": reason.strip(),
        },
        actor=actor,
        agency_id=plan.agency_id,
    )
    return Draw.objects.create(
        plan=plan,
        round=round_no,
        reason=reason.strip(),
        seed_entry_id=entry.pk,
        requested_by=actor,
    )


def _verified_input(plan: Plan, entry: Entry) -> dict[str, Any]:
    """The stored frozen input, refused if it no longer hashes to what the ledger recorded."""
    recorded = json.loads(entry.payload)
    try:
        document = json.loads(plan.frozen_input)
        hashes = draw.hashes(document)
    except (ValueError, KeyError, TypeError):
        hashes = {}
        document = {}
    if hashes.get("input_sha256") != recorded.get("input_sha256") or (
        plan.input_sha256 != recorded.get("input_sha256")
    ):
        raise DomainError(
            "draw_input_changed",
            "冻结后的计划或名录与账本记录的摘要不符（冻结后被改动），拒绝抽取。",
        )
    return dict(document)


def certificate_of(draw_row: Draw, document: dict[str, Any], entry: Entry, cp: Checkpoint) -> dict:
    assert entry.seq is not None  # noqa: S101 - first_checkpoint_containing integrated it
    hashes = draw.hashes(document)
    seed = draw.seed_from(input_sha256=hashes["input_sha256"], checkpoint_root=cp.root_hash)
    return {
        "format": draw.CERTIFICATE_FORMAT,
        "algorithm": draw.ALGORITHM_OF[document["format"]],
        "plan_id": document["plan"]["id"],
        "round": draw_row.round,
        "reason": draw_row.reason,
        "input": document,
        **hashes,
        "seed_source": {
            "entry": formats.entry_record(entry),
            "proof": [p.hex() for p in tree.inclusion_proof(entry.seq, cp.tree_size)],
            "checkpoint": formats.checkpoint_record(cp),
            "public_key": keys.public_key_info(),
        },
        "seed": seed.hex(),
        "result": draw.draw(document, seed),
    }


def perform_draw(*, draw_id: int, actor: User | None = None, sign: bool = False) -> Draw:
    """Draw a pending round once its seed checkpoint exists (``sign``: sign one now if not).

    Runs from the task worker (``tasks.draw_pending``) or the plan page; reading the checkpoint
    and computing happen before the short transaction that stores the result.
    """
    if actor is not None:  # the task worker draws as the system
        require_role(actor, Role.HEAD)
    pending = Draw.objects.select_related("plan").filter(pk=draw_id).first()
    if pending is None or (actor is not None and pending.plan.agency_id != home_agency(actor).pk):
        raise DomainError("not_found", "未找到该轮抽取。")
    if pending.status != DrawStatus.PENDING:
        raise DomainError("conflict", "该轮已抽取。")
    entry = Entry.objects.get(pk=pending.seed_entry_id)
    cp = first_checkpoint_containing(entry)
    if cp is None and sign:
        ledger.make_checkpoint()
        cp = first_checkpoint_containing(entry)
    if cp is None:
        raise DomainError(
            "draw_seed_pending",
            "冻结记录尚未纳入签名检查点，随机种子尚不存在；请待下一个检查点（约10分钟）后抽取。",
        )
    entry.refresh_from_db()
    document = _verified_input(pending.plan, entry)
    certificate = certificate_of(pending, document, entry, cp)
    return _store(pending, certificate, cp, actor)


@transaction.atomic(durable=True)
def _store(pending: Draw, certificate: dict[str, Any], cp: Checkpoint, actor: User | None) -> Draw:
    text = json.dumps(certificate, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()
    now = timezone.now()
    updated = Draw.objects.filter(pk=pending.pk, status=DrawStatus.PENDING).update(
        status=DrawStatus.DRAWN,
        checkpoint_id=cp.pk,
        seed=certificate["seed"],
        certificate=text,
        certificate_sha256=digest,
        drawn_at=now,
    )
    if updated != 1:
        raise DomainError("conflict", "该轮已被抽取。")
    plan = pending.plan
    earlier = Draw.objects.filter(plan=plan, status=DrawStatus.DRAWN).exclude(pk=pending.pk)
    Assignment.objects.filter(draw__in=earlier).update(active=False)
    earlier.update(status=DrawStatus.SUPERSEDED)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAWN)
    # Drawn ids map back to the rows of the agency that held them at the freeze (a target
    # deactivated since included); a /1 input names no agency: the lead's rows.
    holder = {t["id"]: t.get("agency", plan.agency.name) for t in certificate["input"]["targets"]}
    agencies = frozen.plan_agencies(plan)
    targets = {
        (t.agency.name, t.draw_id): t
        for t in Target.objects.filter(agency__in=agencies).select_related("agency")
    }
    codes = {c for s in certificate["result"]["selected"] for c in s["team"]}
    officers = {o.certificate_no: o for o in Officer.objects.filter(certificate_no__in=codes)}
    for position, pick in enumerate(certificate["result"]["selected"], start=1):
        assignment = Assignment.objects.create(
            draw=pending,
            plan=plan,
            target=targets[(holder[pick["target"]], pick["target"])],
            position=position,
            stratum=pick["stratum"],
            team_order=pick["team"],
        )
        assignment.team.set([officers[c] for c in pick["team"]])
    ledger.append(
        event_type="inspection.drawn",
        payload={
            "plan": plan.number,
            "plan_id": plan.pk,
            "draw": pending.pk,
            "round": pending.round,
            "checkpoint_tree_size": cp.tree_size,
            "checkpoint_root": cp.root_hash,
            "seed": certificate["seed"],
            "certificate_sha256": digest,
            "result_sha256": hashlib.sha256(
                canonical_json(certificate["result"]).encode()
            ).hexdigest(),
            "selected": len(certificate["result"]["selected"]),
        },
        actor=actor,
        agency_id=plan.agency_id,
    )
    pending.refresh_from_db()
    return pending


def draw_ready() -> list[int]:
    """Pending rounds whose seed checkpoint exists (the task worker draws them)."""
    ready = []
    for pending in Draw.objects.filter(status=DrawStatus.PENDING):
        entry = Entry.objects.filter(pk=pending.seed_entry_id).first()
        if (
            entry is not None
            and entry.seq is not None
            and Checkpoint.objects.filter(tree_size__gt=entry.seq).exists()
        ):
            ready.append(pending.pk)
    return ready
