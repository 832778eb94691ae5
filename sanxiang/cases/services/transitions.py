"""Transitions: the one guarded way a case moves from stage to stage."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.db import transaction

from sanxiang.accounts.models import User
from sanxiang.ledger.models import Entry
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures import engine
from sanxiang.procedures.definitions import Definition, StageRole

from .. import deadlines as clocks
from .. import snapshots
from ..models import Case, DecisionDraft
from ..queries import benchmark_on, get_case_for
from .closing import settle_request
from .common import local_today, may_take
from .drafts import check_summary_limit


def allowed_message(definition: Definition, stage: str) -> str:
    nexts = definition.next_steps(stage)
    if not nexts:
        return f"案件已处于“{definition.label_of(stage)}”，没有后续步骤。"
    names = "、".join(f"{s.label}（{definition.label_of(s.target)}）" for s in nexts)
    return f"当前阶段“{definition.label_of(stage)}”之后只能：{names}。"


def _step_label(case: Case, definition: Definition, source: str, target: str) -> str:
    """Where two steps join the stages (审查 → 结案: 移送 or 不予处罚), the one taken: the first
    whose required documents the ledger shows issued (the documents guard checked them)."""
    steps = definition.steps_between(source, target)
    if len(steps) < 2:
        return ""
    kinds = {
        json.loads(raw).get("kind")
        for raw in Entry.objects.filter(case_id=case.pk, event_type="document.issued").values_list(
            "payload", flat=True
        )
    }
    for step in steps:
        if step.requires and all(kinds & set(need.kinds) for need in step.requires):
            return step.label
    return steps[0].label


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
    day = on or local_today()
    changes: dict[str, Any] = {"stage": target}
    decides = definition.has_role(target, StageRole.DECISION)
    if decides:
        changes["decided_snapshot"] = _check_decision(case, day)
        changes["decided_on"] = day
    if definition.is_closed(target):
        if day < case.opened_on:
            raise ValidationFailed("结案日期不能早于立案日期。", field="on")
        changes["closed_on"] = day
    engine.run_guards(
        engine.GuardContext(
            case=case, definition=definition, source=source, target=target, actor=actor, on=day
        )
    )
    # The guarded update: of two simultaneous submissions exactly one finds the old stage.
    if Case.objects.filter(pk=case.pk, stage=source).update(**changes) != 1:
        raise DomainError("conflict", "案件已被他人处理，请刷新后再操作。")
    for name, value in changes.items():
        setattr(case, name, value)
    # The clocks started and stopped go into the entry: they can be rebuilt from the ledger.
    started_stopped = clocks.stage_entered(case, definition, target, day)
    closes = definition.has_role(target, StageRole.CLOSING)
    settled = settle_request(case=case, actor=actor, closes=closes)
    append(
        event_type="case.transition",
        payload={
            "number": case.number,
            "source": source,
            "target": target,
            "on": day,
            "note": note,
            "clocks": started_stopped,
            **({"step": label} if (label := _step_label(case, definition, source, target)) else {}),
            **({"snapshot": changes["decided_snapshot"]} if decides else {}),
            **({"closing_request": settled} if settled is not None else {}),
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    engine.run_after_transition(
        engine.GuardContext(
            case=case, definition=definition, source=source, target=target, actor=actor, on=day
        )
    )
    return case


def _check_decision(case: Case, day: date) -> str:
    """Refuse a decision that cannot be made on ``day``; return the snapshot it is made on."""
    if day < case.opened_on:
        raise ValidationFailed("决定日期不能早于立案日期。", field="on")
    if day > local_today():
        raise ValidationFailed("决定日期不能晚于今天。", field="on")
    draft = DecisionDraft.objects.filter(case=case).first()
    if draft is None:
        raise ValidationFailed("请先保存决定草稿，再作出决定。", field="draft")
    if case.definition.on_the_spot:
        check_summary_limit(case, draft.kind, draft.fine_amount)
    _check_band(case, draft, day)
    # The decision is made on the saved snapshot, and only if nothing changed since it was
    # saved (a party edited afterwards would otherwise be decided unseen).
    snapshot = snapshots.find(draft.fingerprint)
    if snapshot is None or snapshots.current_hash(draft) != snapshot.hash:
        raise ValidationFailed(
            "决定草稿、当事人或许可证件等信息在保存草稿后有变化，请重新保存决定草稿（如属重大执法决定，"
            "须重新提交法制审核）。",
            field="draft",
        )
    return snapshot.hash


def _check_band(case: Case, draft: DecisionDraft, day: date) -> None:
    """The 裁量基准 band the draft was checked against must be the one in force on the
    decision's day (a line changed in between, dated on or before it, asks for the draft to be
    saved again: a fine inside the old band may lie outside the new one)."""
    if not draft.circumstance:
        return
    line = benchmark_on(case.matter_id, draft.circumstance, day)
    band = (line.fine_min, line.fine_max) if line is not None else (None, None)
    if band != (draft.benchmark_min, draft.benchmark_max):
        now = f"{band[0]:,.2f}—{band[1]:,.2f}元" if line is not None else "无"
        then = (
            f"{draft.benchmark_min:,.2f}—{draft.benchmark_max:,.2f}元"
            if draft.benchmark_min is not None and draft.benchmark_max is not None
            else "无"
        )
        raise DomainError(
            "benchmark_changed",
            f"决定日期{day:%Y年%m月%d日}适用的裁量基准（{now}）与保存草稿时核对的（{then}）"
            "不同，请重新保存决定草稿。",
        )
