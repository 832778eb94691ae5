"""The law's order before a penalty decision (issue 10, item 6), read from the ledger.

行政处罚法 第44条 (the party is told), 第45条 and 第62条 (no decision before the party was heard),
第63-64条 (a hearing asked for within 5 days of the 告知): the definition's ``WaitRule``s name the
periods, this module tells their state and refuses a decision while one still runs
(``period_running``). Each period starts on the day the case last entered its 告知 stage (the
``on`` of that ``case.transition`` entry), is counted with ``lib.workdays`` (第85条), and ends
early when the party's 陈述申辩 or written waiver is recorded (``record_defence``, a
``case.defence_recorded`` entry) or the case went through the hearing. Nothing is stored beside
the ledger, so the periods on the case page are what the guard decides on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from sanxiang.ledger import registry
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.lib.workdays import CalendarGap, add_working_days, is_working_day
from sanxiang.procedures.definitions import Definition, StageRole, WaitRule
from sanxiang.procedures.engine import GuardContext

from .models import Case, DecisionDraft, DecisionKind, PartyKind, threshold_class

# What the party (or the agency on its behalf) can put on record after the 告知.
ANSWERS = {
    "statement": "当事人已陈述、申辩（已听取并记录）",
    "waiver": "当事人书面放弃陈述、申辩",
    "hearing_waiver": "当事人书面放弃听证",
}
# What the party puts on record itself, through its link (the applicant app registers its
# ledger event types here: cases imports no app above it). ``statement`` answers the 陈述申辩
# period like one recorded by staff; ``hearing_request`` holds the decision until the case has
# been through its hearing (行政处罚法 第63条、第64条).
PARTY_ANSWERS = {
    "statement": "当事人已在线提交陈述、申辩意见",
    "hearing_request": "当事人已在线要求听证",
}
_party_events: dict[str, str] = {}


def register_party_answer(event_type: str, kind: str) -> None:
    """Let the ledger entries of ``event_type`` count as the party's ``kind`` answer."""
    if kind not in PARTY_ANSWERS:
        raise ValueError(kind)
    _party_events[event_type] = kind


# 行政处罚法 第63条: 较大数额 is set by the province or the State Council department (verify
# the local figure); these defaults follow DOMAIN.md's review-catalogue example. An agency sets
# its own through ``settings.SANXIANG_HEARING_THRESHOLDS``.
DEFAULT_HEARING_THRESHOLDS = {
    "fine_natural": Decimal("10000"),
    "fine_organisation": Decimal("100000"),
    "confiscation": Decimal("100000"),
}
# 第63条第（二）至（四）项 (降低资质等级、吊销许可证件; 责令停产停业): always in scope.
HEARING_KINDS = {
    DecisionKind.SUSPENSION,
    DecisionKind.LICENCE_REVOCATION,
    DecisionKind.QUALIFICATION_LOWERING,
}


@dataclass(frozen=True)
class Period:
    rule: WaitRule
    starts_on: date
    ends_on: date  # the last day of the period; the decision may be made the day after
    answered: str  # why it no longer holds the decision back ("" while it does)

    @property
    def label(self) -> str:
        return self.rule.label

    @property
    def basis(self) -> str:
        return self.rule.basis

    def holds_back(self, day: date) -> bool:
        return not self.answered and day <= self.ends_on

    def level(self, day: date) -> str:
        """ "yellow" while the period runs (the decision must wait), "" once it no longer holds."""
        return "yellow" if self.holds_back(day) else ""


def thresholds() -> dict[str, Decimal]:
    configured = getattr(settings, "SANXIANG_HEARING_THRESHOLDS", {}) or {}
    return {k: Decimal(str(configured.get(k, v))) for k, v in DEFAULT_HEARING_THRESHOLDS.items()}


def in_hearing_scope(case: Case) -> bool:
    """Whether the intended decision is one a party may ask a hearing for (第63条)."""
    draft = DecisionDraft.objects.filter(case=case).first()
    if draft is None:
        return False
    if draft.kind in HEARING_KINDS:
        return True
    limits = thresholds()
    kinds = {threshold_class(k) for k in case.parties.values_list("kind", flat=True)}
    if draft.fine_amount is not None:
        natural = PartyKind.NATURAL in kinds and draft.fine_amount >= limits["fine_natural"]
        org = PartyKind.ORGANISATION in kinds and draft.fine_amount >= limits["fine_organisation"]
        if natural or org:
            return True
    value = draft.confiscation_value
    return value is not None and value >= limits["confiscation"]


def _end(start: date, days: int, unit: str) -> date:
    try:
        if unit == "working":
            return add_working_days(start, days)
        end = date.fromordinal(start.toordinal() + days)
        # A calendar period whose last day is a holiday ends on the next working day.
        while not is_working_day(end):
            end = date.fromordinal(end.toordinal() + 1)
        return end
    except CalendarGap as error:
        raise DomainError("calendar_gap", str(error)) from None


