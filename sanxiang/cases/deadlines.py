"""Deadline arithmetic run inside a caller's transaction (no decorator here; see services)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db.models import Q
from django.urls import reverse

from sanxiang.catalog.calendar import Moved, touches
from sanxiang.lib.errors import DomainError
from sanxiang.lib.workdays import CalendarGap, add_working_days, is_working_day
from sanxiang.procedures.definitions import DeadlineRule, Definition, get_definition

from .models import Case, Deadline, DeadlineSetting, DeadlineStatus, DecisionDraft

# DOMAIN.md: yellow when a deadline is near — 3 working days unless the agency sets another figure.
DEFAULT_WARN_DAYS = 3


class Effective(NamedTuple):
    days: int
    unit: str
    warn_days: int


def calendar_gap(error: CalendarGap) -> DomainError:
    return DomainError("calendar_gap", str(error))


def effective(case: Case, rule: DeadlineRule) -> Effective:
    return figure(case.agency_id, case.matter_id, case.procedure, rule)


def figure(agency_id: int, matter_id: int, procedure: str, rule: DeadlineRule) -> Effective:
    """The agency's figure for the matter, else for every matter, else the definition's."""
    settings = {
        s.matter_id: s
        for s in DeadlineSetting.objects.filter(
            Q(matter_id=matter_id) | Q(matter__isnull=True),
            agency_id=agency_id,
            procedure=procedure,
            rule=rule.code,
        )
    }
    chosen = settings.get(matter_id) or settings.get(None)
    if chosen is None:
        return Effective(rule.days, rule.unit, DEFAULT_WARN_DAYS)
    return Effective(chosen.days, chosen.unit, chosen.warn_days)


def figures(agency_id: int, matter_id: int, definition: Definition) -> dict[str, tuple[int, str]]:
    """Every rule's effective days and unit (for the published flowchart of a matter)."""
    found = {}
    for rule in definition.deadlines:
        f = figure(agency_id, matter_id, definition.code, rule)
        found[rule.code] = (f.days, f.unit)
    return found


def due_date(starts_on: date, days: int, unit: str, *, rolls: bool = False) -> date:
    """Calendar days: start + n (行政处罚法 第85条: the start day is not counted), moved to the
    next working day with ``rolls`` when it falls on a holiday. Working days through the
    official calendar; a year it does not know is an error the user sees."""
    if unit == "calendar":
        due = starts_on + timedelta(days=days)
        try:
            while rolls and not is_working_day(due):
                due += timedelta(days=1)
        except CalendarGap as error:
            raise calendar_gap(error) from None
        return due
    try:
        return add_working_days(starts_on, days)
    except CalendarGap as error:
        raise calendar_gap(error) from None


def stop_clocks(case: Case, rules: Iterable[str], on: date) -> list[dict[str, Any]]:
    """Stop the case's running or paused clocks of ``rules`` on ``on``; return them as the
    ledger entry that stops them carries them (``clocks.replay``)."""
    live = Deadline.objects.filter(
        case=case, rule__in=list(rules), status__in=[DeadlineStatus.RUNNING, DeadlineStatus.PAUSED]
    )
    stopped = [{"rule": rule, "on": on} for rule in live.values_list("rule", flat=True)]
    if stopped:
        live.update(status=DeadlineStatus.MET, stopped_on=on)
    return stopped


def warn_date(due_on: date, warn_days: int) -> date:
    """The day from which the deadline shows yellow: ``warn_days`` working days before it ends."""
    day, counted = due_on, 0
    try:
        while counted < warn_days:
            day -= timedelta(days=1)
            if is_working_day(day):
                counted += 1
    except CalendarGap:
        # Counting back into an unknown year: fall back to calendar days for the warning only.
        return due_on - timedelta(days=warn_days)
    return day


def stage_entered(case: Case, definition: Definition, target: str, on: date) -> dict[str, Any]:
    """Stop the clocks ``target`` ends and start those it begins; return what changed.

    The returned mapping goes into the payload of the ledger entry that moved the case, so the
    clocks can be rebuilt from the ledger alone (``reconcile.py`` compares them with the table).
    """
    stopping = [r.code for r in definition.deadlines if target in r.stops_at_stages]
    stopped = stop_clocks(case, stopping, on) if stopping else []
    started: list[dict[str, Any]] = []
    for rule in definition.deadlines:
        if rule.starts_at_stage != target or rule.starts_with_document:
            continue
        if Deadline.objects.filter(case=case, rule=rule.code).exists():
            continue  # a stage entered again does not restart its clock
        if rule.only_for_kinds and not _draft_of_kinds(case, rule.only_for_kinds):
            continue
        started.append(_start(case, rule, on))
    # 行政强制法 第53-54条: the court window and the 催告 period (cases/execution_clocks.py).
    from .execution_clocks import on_stage_entered

    court = on_stage_entered(case, definition, target, on)
    started += court["started"]
    stopped += court["stopped"]
    return {"started": started, "stopped": sorted(stopped, key=lambda s: str(s["rule"]))}


