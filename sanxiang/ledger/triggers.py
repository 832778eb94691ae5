"""The ledger's triggers as installed, for ``reconcile.check_triggers``; and the INSERT guard.

Migration 0003 installs the append-only triggers (``guard.py``), 0006 the same on the
witnesses' cosignatures; migration 0005 adds
``ledger_entry_no_preset_seq``: an entry is inserted without its position (the integrator
assigns it), so an INSERT that brings its own ``seq`` is a forgery and is refused.
"""

from __future__ import annotations

import re

from . import guard
from .reconcile import ExpectedTrigger, pg_function_body

PRESET_REFUSAL = f"{guard.REFUSAL}: 账本条目的序号由排序程序分配，不得在插入时指定"

SQLITE_PRESET = (
    "CREATE TRIGGER ledger_entry_no_preset_seq BEFORE INSERT ON ledger_entry "
    f"WHEN NEW.seq IS NOT NULL BEGIN SELECT RAISE(ABORT, '{PRESET_REFUSAL}'); END;"
)
PG_PRESET_FUNCTION = (
    "CREATE OR REPLACE FUNCTION ledger_entry_no_preset_seq() RETURNS trigger LANGUAGE plpgsql "
    f"AS $$ BEGIN RAISE EXCEPTION '{PRESET_REFUSAL}'; END $$;"
)
PG_PRESET = [
    PG_PRESET_FUNCTION,
    "CREATE TRIGGER ledger_entry_no_preset_seq BEFORE INSERT ON ledger_entry "
    "FOR EACH ROW WHEN (NEW.seq IS NOT NULL) EXECUTE FUNCTION ledger_entry_no_preset_seq();",
]
PRESET_DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS ledger_entry_no_preset_seq;"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS ledger_entry_no_preset_seq ON ledger_entry;",
        "DROP FUNCTION IF EXISTS ledger_entry_no_preset_seq();",
    ],
}


def pg_functions(source: str) -> dict[str, str]:
    """Function name -> body of every CREATE FUNCTION in ``source``."""
    pattern = r"FUNCTION (\w+)\(\).*?\$\$(.*?)\$\$"
    return {m.group(1): m.group(2) for m in re.finditer(pattern, source, re.S)}


def sqlite_triggers(statements: list[str]) -> list[ExpectedTrigger]:
    """One expectation per CREATE TRIGGER statement, named and tabled from its text."""
    found = []
    for sql in statements:
        match = re.search(r"CREATE TRIGGER (\w+)\s.*?\sON (\w+)", sql, re.S)
        if match:
            found.append(ExpectedTrigger(match.group(1), match.group(2), sql))
    return found


def expected(vendor: str) -> list[ExpectedTrigger]:
    if vendor == "sqlite":
        statements = [*guard.create_statements("sqlite"), SQLITE_PRESET]
        return sqlite_triggers(statements + guard.later_create_statements("sqlite"))
    if vendor != "postgresql":
        return []
    functions = pg_functions(guard._PG_FUNCTIONS)
    both = ("UPDATE", "DELETE")
    return [
        ExpectedTrigger(
            "ledger_entry_append_only", "ledger_entry", functions["ledger_entry_guard"], both
        ),
        ExpectedTrigger(
            "ledger_entry_no_preset_seq",
            "ledger_entry",
            pg_function_body(PG_PRESET_FUNCTION),
            ("INSERT",),
        ),
        *(
            ExpectedTrigger(
                f"{table}_append_only", table, functions["ledger_insert_only_guard"], both
            )
            for table in (*guard._INSERT_ONLY, *guard.LATER_INSERT_ONLY)
        ),
    ]