def _entries(case: Case) -> list[tuple[int, str, dict[str, Any]]]:
    """The case's transitions and answers in order; a party's own answer (``_party_events``)
    reads as a ``case.defence_recorded`` of its kind, dated by its ``on`` or its entry."""
    codes = registry.codes_of("case.transition", "case.defence_recorded", *_party_events)
    rows = Entry.objects.filter(case_id=case.pk, event_type__in=codes).order_by("id")
    out = []
    for pk, raw_code, raw, created in rows.values_list("id", "event_type", "payload", "created_at"):
        code, payload = _current(raw_code), json.loads(raw)
        if code in _party_events:
            day = payload.get("on") or timezone.localdate(created).isoformat()
            payload = {"kind": _party_events[code], "on": day, "party": True}
            code = "case.defence_recorded"
        out.append((pk, code, payload))
    return out


def _current(code: str) -> str:
    event_type = registry.lookup(code)
    return event_type.code if event_type else code


def notice_day(case: Case, definition: Definition) -> date | None:
    """The day the case last entered its 告知 stage (None: never)."""
    notice = definition.codes_with_role(StageRole.NOTICE)
    found = None
    for _, code, payload in _entries(case):
        if code == "case.transition" and payload.get("target") in notice:
            found = date.fromisoformat(str(payload["on"]))
    return found


def stage_entered_on(case: Case, codes: frozenset[str]) -> date | None:
    """The day the case last entered one of the stages ``codes`` (None: never)."""
    found = None
    for _, code, payload in _entries(case):
        if code == "case.transition" and payload.get("target") in codes:
            found = date.fromisoformat(str(payload["on"]))
    return found


def periods(case: Case, *, scope: bool | None = None) -> list[Period]:
    """The waiting periods of the case's procedure since its last 告知 (one ledger query)."""
    definition = case.definition
    if not definition.waits:
        return []
    entries = _entries(case)
    out = []
    for rule in definition.waits:
        if rule.hearing_scope and not (in_hearing_scope(case) if scope is None else scope):
            continue
        after = definition.codes_with_role(rule.after)
        ended = definition.codes_with_role(*rule.ended_by)
        start: date | None = None
        answered = ""
        for _, code, payload in entries:
            if code == "case.transition" and payload.get("target") in after:
                start, answered = date.fromisoformat(str(payload["on"])), ""
            elif start is None:
                continue
            elif code == "case.transition" and payload.get("target") in ended:
                answered = f"已进入{definition.label_of(str(payload['target']))}程序"
            elif code == "case.defence_recorded" and payload.get("kind") in rule.answered_by:
                said = PARTY_ANSWERS if payload.get("party") else ANSWERS
                answered = f"{said.get(str(payload['kind']), '')}（{payload.get('on', '')}）"
        if start is not None:
            out.append(Period(rule, start, _end(start, rule.days, rule.unit), answered))
    return out


def hearing_requested(case: Case) -> str:
    """The day (ISO) the party asked for a hearing since the last 告知 and the case has not
    been through its hearing stage since, or "" (行政处罚法 第63条: the agency shall hold one)."""
    definition = case.definition
    notice = definition.codes_with_role(StageRole.NOTICE)
    heard = definition.codes_with_role(StageRole.HEARING)
    asked = ""
    for _, code, payload in _entries(case):
        target = payload.get("target") if code == "case.transition" else None
        if target in notice or target in heard:
            asked = ""
        elif code == "case.defence_recorded" and payload.get("kind") == "hearing_request":
            asked = str(payload.get("on", ""))
    return asked


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def decision_order(context: GuardContext) -> None:
    """The guard: refuse entering the decision stage while a waiting period holds it back."""
    definition = context.definition
    befores = {w.before for w in definition.waits}
    if not befores or not context.enters(*befores):
        return
    case = context.case
    day = context.on or timezone.localdate()
    if notice_day(case, definition) is None:
        raise DomainError(
            "period_running",
            "本案尚未告知当事人拟作出的行政处罚内容及事实、理由、依据和权利，"
            "不得作出行政处罚决定（行政处罚法 第44条、第62条）。",
        )
    asked = hearing_requested(case)
    if asked and not context.leaves(StageRole.HEARING):
        raise DomainError(
            "hearing_requested",
            f"当事人已于{_cn(date.fromisoformat(asked))}要求听证，应当组织听证后再作出决定"
            "（行政处罚法 第63条、第64条；听证通知应在听证七日前送达）。",
        )
    for period in periods(case):
        if period.rule.before in befores and period.holds_back(day):
            raise DomainError(
                "period_running",
                f"{period.label}尚未届满（自{_cn(period.starts_on)}告知起"
                f"{period.rule.days}{period.rule.unit_label}，至{_cn(period.ends_on)}止），"
                f"且没有“{'”或“'.join(ANSWERS[k] for k in period.rule.answered_by)}”的记录，"
                f"不得作出决定（{period.basis}）。",
            )
