"""A case's history, read from the ledger: the ledger entry *is* the case event (issue 9).

There is no second, mutable timeline beside the ledger. The timeline people see, whether a case
ever entered a stage (``had_stage``: was a hearing held, hence is the decision major, hence is a
legal review required) and the 年报's counts all read the case's entries (index
``ledger_entry_case_idx``), which the append-only triggers keep from being changed or deleted.

An entry appears on the timeline when its type is declared with ``timeline=True`` in the
registry, titled with its Chinese label: review, record, document and publication steps show
up without their apps writing any timeline code. Only the case's own types get a richer title
(stage names from the procedure definition); no code, stage code or payload key is shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.ledger import registry
from sanxiang.ledger.models import Entry
from sanxiang.procedures.definitions import DEFINITIONS, Definition, StageRole

from .models import Case
from .order import ANSWERS

# What moves a case into a stage: 立案 into the first one, a transition into its target.
STAGE_TYPES = ("case.opened", "case.transition")


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # the event type's current code (for templates' and tests' logic, not shown)
    title: str  # Chinese, shown
    actor: User | None
    note: str
    seq: int | None  # the entry's position in the log (None until the integrator numbers it)


def _initial_stage(payload: dict[str, Any], definition: Definition | None) -> str:
    # Entries written before the payload named the stage: the procedure's first stage.
    stage = payload.get("stage")
    if isinstance(stage, str) and stage:
        return stage
    return definition.initial.code if definition else ""


@dataclass(frozen=True)
class Entered:
    """The case entered ``stage`` at ``at`` (the entry's time), dated ``on`` (the step's day;
    None for the first stage, which no step leads into)."""

    stage: str
    on: date | None
    at: datetime


def stages_entered_at(case: Case) -> list[Entered]:
    """The stages the case entered with when, in the order the ledger recorded them."""
    definition = DEFINITIONS.get(case.procedure)
    rows = (
        Entry.objects.filter(case_id=case.pk, event_type__in=registry.codes_of(*STAGE_TYPES))
        .order_by("id")
        .values_list("event_type", "payload", "created_at")
    )
    stages = []
    for code, raw, at in rows:
        payload = json.loads(raw)
        if _current(code) == "case.opened":
            stages.append(Entered(_initial_stage(payload, definition), None, at))
        else:
            on = payload.get("on")
            day = date.fromisoformat(on) if isinstance(on, str) and on else None
            stages.append(Entered(str(payload.get("target", "")), day, at))
    return stages


def stages_entered(case: Case) -> list[str]:
    """The stages the case entered, in the order the ledger recorded them (repeats kept)."""
    return [entered.stage for entered in stages_entered_at(case)]


def had_stage(case: Case, code: str) -> bool:
    """Whether the ledger records the case entering stage ``code`` (e.g. a hearing held)."""
    return code in stages_entered(case)


def had_role(case: Case, *roles: StageRole) -> bool:
    """Whether the ledger records the case entering a stage that plays one of ``roles``."""
    definition = DEFINITIONS.get(case.procedure)
    if definition is None:
        return False
    codes = definition.codes_with_role(*roles)
    return any(code in codes for code in stages_entered(case))


def cases_that_entered(case_ids: QuerySet[Case] | Iterable[int], role: StageRole) -> set[int]:
    """Of ``case_ids``, those whose ledger records a transition into a stage playing ``role``
    (set-based; the stage codes that play it in any procedure)."""
    ids: Any = case_ids.values("pk") if isinstance(case_ids, QuerySet) else list(case_ids)
    codes = sorted({c for d in DEFINITIONS.values() for c in d.codes_with_role(role)})
    if not codes:
        return set()
    # Canonical JSON (lib.canonical) has no spaces, so the key and value sit side by side; the
    # payload is then parsed to be exact (a note quoting the text is escaped and does not match).
    needles = Q()
    for code in codes:
        needles |= Q(payload__contains=f'"target":{json.dumps(code, ensure_ascii=False)}')
    rows = Entry.objects.filter(
        needles,
        case_id__in=ids,
        event_type__in=registry.codes_of("case.transition"),
    ).values_list("case_id", "payload")
    return {pk for pk, raw in rows if pk is not None and json.loads(raw).get("target") in codes}


def _current(code: str) -> str:
    event_type = registry.lookup(code)
    return event_type.code if event_type else code


# --- the timeline ---------------------------------------------------------------------------

Describe = Callable[[dict[str, Any], Definition | None, datetime], tuple[str, str]]


def _stage_label(definition: Definition | None, code: str) -> str:
    if definition is not None and definition.has_stage(code):
        return definition.label_of(code)
    return "（已停用的阶段）"


def _opened(
    payload: dict[str, Any], definition: Definition | None, at: datetime
) -> tuple[str, str]:
    stage = _stage_label(definition, _initial_stage(payload, definition))
    return f"登记立案，进入“{stage}”", ""


def _transition(
    payload: dict[str, Any], definition: Definition | None, at: datetime
) -> tuple[str, str]:
    source, target = str(payload.get("source", "")), str(payload.get("target", ""))
    step = definition.step(source, target) if definition else None
    arrow = f"{_stage_label(definition, source)} → {_stage_label(definition, target)}"
    # Two steps may join the stages (审查 → 结案: 移送 or 不予处罚): the entry names the one taken.
    label = str(payload.get("step") or (step.label if step else ""))
    title = f"{label}：{arrow}" if label else arrow
    note = str(payload.get("note", ""))
    # A step recorded after the fact keeps its legal date visible.
    day = payload.get("on")
    if day and day != timezone.localdate(at).isoformat():
        note = f"办理日期：{day}。{note}".rstrip("。")
    return title, note


def _rule_label(definition: Definition | None, code: Any) -> str:
    try:
        return definition.rule(str(code)).label if definition else "办案时限"
    except KeyError:
        return "办案时限"


def _paused(
    payload: dict[str, Any], definition: Definition | None, at: datetime
) -> tuple[str, str]:
    label = _rule_label(definition, payload.get("rule"))
    return "时限暂停", f"{label}：{payload.get('reason', '')}"


def _resumed(
    payload: dict[str, Any], definition: Definition | None, at: datetime
) -> tuple[str, str]:
    label = _rule_label(definition, payload.get("rule"))
    return "时限恢复", f"{label}：届满日调整为{payload.get('due_on', '')}"


def _officer(payload: dict[str, Any]) -> str:
    # Entries before the payload carried the name show the certificate number (执法证号).
    return str(payload.get("officer_name") or payload.get("officer", ""))


def _draft(payload: dict[str, Any], definition: Definition | None, at: datetime) -> tuple[str, str]:
    return "保存决定草稿", f"第{payload.get('revision', '')}稿"


def _recusal_requested(
    payload: dict[str, Any], definition: Definition | None, at: datetime
) -> tuple[str, str]:
    return "回避申请", f"{_officer(payload)}：{payload.get('reason', '')}".strip("：")


def _recusal_decided(
    payload: dict[str, Any], definition: Definition | None, at: datetime
) -> tuple[str, str]:
    outcome = "决定回避" if payload.get("granted") else "不予回避"
    who = _officer(payload)
    return "回避决定", f"{who}：{outcome}。{payload.get('note', '')}" if who else outcome


def _member_added(
    payload: dict[str, Any], definition: Definition | None, at: datetime
) -> tuple[str, str]:
    return "增加办案人员", _officer(payload)


def _defence(
    payload: dict[str, Any], definition: Definition | None, at: datetime
) -> tuple[str, str]:
    title = ANSWERS.get(str(payload.get("kind", "")), "陈述申辩、听证权利")
    day = payload.get("on")
    note = str(payload.get("note", ""))
    return title, f"{day}。{note}".rstrip("。") if day else note


def _party(payload: dict[str, Any], definition: Definition | None, at: datetime) -> tuple[str, str]:
    state = payload.get("state") or {}
    name = str(state.get("name", ""))
    changed = "、".join(sorted(payload.get("changes") or {}))
    reason = str(payload.get("reason", ""))
    note = "；".join(v for v in (name, f"更正：{changed}" if changed else "", reason) if v)
    return "", note


def _agent(payload: dict[str, Any], definition: Definition | None, at: datetime) -> tuple[str, str]:
    reason = str(payload.get("reason", ""))
    return "", "；".join(v for v in (str(payload.get("name", "")), reason) if v)


def _witness(
    payload: dict[str, Any], definition: Definition | None, at: datetime
) -> tuple[str, str]:
    return "", str(payload.get("name", ""))


_DESCRIBE: dict[str, Describe] = {
    "case.opened": _opened,
    "case.transition": _transition,
    "case.draft_saved": _draft,
    "case.deadline_paused": _paused,
    "case.deadline_resumed": _resumed,
    "case.recusal_requested": _recusal_requested,
    "case.recusal_decided": _recusal_decided,
    "case.member_added": _member_added,
    "case.defence_recorded": _defence,
    # Parties, agents, witnesses: the person's name (never the ID number) and the reason.
    "case.party_added": _party,
    "case.party_changed": _party,
    "case.party_corrected": _party,
    "case.party_removed": _party,
    "case.agent_appointed": _agent,
    "case.agent_withdrawn": _agent,
    "case.witness_added": _witness,
}


def _generic(code: str, payload: dict[str, Any]) -> tuple[str, str]:
    """Another app's step: its registered label, and the free-text note its actor wrote."""
    note = payload.get("note")
    return registry.label_of(code), note if isinstance(note, str) else ""


def timeline(case: Case) -> list[TimelineItem]:
    """The case's entries of every type shown on the timeline, oldest first, titled for people.

    Two queries whatever the length: the entries, then their actors.
    """
    definition = DEFINITIONS.get(case.procedure)
    rows = list(
        Entry.objects.filter(case_id=case.pk, event_type__in=registry.codes_with(timeline=True))
        .order_by("created_at", "id")
        .values_list("created_at", "event_type", "actor_id", "payload", "seq")
    )
    actors = User.objects.in_bulk({actor for _, _, actor, _, _ in rows if actor is not None})
    items = []
    for at, stored, actor_id, raw, seq in rows:
        code = _current(stored)
        payload = json.loads(raw)
        describe = _DESCRIBE.get(code)
        title, note = describe(payload, definition, at) if describe else _generic(code, payload)
        title = title or registry.label_of(code)
        actor = actors.get(actor_id) if actor_id is not None else None
        items.append(TimelineItem(at, code, title, actor, note, seq))
    return items
