"""The deadline clocks rebuilt from the ledger, and compared with the table (verify_ledger).

``case.opened`` and ``case.transition`` carry the clocks their stage started and stopped
(``deadlines.stage_entered``), ``case.deadline_paused`` and ``case.deadline_resumed`` the
pauses, ``case.deadline_extended`` the extension the head approved (its ``extended``: the
clock's days after it; 行政许可法 第42条, 行政强制法 第25条). Replaying them gives each
clock's state; a status, start, stop, pause, length or extension changed behind the application
is named. Due dates are not compared: entering a year's holiday notice counts
running clocks again (``deadlines.recompute_for_year``), which the calendar's entry records.
Cases opened before the entries carried the clocks are not replayed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count

from sanxiang.ledger.reconcile import Divergence, Fact

from .models import Deadline, DeadlineStatus


@dataclass
class Clock:
    status: str
    starts_on: str
    stopped_on: str | None
    pauses: int
    seq: int | None  # the entry that last changed it
    days: int | None = None  # the period's length, extensions included (None: not ledgered)
    extensions: int = 0


def replay(facts: Sequence[Fact]) -> tuple[set[int], dict[tuple[int, str], Clock]]:
    """The cases whose 立案 entry carries its clocks, and their ``(case_id, rule) -> Clock``."""
    replayable: set[int] = set()
    state: dict[tuple[int, str], Clock] = {}
    for fact in facts:
        case_id, payload = fact.case_id, fact.payload
        if case_id is None:
            continue
        if fact.event_type == "case.opened" and "clocks" in payload:
            replayable.add(case_id)
        if case_id not in replayable:
            continue
        changed = payload.get("clocks") or {}
        for started in changed.get("started", []):
            state[(case_id, started["rule"])] = Clock(
                DeadlineStatus.RUNNING, started["starts_on"], None, 0, fact.seq, started.get("days")
            )
        for extended in changed.get("extended", []):
            clock = state.get((case_id, extended["rule"]))
            if clock is not None:
                clock.days, clock.seq = extended["days"], fact.seq
                clock.extensions += 1
        for stopped in changed.get("stopped", []):
            clock = state.get((case_id, stopped["rule"]))
            if clock is not None:
                clock.status, clock.stopped_on, clock.seq = (
                    DeadlineStatus.MET,
                    stopped["on"],
                    fact.seq,
                )
        clock = state.get((case_id, str(payload.get("rule", ""))))
        if clock is None:
            continue
        if fact.event_type == "case.deadline_paused":
            clock.status, clock.pauses, clock.seq = (
                DeadlineStatus.PAUSED,
                clock.pauses + 1,
                fact.seq,
            )
        elif fact.event_type == "case.deadline_resumed":
            clock.status, clock.seq = DeadlineStatus.RUNNING, fact.seq
    return replayable, state


def _label(status: str) -> str:
    return str(DeadlineStatus(status).label) if status in DeadlineStatus.values else status


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    cases, state = replay(facts)
    # All clocks, filtered here: a list of every case id would pass SQLite's variable limit.
    rows = (
        Deadline.objects.annotate(paused=Count("pauses"), extended=Count("extension"))
        .values_list(
            "pk",
            "case_id",
            "rule",
            "status",
            "starts_on",
            "stopped_on",
            "paused",
            "days",
            "extended",
        )
        .order_by("case_id", "rule", "pk")
    )
    seen: set[tuple[int, str]] = set()
    for pk, case_id, rule, status, starts_on, stopped_on, paused, days, extended in rows.iterator(
        chunk_size=5000
    ):
        if case_id not in cases:
            continue  # opened before the entries carried the clocks
        clock = state.get((case_id, rule))
        if clock is None or (case_id, rule) in seen:
            yield Divergence(
                "cases_deadline", str(pk), "rule", None, "账本中没有这一时限的起算记载"
            )
            continue
        seen.add((case_id, rule))
        stopped = stopped_on.isoformat() if stopped_on else None
        if status != clock.status:
            yield Divergence(
                "cases_deadline",
                str(pk),
                "status",
                clock.seq,
                f"账本记载的时限状态为“{_label(clock.status)}”，表中为“{_label(status)}”",
            )
        for field, ledgered, held in (
            ("starts_on", clock.starts_on, starts_on.isoformat()),
            ("stopped_on", clock.stopped_on, stopped),
        ):
            if ledgered != held:
                yield Divergence(
                    "cases_deadline",
                    str(pk),
                    field,
                    clock.seq,
                    f"账本记载为“{ledgered or '无'}”，表中为“{held or '无'}”",
                )
        if clock.days is not None and days != clock.days:
            yield Divergence(
                "cases_deadline",
                str(pk),
                "days",
                clock.seq,
                f"账本记载的期限为{clock.days}，表中为{days}",
            )
        if extended != clock.extensions:
            yield Divergence(
                "cases_deadlineextension",
                f"deadline={pk}",
                "id",
                clock.seq,
                f"账本记载延长{clock.extensions}次，表中有{extended}条延长记录",
            )
        if paused != clock.pauses:
            yield Divergence(
                "cases_deadlinepause",
                f"deadline={pk}",
                "id",
                clock.seq,
                f"账本记载暂停{clock.pauses}次，表中有{paused}条暂停记录",
            )
    for (case_id, rule), clock in sorted(state.items()):
        if (case_id, rule) not in seen:
            yield Divergence(
                "cases_deadline",
                f"case={case_id} rule={rule}",
                "rule",
                clock.seq,
                "账本记载的时限在表中不存在",
            )
