"""Reconciliation: replay the ledger and compare it with the business tables (issue 9, item 3).

The ledger knows no domain. Apps register *reconcilers* from their AppConfig: the event types
they replay and a function that, given those entries in log order, names every divergence
between what the ledger says happened and what the tables hold now (table, row, field, the
ledger ``seq`` that says otherwise). Apps also register the database triggers they install,
so that a dropped, disabled or altered trigger is reported too. ``verify_ledger`` runs both.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection

from . import registry
from .models import Entry
from .walk import RawFact


class Fact(NamedTuple):
    """One ledger entry as a reconciler reads it (the code resolved through the registry).

    A named tuple, not a dataclass: the state check builds one per replayed entry, and a
    frozen dataclass costs three times as much to make (verify_ledger over 1,000,000 entries).
    """

    id: int
    seq: int | None
    case_id: int | None
    event_type: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Divergence:
    table: str
    row: str
    field: str
    seq: int | None  # the ledger entry that says otherwise (None: the ledger says nothing)
    message: str  # Chinese, for people

    def line(self) -> str:
        where = f"账本序号 {self.seq}" if self.seq is not None else "账本无对应条目"
        return f"状态不一致：{self.table} #{self.row} 字段 {self.field}（{where}）：{self.message}"


Check = Callable[[Sequence[Fact]], Iterable[Divergence]]


@dataclass(frozen=True)
class Reconciler:
    name: str
    event_types: tuple[str, ...]
    check: Check


@dataclass(frozen=True)
class ExpectedTrigger:
    """A trigger as its migration installs it on the current database vendor.

    SQLite: ``definition`` is the CREATE TRIGGER statement (compared with ``sqlite_master``,
    whitespace aside). PostgreSQL: the body of its function (compared with ``pg_proc``), and
    ``events`` the operations the trigger must fire on.
    """

    name: str
    table: str
    definition: str
    events: tuple[str, ...] = ()


_RECONCILERS: dict[str, Reconciler] = {}
_TRIGGERS: dict[str, Callable[[str], list[ExpectedTrigger]]] = {}


def register(reconciler: Reconciler) -> None:
    _RECONCILERS[reconciler.name] = reconciler


def register_triggers(owner: str, expected: Callable[[str], list[ExpectedTrigger]]) -> None:
    """``expected(vendor)`` lists the triggers ``owner``'s migrations install on ``vendor``."""
    _TRIGGERS[owner] = expected


def wanted_codes() -> set[str]:
    """Every stored code (current or alias) some registered reconciler replays."""
    wanted = {t for r in _RECONCILERS.values() for t in r.event_types}
    return {c for c in registry.codes_with() if _current(c) in wanted} | {
        c for c in wanted if registry.lookup(c) is None
    }


def facts(raw: Iterable[RawFact] = (), *, read: int = 0) -> list[Fact]:
    """The entries the reconcilers replay, sequenced ones first in log order, then those
    not yet sequenced (committed, waiting for the integrator) in id order.

    ``raw``: the first ``read`` sequenced ones as ``verify_ledger``'s pass read them (so the
    log is read once); the rest (sequenced since, or not yet) are read here.
    """
    columns = ("id", "seq", "case_id", "event_type", "payload")
    entries = Entry.objects.filter(event_type__in=wanted_codes())
    later = entries.filter(seq__gte=read).order_by("seq").values_list(*columns)
    waiting = entries.filter(seq__isnull=True).order_by("id").values_list(*columns)
    current: dict[str, str] = {}
    decode = json.JSONDecoder().decode
    return [
        Fact(
            pk,
            seq,
            case_id,
            current.get(code) or current.setdefault(code, _current(code)),
            decode(payload if isinstance(payload, str) else payload.decode()),
        )
        for pk, seq, case_id, code, payload in itertools.chain(
            raw, later.iterator(chunk_size=5000), waiting.iterator(chunk_size=5000)
        )
    ]


def _current(code: str) -> str:
    event_type = registry.lookup(code)
    return event_type.code if event_type else code


def reconcile(raw: Iterable[RawFact] = (), *, read: int = 0) -> list[Divergence]:
    """Every divergence every registered reconciler finds (``raw``, ``read``: see facts)."""
    reconcilers = list(_RECONCILERS.values())
    mine: dict[str, list[list[Fact]]] = {}
    given: list[list[Fact]] = [[] for _ in reconcilers]
    for facts_of, reconciler in zip(given, reconcilers, strict=True):
        for event_type in reconciler.event_types:
            mine.setdefault(event_type, []).append(facts_of)
    for fact in facts(raw, read=read):  # one pass hands each fact to those that replay it
        for facts_of in mine.get(fact.event_type, ()):
            facts_of.append(fact)
    found: list[Divergence] = []
    for facts_of, reconciler in zip(given, reconcilers, strict=True):
        found.extend(reconciler.check(facts_of))
    return found


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(";").strip()


def check_triggers() -> list[Divergence]:
    """Every registered trigger exists, is enabled and is as its migration installed it."""
    expected = [t for provider in _TRIGGERS.values() for t in provider(connection.vendor)]
    if connection.vendor == "sqlite":
        return _check_sqlite(expected)
    if connection.vendor == "postgresql":
        return _check_postgresql(expected)
    return []


def _missing(t: ExpectedTrigger, what: str) -> Divergence:
    return Divergence(t.table, t.name, "trigger", None, what)


def _check_sqlite(expected: list[ExpectedTrigger]) -> list[Divergence]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        installed = {name: sql for name, sql in cursor.fetchall()}
    found = []
    for t in expected:
        sql = installed.get(t.name)
        if sql is None:
            found.append(_missing(t, "数据库触发器已被删除"))
        elif _squeeze(sql) != _squeeze(t.definition):
            found.append(_missing(t, "数据库触发器已被改动，与安装时不一致"))
    return found


def _check_postgresql(expected: list[ExpectedTrigger]) -> list[Divergence]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, c.relname, t.tgenabled, p.prosrc, pg_get_triggerdef(t.oid) "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal"
        )
        installed = {
            (name, table): (enabled, body, text)
            for name, table, enabled, body, text in cursor.fetchall()
        }
    found = []
    for t in expected:
        row = installed.get((t.name, t.table))
        if row is None:
            found.append(_missing(t, "数据库触发器已被删除"))
            continue
        enabled, body, definition = row
        if enabled == "D":
            found.append(_missing(t, "数据库触发器已被停用"))
        if _squeeze(body) != _squeeze(t.definition) or not all(
            event in definition for event in t.events
        ):
            found.append(_missing(t, "数据库触发器已被改动，与安装时不一致"))
    return found


def pg_function_body(create_function: str) -> str:
    """The text between the dollar quotes of a CREATE FUNCTION statement."""
    match = re.search(r"\$\$(.*)\$\$", create_function, flags=re.S)
    if match is None:
        raise ValueError("no $$ body in the function definition")
    return match.group(1)