def document_issued(case: Case, definition: Definition, kind: str, on: date) -> dict[str, Any]:
    """Start the clocks a document of ``kind`` begins and stop those it ends (the 七日 of
    行政处罚法 第56条 from the 先行登记保存证据通知书); return what changed, like
    ``stage_entered``."""
    stopping = [r.code for r in definition.deadlines if kind in r.stops_with_documents]
    stopped = stop_clocks(case, stopping, on) if stopping else []
    started: list[dict[str, Any]] = []
    for rule in definition.deadlines:
        if rule.starts_with_document != kind:
            continue
        if Deadline.objects.filter(case=case, rule=rule.code).exists():
            continue  # one clock per case and rule (deadline_rule_once_per_case)
        started.append(_start(case, rule, on))
    return {"started": started, "stopped": sorted(stopped, key=lambda s: str(s["rule"]))}


def _start(case: Case, rule: DeadlineRule, on: date) -> dict[str, Any]:
    """Create the clock of ``rule`` started on ``on``; return it as the ledger entry says it."""
    figure = effective(case, rule)
    due = due_date(on, figure.days, figure.unit, rolls=rule.rolls_to_working_day)
    warn = warn_date(due, figure.warn_days)
    Deadline.objects.create(
        case=case,
        agency_id=case.agency_id,
        rule=rule.code,
        label=rule.label,
        basis=rule.basis[:200],
        days=figure.days,
        unit=figure.unit,
        starts_on=on,
        due_on=due,
        warn_on=warn,
    )
    return {
        "rule": rule.code,
        "starts_on": on,
        "days": figure.days,
        "unit": figure.unit,
        "due_on": due,
        "warn_on": warn,
    }


def extend_clock(case: Case, clock: Deadline, days: int) -> dict[str, Any]:
    """Move ``clock``'s last day ``days`` further in its own unit (行政许可法 第42条: working
    days from the twentieth; 行政强制法 第25条: calendar days, a last day on a holiday not moved,
    as the first period's was not); return it as the ledger entry says it."""
    due = due_date(clock.due_on, days, clock.unit)
    rule = next((r for r in case.definition.deadlines if r.code == clock.rule), None)
    warn_days = effective(case, rule).warn_days if rule is not None else DEFAULT_WARN_DAYS
    warn = warn_date(due, warn_days)
    total = clock.days + days
    Deadline.objects.filter(pk=clock.pk).update(due_on=due, warn_on=warn, days=total)
    return {"rule": clock.rule, "days": total, "added": days, "due_on": due, "warn_on": warn}


def _draft_of_kinds(case: Case, kinds: tuple[str, ...]) -> bool:
    """Whether the draft is of one of ``kinds``, as its kind or imposed together (并处)."""
    together = Q()
    for kind in kinds:
        together |= Q(penalty_kinds__contains=f",{kind},")
    return DecisionDraft.objects.filter(Q(kind__in=kinds) | together, case=case).exists()


def extended(deadline: Deadline, paused_on: date, resumed_on: date) -> date:
    """The due date pushed back by the paused interval, in the deadline's own unit."""
    return _pushed(deadline.due_on, deadline.unit, paused_on, resumed_on)


def _pushed(due_on: date, unit: str, paused_on: date, resumed_on: date) -> date:
    if unit == "calendar":
        return due_on + (resumed_on - paused_on)
    try:
        skipped, day = 0, paused_on
        while day < resumed_on:
            day += timedelta(days=1)
            if is_working_day(day):
                skipped += 1
        return add_working_days(due_on, skipped)
    except CalendarGap as error:
        raise calendar_gap(error) from None


def recompute_for_year(year: int) -> list[Moved]:
    """Count again the running working-day clocks that cross ``year``, whose notice was just
    entered: they had been computed provisionally (暂定). Runs in the notice's transaction."""
    first, last = touches(year)
    clocks = (
        Deadline.objects.filter(
            unit="working",
            status__in=[DeadlineStatus.RUNNING, DeadlineStatus.PAUSED],
            starts_on__lte=last,
            due_on__gte=first,
        )
        .select_related("case")
        .prefetch_related("pauses")
    )
    moved: list[Moved] = []
    for clock in clocks:
        due = due_date(clock.starts_on, clock.days, clock.unit)
        for pause in clock.pauses.all():
            if pause.resumed_on is not None:
                due = _pushed(due, clock.unit, pause.paused_on, pause.resumed_on)
        if due == clock.due_on:
            continue
        case = clock.case
        rules = {r.code: r for r in get_definition(case.procedure).deadlines}
        rule = rules.get(clock.rule)
        warn_days = (
            figure(case.agency_id, case.matter_id, case.procedure, rule).warn_days
            if rule
            else DEFAULT_WARN_DAYS
        )
        Deadline.objects.filter(pk=clock.pk).update(due_on=due, warn_on=warn_date(due, warn_days))
        moved.append(
            Moved(
                agency_id=clock.agency_id,
                kind="办案时限",
                subject=f"{case.number} {clock.label}",
                link=reverse("cases:detail", args=[case.pk]),
                old_due_on=clock.due_on,
                new_due_on=due,
            )
        )
    return moved
