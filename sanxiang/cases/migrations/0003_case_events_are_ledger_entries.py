"""The case timeline table goes: the ledger entry is the case event (issue 9, item 1).

``CaseEvent`` was a second, mutable history beside the ledger, and it decided legal facts (was
a hearing held). Since the timeline, ``had_stage`` and the 年报 read the ledger, the table
goes, but only once every row is shown to have its ledger entry: the case, the kind (through
its current ``case.*`` code) and, for a step, the stage entered must match an entry, one entry
per row. Otherwise the migration refuses and names the rows, so nothing recorded only in the
old table is lost silently; restore the entries (or a backup) first.

Reversing recreates the table and fills it from the ledger.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import migrations
from django.utils import timezone

# The kinds the table held; each was written together with the entry of ``case.<kind>``.
KINDS = (
    "opened",
    "transition",
    "draft_saved",
    "deadline_paused",
    "deadline_resumed",
    "recusal_requested",
    "recusal_decided",
    "member_added",
)
CODES = {**{f"case.{k}": k for k in KINDS}, **{k: k for k in KINDS}}
SHOWN = 20  # rows named in the refusal; the rest are counted


def _key(case_id: int, kind: str, target: str) -> tuple[int, str, str]:
    # A step is matched by the stage it entered; other kinds by case and kind alone.
    return (case_id, kind, target if kind == "transition" else "")


def unmatched(
    events: Iterable[tuple[int, int, str, str, Any]],
    entries: Iterable[tuple[int, str, str]],
) -> list[tuple[int, int, str, str, Any]]:
    """The ``(id, case_id, kind, target, at)`` rows with no entry ``(case_id, code, payload)``."""
    available: Counter[tuple[int, str, str]] = Counter()
    for case_id, code, payload in entries:
        target = str(json.loads(payload).get("target", "")) if code.endswith("transition") else ""
        available[_key(case_id, CODES[code], target)] += 1
    missing = []
    for row in events:
        key = _key(row[1], row[2], row[3])
        if available[key] > 0:
            available[key] -= 1
        else:
            missing.append(row)
    return missing


def refusal(missing: list[tuple[int, int, str, str, Any]]) -> str:
    lines = [
        f"  案件动态 #{pk}：案件 {case_id}，类型 {kind}{f'，进入阶段 {target}' if target else ''}，"
        f"时间 {timezone.localtime(at):%Y-%m-%d %H:%M:%S}"
        for pk, case_id, kind, target, at in missing[:SHOWN]
    ]
    more = f"\n  ……另有 {len(missing) - SHOWN} 条" if len(missing) > SHOWN else ""
    return (
        f"不能删除案件动态表（cases_caseevent）：以下 {len(missing)} 条案件动态在账本中没有对应"
        "条目，删除将丢失这些记录。请先从备份恢复账本条目，或核实后补记，再执行迁移。\n"
        + "\n".join(lines)
        + more
    )


def check_every_row_has_its_entry(apps: Any, schema_editor: Any) -> None:
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Entry = apps.get_model("ledger", "Entry")
    events = (
        CaseEvent.objects.order_by("case_id", "at", "pk")
        .values_list("pk", "case_id", "kind", "target", "at")
        .iterator(chunk_size=5000)
    )
    entries = (
        Entry.objects.filter(case_id__isnull=False, event_type__in=list(CODES))
        .values_list("case_id", "event_type", "payload")
        .iterator(chunk_size=5000)
    )
    missing = unmatched(events, entries)
    if missing:
        raise RuntimeError(refusal(missing))


def fill_from_the_ledger(apps: Any, schema_editor: Any) -> None:
    """Reverse: the old table, as the ledger records the case events."""
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Entry = apps.get_model("ledger", "Entry")
    Case = apps.get_model("cases", "Case")
    User = apps.get_model("accounts", "User")
    cases = set(Case.objects.values_list("pk", flat=True))
    users = set(User.objects.values_list("pk", flat=True))
    rows = Entry.objects.filter(case_id__in=cases, event_type__in=list(CODES)).order_by("id")
    batch = []
    for entry in rows.iterator(chunk_size=5000):
        payload = json.loads(entry.payload)
        kind = CODES[entry.event_type]
        target = payload.get("target", "") if kind == "transition" else payload.get("stage", "")
        batch.append(
            CaseEvent(
                case_id=entry.case_id,
                kind=kind,
                source=str(payload.get("source", ""))[:32],
                target=str(target)[:32],
                actor_id=entry.actor_id if entry.actor_id in users else None,
                at=entry.created_at,
                note=str(payload.get("note", "") or ""),
            )
        )
    CaseEvent.objects.bulk_create(batch, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0002_draft_snapshots"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(check_every_row_has_its_entry, fill_from_the_ledger),
        migrations.DeleteModel(name="CaseEvent"),
    ]
